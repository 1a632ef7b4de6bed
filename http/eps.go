package http

import (
	"net/http"
	"slices"

	"github.com/dayu-emu/dayu"
)

// EPS, the Enterprise Project Management Service, acts on the caller's
// domain, as BSS does; the Terraform provider moves an instance with it.

// migrateResource is POST
// /v1.0/enterprise-projects/{enterprise_project_id}/resources-migrate: 204
// only, the one status the provider accepts.
func (s *Server) migrateResource(c *call) (int, any, error) {
	var req migrateRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	move := s.Service.MoveInstance
	if opt(req.ResourceType) == dayu.ResourceTypeVPC {
		move = s.Service.MoveVPC
	}
	err := move(c.r.Context(), c.caller, c.r.PathValue("enterprise_project_id"), dayu.Migration{
		ResourceType: opt(req.ResourceType), ResourceID: opt(req.ResourceID), ProjectID: req.ProjectID, RegionID: req.RegionID,
	})
	return http.StatusNoContent, nil, err
}

// filterResources is POST
// /v1.0/enterprise-projects/{enterprise_project_id}/resources/filter, the
// provider's poll after a move: it pages until a page is empty.
func (s *Server) filterResources(c *call) (int, any, error) {
	var req epsFilterRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	f := dayu.ResourceFilterEPS{ProjectIDs: req.Projects, ResourceTypes: req.ResourceTypes, Page: dayu.Page{Limit: dayu.MaxEPSPage}}
	if req.Offset != nil {
		if *req.Offset < 0 {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "offset: must not be negative, got %d", *req.Offset)
		}
		f.Page.Offset = *req.Offset
	}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > dayu.MaxEPSPage {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "limit: must be 1-%d, got %d", dayu.MaxEPSPage, *req.Limit)
		}
		f.Page.Limit = *req.Limit
	}
	for _, m := range req.Matches {
		if m.Key != "resource_name" {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "matches: key must be resource_name, got %q", m.Key)
		}
		f.NameContains = m.Value
	}
	eps := c.r.PathValue("enterprise_project_id")
	out := epsFilterResponse{Resources: []epsResource{}, Errors: []struct{}{}}
	add := func(projectID, id, name, typ string) {
		project := ""
		if p := s.Service.World.Project(projectID); p != nil {
			project = p.Name
		}
		out.Resources = append(out.Resources, epsResource{EnterpriseProjectID: eps, ProjectID: projectID, ProjectName: project,
			ResourceID: id, ResourceName: name, ResourceType: typ})
	}
	var err error
	if slices.Contains(req.ResourceTypes, dayu.ResourceTypeVPC) {
		var list []*dayu.NetworkResource
		list, out.TotalCount, err = s.Service.EnterpriseProjectVPCs(c.r.Context(), c.caller, eps, f)
		for _, r := range list {
			add(r.ProjectID, r.ID, r.Name, dayu.ResourceTypeVPC)
		}
	} else {
		var list []*dayu.Instance
		list, out.TotalCount, err = s.Service.EnterpriseProjectResources(c.r.Context(), c.caller, eps, f)
		for _, i := range list {
			add(i.ProjectID, i.ID, i.Name, dayu.ResourceTypeInstance)
		}
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}
