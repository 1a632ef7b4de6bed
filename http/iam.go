package http

import (
	"errors"
	"net/http"

	"github.com/dayu-emu/dayu/auth"
)

// issueToken is POST /v3/auth/tokens: 201 with the token in X-Subject-Token.
// Password logins go through s.logins, which limits the failed ones.
func (s *Server) issueToken(c *call) (int, any, error) {
	var req tokenRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	in := req.Auth.Identity
	id := auth.Identity{Methods: in.Methods}
	if in.Password != nil {
		u := in.Password.User
		id.UserID, id.UserName, id.Password = u.ID, u.Name, u.Password
		if u.Domain != nil {
			id.DomainID, id.DomainName = u.Domain.ID, u.Domain.Name
		}
	}
	if in.Token != nil {
		id.Token = in.Token.ID
	}
	if id.Token == "" {
		id.Token = c.r.Header.Get(auth.HeaderAuthToken) // re-scoping may name the token in the header
	}
	var scope auth.Scope
	if sc := req.Auth.Scope; sc != nil {
		switch {
		case sc.Project != nil:
			scope.ProjectID, scope.ProjectName = sc.Project.ID, sc.Project.Name
			if sc.Project.Domain != nil {
				scope.DomainID, scope.DomainName = sc.Project.Domain.ID, sc.Project.Domain.Name
			}
		case sc.Domain != nil:
			scope.Domain, scope.DomainID, scope.DomainName = true, sc.Domain.ID, sc.Domain.Name
		}
	}
	var end func(failed bool)
	if in.Password != nil {
		var err error
		if end, err = s.logins.begin(clientAddress(c.r), s.Auth.LoginName(id)); err != nil {
			c.header.Set("Retry-After", "1")
			return 0, nil, s.Auth.Failed(auth.KindPassword, auth.ReasonLockedOut, err)
		}
	}
	tok, err := s.Auth.Issue(c.r.Context(), id, scope)
	if end != nil {
		end(errors.Is(err, auth.ErrBadCredentials))
	}
	if err != nil {
		return 0, nil, err
	}
	c.header.Set("X-Subject-Token", tok.ID)
	u := tok.User
	body := tokenBody{
		ExpiresAt: fromMillis(tok.Claims.ExpiresAt).Format(keystoneTime),
		IssuedAt:  fromMillis(tok.Claims.IssuedAt).Format(keystoneTime),
		Methods:   tok.Claims.Methods,
		Catalog:   []catalogEntry{},
		Roles:     []idAndName{{ID: "0", Name: "op_service"}, {ID: "1", Name: "te_admin"}},
		User: tokenUser{ID: u.ID, Name: u.Name, Domain: idAndName{ID: u.Domain.ID, Name: u.Domain.Name},
			PasswordExpiresAt: ""},
	}
	if p := tok.Project; p != nil {
		body.Project = &tokenProject{ID: p.ID, Name: p.Name, Domain: idAndName{ID: p.Domain.ID, Name: p.Domain.Name}}
		if c.r.URL.Query().Get("nocatalog") != "true" {
			body.Catalog = catalog(s.PublicURL, p.RegionID)
		}
	} else if scope.Domain {
		body.Domain = &idAndName{ID: u.Domain.ID, Name: u.Domain.Name}
	}
	return http.StatusCreated, tokenResponse{Token: body}, nil
}

// catalog lists this server, at url, as the endpoint of every service it
// emulates, so a client that discovers endpoints from the token finds Dayu
// again. The URL is configured, never the request's Host: a client that
// sent another Host must not make a token point its bearer elsewhere.
func catalog(url, region string) []catalogEntry {
	if url == "" {
		return []catalogEntry{}
	}
	var out []catalogEntry
	for _, svc := range []struct{ name, typ string }{{"iam", "identity"}, {"dayu", "dayu"}, {"bss", "bss"}} {
		out = append(out, catalogEntry{ID: svc.name, Name: svc.name, Type: svc.typ, Endpoints: []catalogEndpoint{
			{ID: svc.name + "-" + region, Interface: "public", Region: region, RegionID: region, URL: url},
		}})
	}
	return out
}

// listProjects is GET /v3/projects?name=: the caller's domain's projects.
// The Terraform provider finds a project id from a region name with it.
func (s *Server) listProjects(c *call) (int, any, error) {
	d := s.Auth.World.DomainByID(c.caller.DomainID)
	name := c.r.URL.Query().Get("name")
	out := projectList{Projects: []projectItem{}, Links: links{Self: c.r.URL.String()}}
	for _, p := range d.Projects {
		if name == "" || p.Name == name {
			out.Projects = append(out.Projects, projectItem{ID: p.ID, Name: p.Name, DomainID: d.ID, ParentID: d.ID, Enabled: true})
		}
	}
	return http.StatusOK, out, nil
}

// listDomains is GET /v3/auth/domains: the caller's own domain.
func (s *Server) listDomains(c *call) (int, any, error) {
	return http.StatusOK, domainList{Domains: []domainItem{{ID: c.caller.DomainID, Name: c.caller.DomainName, Enabled: true}}}, nil
}

// listServiceTypes is GET /v2/products/service-types: the Terraform
// provider only checks that it answers (the site type probe).
func (s *Server) listServiceTypes(c *call) (int, any, error) {
	all := []serviceType{{ServiceTypeName: "DataArts Studio", ServiceTypeCode: "hws.service.type.dayu", Abbreviation: "DataArts Studio"}}
	return http.StatusOK, serviceTypeList{TotalCount: len(all), ServiceTypes: all}, nil
}
