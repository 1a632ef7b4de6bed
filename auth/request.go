package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth/signature"
)

// Headers that carry credentials.
const (
	HeaderAuthToken = "X-Auth-Token"
	HeaderProjectID = "X-Project-Id"
)

// Authenticate finds the caller of r, from its X-Auth-Token or its
// SDK-HMAC-SHA256 signature; body is the exact request body. pathProject
// is the project of the path, "" when the path has none: an AK/SK caller
// acts in X-Project-Id or, failing that, in that project.
func (a *Authority) Authenticate(r *http.Request, body []byte, pathProject string) (dayu.Caller, error) {
	if tok := r.Header.Get(HeaderAuthToken); tok != "" {
		c, err := a.OpenToken(tok)
		if err != nil {
			return dayu.Caller{}, a.Failed(KindToken, tokenFailure(err), err)
		}
		user := a.World.User(c.UserID)
		if user == nil {
			return dayu.Caller{}, a.Failed(KindToken, ReasonUserGone, dayu.Errorf(dayu.EUNAUTHORIZED, "Incorrect IAM authentication information: the user of the token no longer exists"))
		}
		return caller(user, c.ProjectID), nil
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, signature.Algorithm+" ") {
		return a.verifySignature(r, body, h, pathProject)
	}
	return dayu.Caller{}, a.Failed(KindToken, ReasonMissing, dayu.Errorf(dayu.EUNAUTHORIZED, "Incorrect IAM authentication information: no X-Auth-Token header and no SDK-HMAC-SHA256 Authorization header"))
}

func (a *Authority) verifySignature(r *http.Request, body []byte, header, pathProject string) (dayu.Caller, error) {
	fail := func(reason FailureReason, format string, args ...any) (dayu.Caller, error) {
		return dayu.Caller{}, a.Failed(KindSignature, reason, dayu.Errorf(dayu.EUNAUTHORIZED, "Incorrect IAM authentication information: "+format, args...))
	}
	auth, err := signature.ParseAuthorization(header)
	if err != nil {
		return fail(ReasonMalformed, "%v", err)
	}
	key := a.World.AccessKey(auth.AccessKey)
	if key == nil {
		return fail(ReasonUnknownKey, "access key %q does not exist", auth.AccessKey)
	}
	if err := signature.Verify(r, body, auth, key.Secret, a.SigningClock.Now()); err != nil {
		if errors.Is(err, signature.ErrMismatch) {
			return fail(ReasonMismatch, "verify aksk signature fail: %v", err)
		}
		return fail(signatureFailure(err), "%v", err)
	}
	project := r.Header.Get(HeaderProjectID)
	if project == "" {
		project = pathProject
	}
	user := key.User
	if project != "" {
		if p := a.World.Project(project); p == nil || p.Domain != user.Domain {
			return dayu.Caller{}, a.Failed(KindSignature, ReasonForbiddenProject, dayu.Errorf(dayu.EFORBIDDEN, "The access key's user may not use project %s", project))
		}
	}
	c := caller(user, project)
	c.AccessKey = key.Access
	return c, nil
}

func caller(u *dayu.User, projectID string) dayu.Caller {
	return dayu.Caller{UserID: u.ID, UserName: u.Name, DomainID: u.Domain.ID, DomainName: u.Domain.Name, ProjectID: projectID}
}

// Authorize checks that the caller may act in the project of the path: a
// token scoped to another project, or to none, is refused.
func Authorize(c dayu.Caller, pathProject string) error {
	if c.ProjectID != pathProject {
		scope := fmt.Sprintf("project %s", c.ProjectID)
		if c.ProjectID == "" {
			scope = "no project"
		}
		return dayu.Errorf(dayu.EFORBIDDEN, "The credentials are scoped to %s, not to project %s of the request", scope, pathProject)
	}
	return nil
}
