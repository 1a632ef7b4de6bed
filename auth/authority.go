package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/dayu-emu/dayu"
)

// Authority issues tokens and authenticates requests against a world.
type Authority struct {
	World *dayu.World
	// Clocks are the service's: tokens are issued and expire by their
	// domain's clock.
	Clocks *dayu.Clocks
	// SigningClock is what an AK/SK signature's X-Sdk-Date is compared
	// with: the wall clock, since clients sign with theirs, even when the
	// dev clock has been moved ahead. Tests set it to verify captured
	// requests at their own date.
	SigningClock dayu.Clock
	key          []byte
	// passwordChecks holds a slot per password check running: bcrypt is
	// slow on purpose, so logins nobody has authenticated yet must leave
	// CPU for everything else.
	passwordChecks chan struct{}
	// OnFailure, when set, is told of every failed authentication, by
	// kind and reason (see Failures), for the metrics.
	OnFailure func(FailureKind, FailureReason)
	// noUser is the hash a password for a user who does not exist is
	// checked against, so that it costs what a wrong password costs.
	noUser func() []byte
}

// New returns an Authority that signs tokens with key.
func New(w *dayu.World, clocks *dayu.Clocks, key []byte) *Authority {
	return &Authority{World: w, Clocks: clocks, SigningClock: dayu.WallClock{}, key: key,
		passwordChecks: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
		noUser:         sync.OnceValue(func() []byte { return dummyHash(w) }),
	}
}

// dummyHash is a bcrypt hash of nobody's password at the highest cost of
// the world's users (bcrypt's default in a world without users).
func dummyHash(w *dayu.World) []byte {
	cost := bcrypt.DefaultCost
	for _, d := range w.Domains {
		for _, u := range d.Users {
			if c, err := bcrypt.Cost([]byte(u.PasswordHash)); err == nil {
				cost = max(cost, c)
			}
		}
	}
	h, err := bcrypt.GenerateFromPassword([]byte("dayu: no such user"), cost)
	if err != nil {
		panic(err) // only a cost out of range fails, and costs come from valid hashes
	}
	return h
}

// Open returns an Authority whose token key is the one in the store,
// created there on first start: every node on one store, and every restart,
// signs and accepts the same tokens.
func Open(ctx context.Context, w *dayu.World, clocks *dayu.Clocks, s dayu.Store) (*Authority, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	key, err := s.TokenKey(ctx, fresh)
	if err != nil {
		return nil, err
	}
	return New(w, clocks, key), nil
}

// Identity is how a token request proves who it is: a password (the user by
// id, or by name within a domain given by id or name) or an existing token.
type Identity struct {
	Methods    []string
	UserID     string
	UserName   string
	DomainID   string
	DomainName string
	Password   string
	Token      string
}

// Scope is what a token request asks the token to be good for: a project
// (by id, or by name within a domain), a domain, or nothing.
type Scope struct {
	ProjectID   string
	ProjectName string
	DomainID    string
	DomainName  string
	Domain      bool // domain scope rather than project scope
}

// Token is an issued token with what the response body shows of it.
type Token struct {
	ID      string
	Claims  Claims
	User    *dayu.User
	Project *dayu.Project // nil unless project-scoped
}

// Issue checks the identity and returns a token for the scope. A password
// check waits for a slot while others use the CPU, as long as ctx allows.
func (a *Authority) Issue(ctx context.Context, id Identity, s Scope) (*Token, error) {
	user, expires, err := a.identify(ctx, id)
	if err != nil {
		return nil, err
	}
	c := Claims{UserID: user.ID, DomainID: user.Domain.ID, Methods: id.Methods}
	project, err := a.scope(user, s)
	if err != nil {
		return nil, err
	}
	if project != nil {
		c.ProjectID = project.ID
	}
	now := a.Clocks.Now(user.Domain.ID)
	c.IssuedAt, c.ExpiresAt = now.UnixMilli(), now.Add(TokenTTL).UnixMilli()
	if expires != 0 {
		c.ExpiresAt = expires
	}
	return &Token{ID: a.sealToken(c), Claims: c, User: user, Project: project}, nil
}

// ErrBadCredentials is Issue's error for a password login whose user or
// password is wrong (the two are not told apart).
var ErrBadCredentials = dayu.Errorf(dayu.EUNAUTHORIZED, "The username or password is wrong.")

