package dayu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// World is everything a purchase refers to and everyone who may call: the
// regions and their zones, the edition catalog, and the domains (accounts)
// with their users, access keys, projects, networks and enterprise projects.
// It is loaded from a JSON document (--world FILE) and read-only afterwards.
type World struct {
	Regions  []Region  `json:"regions"`
	Editions []Edition `json:"editions,omitempty"`
	Domains  []*Domain `json:"domains"`

	regions  map[string]*Region
	editions map[string]*Edition
	projects map[string]*Project
	keys     map[string]*AccessKey
	users    map[string]*User
	dev      bool   // see IsDev
	digest   string // see Digest
}

// Region is a cloud region with its availability zones.
type Region struct {
	ID    string   `json:"id"`
	Zones []string `json:"zones"`
}

// Edition is an entry of the edition catalog: a resource_spec_code that may
// be bought, the product id the list reports for it, and its rank: an
// upgrade moves to a higher rank, a downgrade to a lower one.
type Edition struct {
	SpecCode  string `json:"spec_code"`
	ProductID string `json:"product_id"`
	Rank      int    `json:"rank,omitempty"`
}

// Domain is an account: it owns users, projects and enterprise projects.
type Domain struct {
	ID                 string              `json:"id"`
	Name               string              `json:"name"`
	Users              []*User             `json:"users"`
	Projects           []*Project          `json:"projects"`
	EnterpriseProjects []EnterpriseProject `json:"enterprise_projects,omitempty"`

	enterpriseProjects map[string]string // id to name; a world may have 100,000s: looked up per purchase
}

// User is an IAM user. Only the bcrypt hash of the password is kept; a
// world file may give the plain password, which is hashed on load.
type User struct {
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	Password     string      `json:"password,omitempty"`
	PasswordHash string      `json:"password_hash,omitempty"`
	AccessKeys   []AccessKey `json:"access_keys,omitempty"`

	Domain *Domain `json:"-"`
}

// AccessKey is an AK/SK pair. The secret must be kept in the clear: the
// signature check recomputes an HMAC with it.
type AccessKey struct {
	Access string `json:"access"`
	Secret string `json:"secret"`

	User *User `json:"-"`
}

// EnterpriseProject groups resources inside a domain. Every domain also has
// the default one, DefaultEnterpriseProject.
type EnterpriseProject struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Project is a region-scoped IAM project with its networks. Its name is, as
// on Huawei Cloud, usually the region id.
type Project struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	RegionID       string   `json:"region_id"`
	VPCs           []VPC    `json:"vpcs"`
	SecurityGroups []string `json:"security_groups"`

	Domain *Domain `json:"-"`
}

// VPC is a virtual private cloud with its subnets.
type VPC struct {
	ID      string   `json:"id"`
	Subnets []string `json:"subnets"`
}

// DefaultEditions is the catalog used when a world names none: the editions
// seen publicly (docs/contract.md §2). The product ids and the ranks are ours: the
// free and trial editions, then starter to enterprise as the console lists
// them.
var DefaultEditions = []Edition{
	{SpecCode: "dayu.starter", ProductID: "OFFI740586375358963717", Rank: 3},
	{SpecCode: "dayu.basic", ProductID: "OFFI740586375358963718", Rank: 4},
	{SpecCode: "dayu.advanced", ProductID: "OFFI740586375358963719", Rank: 5},
	{SpecCode: "dayu.nb.professional", ProductID: "OFFI740586375358963720", Rank: 6},
	{SpecCode: "dayu.nb.enterprise", ProductID: "OFFI740586375358963721", Rank: 7},
	{SpecCode: "dayu.free", ProductID: "OFFI740586375358963722", Rank: 1},
	{SpecCode: "dayu.experience", ProductID: "OFFI740586375358963723", Rank: 2},
}

// WorldFile is a world document as its author wrote it (dayu serve
// --world FILE), read and checked. Its plain passwords are not hashed yet:
// EnsureWorld first checks them against the stored world's hashes, so that
// starting again with the same file is recognised as the same world.
type WorldFile struct{ world *World }

