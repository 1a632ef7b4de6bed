package dayu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

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
// seen publicly (CONTRACT §2). The product ids and the ranks are ours: the
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

// ParseWorld reads a world document, checks it, and hashes any plain
// passwords so that the world it returns holds hashes only.
func ParseWorld(doc []byte) (*World, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var w World
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	if len(w.Editions) == 0 {
		w.Editions = DefaultEditions
	}
	for _, d := range w.Domains {
		for _, u := range d.Users {
			if u.Password == "" {
				continue
			}
			h, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost)
			if err != nil {
				return nil, fmt.Errorf("world: user %q: %w", u.Name, err)
			}
			u.PasswordHash, u.Password = string(h), ""
		}
	}
	if err := w.index(); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	return &w, nil
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
			if u.PasswordHash == "" {
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

// EnsureWorld returns the world to serve and stores it for the next start:
// doc when one is given (a --world file), else the stored world, else a new
// dev world. Reading the stored world back skips hashing passwords again,
// which keeps a restart fast.
func EnsureWorld(ctx context.Context, s Store, doc []byte) (*World, error) {
	if doc == nil {
		stored, err := s.Document(ctx, worldDocument)
		if err != nil {
			return nil, err
		}
		if stored != nil {
			return ParseWorld(stored)
		}
	}
	var w *World
	var err error
	if doc != nil {
		w, err = ParseWorld(doc)
	} else {
		w, err = DevWorld()
	}
	if err != nil {
		return nil, err
	}
	out, err := w.Marshal()
	if err != nil {
		return nil, err
	}
	return w, s.SaveDocument(ctx, worldDocument, out)
}

// worldDocument is the name of the stored world.
const worldDocument = "world"