// identify finds the user of id. A token identity also gives its token's
// expiry (unix milliseconds; 0 for a password): a token got from another
// token expires with it, as Keystone's do, so that re-scoping never makes
// a token live longer.
func (a *Authority) identify(ctx context.Context, id Identity) (user *dayu.User, expires int64, err error) {
	if len(id.Methods) != 1 {
		return nil, 0, dayu.Errorf(dayu.EINVALID, "auth.identity.methods: must be [\"password\"] or [\"token\"]")
	}
	switch id.Methods[0] {
	case "password":
		user, err := a.checkPassword(ctx, id)
		return user, 0, err
	case "token":
		c, err := a.OpenToken(id.Token)
		if err != nil {
			return nil, 0, a.Failed(KindToken, tokenFailure(err), err)
		}
		if user := a.World.User(c.UserID); user != nil {
			return user, c.ExpiresAt, nil
		}
		return nil, 0, a.Failed(KindToken, ReasonUserGone, dayu.Errorf(dayu.EUNAUTHORIZED, "The user of the token no longer exists."))
	}
	return nil, 0, dayu.Errorf(dayu.EINVALID, "auth.identity.methods: %q is not supported; use password or token", id.Methods[0])
}

// checkPassword finds the user of a password identity and checks the
// password, in one of the passwordChecks slots. A user who does not exist
// costs a check all the same: how long a wrong login takes tells nobody
// which users exist.
func (a *Authority) checkPassword(ctx context.Context, id Identity) (*dayu.User, error) {
	select {
	case a.passwordChecks <- struct{}{}:
	case <-ctx.Done():
		return nil, a.Failed(KindPassword, ReasonBusy, dayu.Errorf(dayu.ETHROTTLED, "Too many logins at once: try again later."))
	}
	defer func() { <-a.passwordChecks }()
	user := a.findUser(id)
	if user == nil {
		_ = bcrypt.CompareHashAndPassword(a.noUser(), []byte(id.Password))
		return nil, a.Failed(KindPassword, ReasonBadCredentials, ErrBadCredentials)
	}
	if !user.CheckPassword(id.Password) {
		return nil, a.Failed(KindPassword, ReasonBadCredentials, ErrBadCredentials)
	}
	return user, nil
}

// LoginName names the user a password identity is for, however it spells
// them (by id, or by name in a domain given by id or name), so that failed
// logins can be counted per user: the user's id, or the spelling when
// there is no such user.
func (a *Authority) LoginName(id Identity) string {
	if u := a.findUser(id); u != nil {
		return u.ID
	}
	return fmt.Sprintf("no such user %q %q %q %q", id.UserID, id.DomainID, id.DomainName, id.UserName)
}

func (a *Authority) findUser(id Identity) *dayu.User {
	if id.UserID != "" {
		return a.World.User(id.UserID)
	}
	var d *dayu.Domain
	switch {
	case id.DomainID != "":
		d = a.World.DomainByID(id.DomainID)
	case id.DomainName != "":
		d = a.World.DomainByName(id.DomainName)
	}
	if d == nil {
		return nil
	}
	return d.UserByName(id.UserName)
}

// scope resolves the requested scope within the user's domain.
func (a *Authority) scope(user *dayu.User, s Scope) (*dayu.Project, error) {
	d := user.Domain
	if s.Domain || s.ProjectName != "" {
		if (s.DomainID != "" && s.DomainID != d.ID) || (s.DomainName != "" && s.DomainName != d.Name) {
			return nil, dayu.Errorf(dayu.EUNAUTHORIZED, "The user has no access to the requested domain.")
		}
	}
	switch {
	case s.Domain:
		return nil, nil
	case s.ProjectID != "":
		if p := a.World.Project(s.ProjectID); p != nil && p.Domain == d {
			return p, nil
		}
		return nil, dayu.Errorf(dayu.EUNAUTHORIZED, "The user has no access to project %q.", s.ProjectID)
	case s.ProjectName != "":
		if p := d.ProjectByName(s.ProjectName); p != nil {
			return p, nil
		}
		return nil, dayu.Errorf(dayu.EUNAUTHORIZED, "The user has no access to project %q.", s.ProjectName)
	}
	return nil, nil
}