// ReadWorldFile reads and checks a world document. Unknown keys are an
// error (typos fail loudly); a JSON syntax or type error says where it is,
// by line and column.
func ReadWorldFile(doc []byte) (*WorldFile, error) {
	var w World
	if err := decodeStrict(doc, &w); err != nil {
		return nil, err
	}
	if err := w.prepare(); err != nil {
		return nil, err
	}
	return &WorldFile{&w}, nil
}

// ParseWorld reads a world document, checks it, and hashes any plain
// passwords so that the world it returns holds hashes only.
func ParseWorld(doc []byte) (*World, error) {
	f, err := ReadWorldFile(doc)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if err := f.world.hashPasswords(); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	return f.world, nil
}

// prepare fills in the default catalog, checks the world and indexes it.
func (w *World) prepare() error {
	if len(w.Editions) == 0 {
		w.Editions = DefaultEditions
	}
	return w.index()
}

// hashPasswords replaces each plain password by its bcrypt hash.
func (w *World) hashPasswords() error {
	for _, d := range w.Domains {
		for _, u := range d.Users {
			if u.Password == "" {
				continue
			}
			h, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost)
			if err != nil {
				return fmt.Errorf("user %q: %w", u.Name, err)
			}
			u.PasswordHash, u.Password = string(h), ""
		}
	}
	return nil
}

// decodeStrict decodes the one JSON value of doc into v. Unknown keys are
// an error, and so is anything after the value.
func decodeStrict(doc []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return fmt.Errorf("%s: %w", position(doc, syntax.Offset), err)
		case errors.As(err, &typ):
			return fmt.Errorf("%s: %w", position(doc, typ.Offset), err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("%s: the document ends inside its JSON value", position(doc, int64(len(doc))))
		case errors.Is(err, io.EOF):
			return errors.New("the document is empty")
		}
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := bytes.TrimLeft(doc[end:], " \t\r\n")
		return fmt.Errorf("%s: more after the end of the JSON value", position(doc, int64(len(doc)-len(rest)+1)))
	}
	return nil
}

// position is where the last of the first read bytes of doc is, as "line
// L, column C" (both from 1; the column counts characters): the place of
// an error found after reading that far.
func position(doc []byte, read int64) string {
	at := int(min(max(read-1, 0), int64(len(doc))))
	lineStart := bytes.LastIndexByte(doc[:at], '\n') + 1
	line := bytes.Count(doc[:lineStart], []byte{'\n'}) + 1
	return fmt.Sprintf("line %d, column %d", line, utf8.RuneCount(doc[lineStart:at])+1)
}

// Marshal returns the world as a document that ParseWorld reads back.
// It is compact: a large world is read at every start.
func (w *World) Marshal() ([]byte, error) { return json.Marshal(w) }

// index checks the world for missing and duplicate ids and builds the
// lookup maps.
func (w *World) index() error {
	w.regions = map[string]*Region{}
	w.editions = map[string]*Edition{}
	w.projects = map[string]*Project{}
	w.keys = map[string]*AccessKey{}
	w.users = map[string]*User{}
	seen := map[string]bool{}
	unique := func(kind, id string) error {
		if id == "" {
			return fmt.Errorf("a %s has an empty id", kind)
		}
		if seen[kind+"\x00"+id] {
			return fmt.Errorf("%s %q appears twice", kind, id)
		}
		seen[kind+"\x00"+id] = true
		return nil
	}
	for i := range w.Regions {
		r := &w.Regions[i]
		if err := unique("region", r.ID); err != nil {
			return err
		}
		w.regions[r.ID] = r
	}
	for i := range w.Editions {
		e := &w.Editions[i]
		if err := unique("edition", e.SpecCode); err != nil {
			return err
		}
		if e.Rank == 0 { // a world stored before ranks, or a file without them
			e.Rank = defaultRank(e.SpecCode)
		}
		w.editions[e.SpecCode] = e
	}
	for _, d := range w.Domains {
		if err := unique("domain", d.ID); err != nil {
			return err
		}
		if err := unique("domain name", d.Name); err != nil {
			return err
		}
		d.enterpriseProjects = make(map[string]string, len(d.EnterpriseProjects))
		for _, e := range d.EnterpriseProjects {
			d.enterpriseProjects[e.ID] = e.Name
		}
		for _, u := range d.Users {
			if err := unique("user", u.ID); err != nil {
				return err
			}
			if u.PasswordHash == "" && u.Password == "" {
				return fmt.Errorf("user %q has no password", u.Name)
			}
			u.Domain = d
			w.users[u.ID] = u
			for i := range u.AccessKeys {
				k := &u.AccessKeys[i]
				if err := unique("access key", k.Access); err != nil {
					return err
				}
				if k.Secret == "" {
					return fmt.Errorf("access key %q has no secret", k.Access)
				}
				k.User = u
				w.keys[k.Access] = k
			}
		}
		for _, p := range d.Projects {
			if err := unique("project", p.ID); err != nil {
				return err
			}
			if w.regions[p.RegionID] == nil {
				return fmt.Errorf("project %q names unknown region %q", p.ID, p.RegionID)
			}
			p.Domain = d
			w.projects[p.ID] = p
		}
	}
	if len(w.users) == 0 {
		if len(w.Domains) == 0 {
			return errors.New("the world has no domain: nobody could log in")
		}
		return errors.New("no domain of the world has a user: nobody could log in")
	}
	return nil
}

