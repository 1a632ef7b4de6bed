package auth

import (
	"context"
	"crypto/rand"

	"github.com/dayu-emu/dayu"
)

// Authority issues tokens and authenticates requests against a world.
type Authority struct {
	World *dayu.World
	// Clock is the service's clock: tokens are issued and expire by it.
	Clock dayu.Clock
	// SigningClock is what an AK/SK signature's X-Sdk-Date is compared
	// with: the wall clock, since clients sign with theirs, even when the
	// dev clock has been moved ahead. Tests set it to verify captured
	// requests at their own date.
	SigningClock dayu.Clock
	key          []byte
}

// New returns an Authority that signs tokens with key.
func New(w *dayu.World, clock dayu.Clock, key []byte) *Authority {
	return &Authority{World: w, Clock: clock, SigningClock: dayu.WallClock{}, key: key}
}

// Open returns an Authority whose token key is the one in the store,
// created there on first start: every node on one store, and every restart,
// signs and accepts the same tokens.
func Open(ctx context.Context, w *dayu.World, clock dayu.Clock, s dayu.Store) (*Authority, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	key, err := s.TokenKey(ctx, fresh)
	if err != nil {
		return nil, err
	}
	return New(w, clock, key), nil
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

// Issue checks the identity and returns a token for the scope.
func (a *Authority) Issue(id Identity, s Scope) (*Token, error) {
	user, expires, err := a.identify(id)
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
	now := a.Clock.Now()
	c.IssuedAt, c.ExpiresAt = now.UnixMilli(), now.Add(TokenTTL).UnixMilli()
	if expires != 0 {
		c.ExpiresAt = expires
	}
	return &Token{ID: a.sealToken(c), Claims: c, User: user, Project: project}, nil
}

var errBadCredentials = dayu.Errorf(dayu.EUNAUTHORIZED, "The username or password is wrong.")

// identify finds the user of id. A token identity also gives its token's
// expiry (unix milliseconds; 0 for a password): a token got from another
// token expires with it, as Keystone's do, so that re-scoping never makes
// a token live longer.
func (a *Authority) identify(id Identity) (user *dayu.User, expires int64, err error) {
	if len(id.Methods) != 1 {
		return nil, 0, dayu.Errorf(dayu.EINVALID, "auth.identity.methods: must be [\"password\"] or [\"token\"]")
	}
	switch id.Methods[0] {
	case "password":
		user := a.findUser(id)
		if user == nil || !user.CheckPassword(id.Password) {
			return nil, 0, errBadCredentials
		}
		return user, 0, nil
	case "token":
		c, err := a.OpenToken(id.Token)
		if err != nil {
			return nil, 0, err
		}
		if user := a.World.User(c.UserID); user != nil {
			return user, c.ExpiresAt, nil
		}
		return nil, 0, dayu.Errorf(dayu.EUNAUTHORIZED, "The user of the token no longer exists.")
	}
	return nil, 0, dayu.Errorf(dayu.EINVALID, "auth.identity.methods: %q is not supported; use password or token", id.Methods[0])
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