// Region returns the region with that id, or nil.
func (w *World) Region(id string) *Region { return w.regions[id] }

// Edition returns the catalog entry of a spec code, or nil.
func (w *World) Edition(specCode string) *Edition { return w.editions[specCode] }

// Project returns the project with that id, or nil.
func (w *World) Project(id string) *Project { return w.projects[id] }

// AccessKey returns the access key with that id, or nil.
func (w *World) AccessKey(access string) *AccessKey { return w.keys[access] }

// User returns the user with that id, or nil.
func (w *World) User(id string) *User { return w.users[id] }

// DomainByName returns the domain with that name, or nil.
func (w *World) DomainByName(name string) *Domain {
	for _, d := range w.Domains {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// DomainByID returns the domain with that id, or nil.
func (w *World) DomainByID(id string) *Domain {
	for _, d := range w.Domains {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// UserByName returns the domain's user with that name, or nil.
func (d *Domain) UserByName(name string) *User {
	for _, u := range d.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// ProjectByName returns the domain's project with that name, or nil.
func (d *Domain) ProjectByName(name string) *Project {
	for _, p := range d.Projects {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// HasEnterpriseProject reports whether id is one of the domain's enterprise
// projects; the default one always is.
func (d *Domain) HasEnterpriseProject(id string) bool {
	_, ok := d.enterpriseProjects[id]
	return id == DefaultEnterpriseProject || ok
}

// EnterpriseProjectName is the name of one of the domain's enterprise
// projects ("default" for the default one), "" for an unknown one.
func (d *Domain) EnterpriseProjectName(id string) string {
	if id == DefaultEnterpriseProject {
		return "default"
	}
	return d.enterpriseProjects[id]
}

// defaultRank is the rank of an edition of the default catalog, 0 for
// another.
func defaultRank(specCode string) int {
	for _, e := range DefaultEditions {
		if e.SpecCode == specCode {
			return e.Rank
		}
	}
	return 0
}

// CheckPassword reports whether password is the user's.
func (u *User) CheckPassword(password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

// HasZone reports whether the region has that availability zone.
func (r *Region) HasZone(zone string) bool {
	for _, z := range r.Zones {
		if z == zone {
			return true
		}
	}
	return false
}

// Subnet reports whether the project has the VPC and the VPC has the subnet:
// vpcFound is false when the VPC is unknown.
func (p *Project) Subnet(vpcID, netID string) (vpcFound, subnetFound bool) {
	for _, v := range p.VPCs {
		if v.ID != vpcID {
			continue
		}
		for _, s := range v.Subnets {
			if s == netID {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}

// HasSecurityGroup reports whether the project has that security group.
func (p *Project) HasSecurityGroup(id string) bool {
	for _, s := range p.SecurityGroups {
		if s == id {
			return true
		}
	}
	return false
}

// ErrOtherWorld means that the store already holds a world other than the
// one given, which EnsureWorld replaces only when asked to.
var ErrOtherWorld = errors.New("the store holds another world")

// EnsureWorld returns the world to serve and stores it for the next start.
// Without a file it is the stored world, or on a new store the dev world.
// With a file it is the file's world: stored on a new store, or found
// stored already (the same world, its plain passwords matching the stored
// hashes); a store holding another world is ErrOtherWorld unless replace is
// set. Reading the stored world back skips hashing passwords again, which
// keeps a restart fast.
func EnsureWorld(ctx context.Context, s Store, file *WorldFile, replace bool) (*World, error) {
	doc, err := s.Document(ctx, worldDocument)
	if err != nil {
		return nil, err
	}
	var stored *World
	if doc != nil {
		// A stored world this version refuses (an older one allowed a
		// world without users) can still be replaced.
		if stored, err = parseStoredWorld(doc); err != nil && (file == nil || !replace) {
			return nil, fmt.Errorf("the stored world: %w", err)
		}
	}
	var w *World
	switch {
	case file == nil && stored != nil:
		return stored, seedNetwork(ctx, s, stored)
	case file == nil:
		if w, err = DevWorld(); err != nil {
			return nil, err
		}
		w.dev = true
	default:
		w = file.world
		if stored != nil {
			differs, err := w.differsFrom(stored)
			if err != nil {
				return nil, err
			}
			if differs == "" {
				// Given again, the stored world is stored again if an older
				// version stored it: in the form that starts faster. (A
				// start without a file writes nothing: it could race with
				// another node storing another world.)
				if !bytes.HasPrefix(doc, []byte(compactMark)) {
					if err := saveWorld(ctx, s, stored); err != nil {
						return nil, err
					}
				}
				return stored, seedNetwork(ctx, s, stored)
			}
			if !replace {
				domains, projects, eps := stored.Counts()
				return nil, fmt.Errorf("%w (world %s: domains %d, projects %d, enterprise projects %d): %s",
					ErrOtherWorld, stored.Digest(), domains, projects, eps, differs)
			}
		}
		if err := w.hashPasswords(); err != nil {
			return nil, err
		}
	}
	if err := w.setDigest(); err != nil {
		return nil, err
	}
	if err := saveWorld(ctx, s, w); err != nil {
		return nil, err
	}
	return w, seedNetwork(ctx, s, w)
}

// differsFrom says how w, a world file's, differs from the stored world,
// "" when it does not: first what it holds, then each user's password,
// checked against the stored hash.
func (w *World) differsFrom(stored *World) (string, error) {
	mine, err := w.withoutPasswords()
	if err != nil {
		return "", err
	}
	// The stored world's digest is stored with it: comparing digests
	// spares a pass over a large world at every start.
	if d := digest(mine); d != stored.Digest() {
		return "the file is world " + d, nil
	}
	for _, d := range w.Domains {
		for _, u := range d.Users {
			s := stored.User(u.ID)
			if (u.Password != "" && !s.CheckPassword(u.Password)) || (u.Password == "" && u.PasswordHash != s.PasswordHash) {
				return fmt.Sprintf("the file gives user %q another password", u.Name), nil
			}
		}
	}
	return "", nil
}

// withoutPasswords is the world's document without the users' passwords
// and password hashes: what identifies a world, since bcrypt salts every
// hash anew (two nodes storing one world file at once store two hashes of
// each password).
func (w *World) withoutPasswords() ([]byte, error) {
	c := *w
	c.Domains = make([]*Domain, len(w.Domains))
	for i, d := range w.Domains {
		dc := *d
		dc.Users = make([]*User, len(d.Users))
		for j, u := range d.Users {
			uc := *u
			uc.Password, uc.PasswordHash = "", ""
			dc.Users[j] = &uc
		}
		c.Domains[i] = &dc
	}
	return c.Marshal()
}

func (w *World) setDigest() error {
	doc, err := w.withoutPasswords()
	w.digest = digest(doc)
	return err
}

// IsDev reports whether this is the dev world that Dayu made on a store's
// first start without a world file (not a world file's, whatever it holds).
func (w *World) IsDev() bool { return w.dev }

// Digest names the world by what it holds: the first 12 hex digits of the
// SHA-256 of its document without the users' passwords, the same on every
// node and across restarts.
func (w *World) Digest() string { return w.digest }

// Counts says how much the world holds, for the start-up log and messages.
func (w *World) Counts() (domains, projects, enterpriseProjects int) {
	for _, d := range w.Domains {
		projects += len(d.Projects)
		enterpriseProjects += len(d.EnterpriseProjects)
	}
	return len(w.Domains), projects, enterpriseProjects
}

func digest(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:6])
}

// worldDocument is the name of the stored world.
const worldDocument = "world"
