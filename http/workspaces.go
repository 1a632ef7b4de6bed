package http

import (
	"net/http"

	"github.com/dayu-emu/dayu"
)

// Workspaces of an instance, under /v1/{project_id}/workspaces/{instance_id}.

// listWorkspaces is GET /v1/{project_id}/workspaces/{instance_id}?limit=&offset=.
func (s *Server) listWorkspaces(c *call) (int, any, error) {
	page, err := parsePage(c.r)
	if err != nil {
		return 0, nil, err
	}
	list, total, err := s.Service.Workspaces(c.r.Context(), c.caller, c.project, c.r.PathValue("instance_id"), page)
	if err != nil {
		return 0, nil, err
	}
	out := workspaceList{Count: total, TotalPage: (total + page.Limit - 1) / page.Limit, Data: make([]workspaceBody, 0, len(list))}
	for _, w := range list {
		out.Data = append(out.Data, toWorkspaceBody(w))
	}
	return http.StatusOK, out, nil
}

// showWorkspace is GET /v1/{project_id}/workspaces/{instance_id}/{workspace_id}.
func (s *Server) showWorkspace(c *call) (int, any, error) {
	w, err := s.Service.Workspace(c.r.Context(), c.caller, c.project, c.r.PathValue("instance_id"), c.r.PathValue("workspace_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toWorkspaceBody(w), nil
}

// createWorkspace is POST /v1/{project_id}/workspaces/{instance_id}: 200
// {"is_success": true, "message": null} and the new workspace's id.
func (s *Server) createWorkspace(c *call) (int, any, error) {
	spec, err := decodeWorkspace(c.body)
	if err != nil {
		return 0, nil, err
	}
	w, err := s.Service.CreateWorkspace(c.r.Context(), c.caller, c.project, c.r.PathValue("instance_id"), spec)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, actionResult{IsSuccess: true, ID: w.ID}, nil
}

// updateWorkspace is PUT /v1/{project_id}/workspaces/{instance_id}/{workspace_id}.
func (s *Server) updateWorkspace(c *call) (int, any, error) {
	spec, err := decodeWorkspace(c.body)
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.Service.UpdateWorkspace(c.r.Context(), c.caller, c.project, c.r.PathValue("instance_id"), c.r.PathValue("workspace_id"), spec); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, actionResult{IsSuccess: true}, nil
}

// deleteWorkspace is DELETE /v1/{project_id}/workspaces/{instance_id}/{workspace_id}.
func (s *Server) deleteWorkspace(c *call) (int, any, error) {
	if err := s.Service.DeleteWorkspace(c.r.Context(), c.caller, c.project, c.r.PathValue("instance_id"), c.r.PathValue("workspace_id")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, actionResult{IsSuccess: true}, nil
}

// decodeWorkspace reads a workspace body: name and eps_id are required,
// as in V3's CreateWorkspaceParams.
func decodeWorkspace(body []byte) (dayu.WorkspaceSpec, error) {
	var req workspaceRequest
	if err := decodeObject(body, &req); err != nil {
		return dayu.WorkspaceSpec{}, err
	}
	for _, f := range []struct {
		name  string
		value *string
	}{{"name", req.Name}, {"eps_id", req.EpsID}} {
		if f.value == nil {
			return dayu.WorkspaceSpec{}, dayu.Errorf(dayu.EINVALID, "%s: is required", f.name)
		}
	}
	return dayu.WorkspaceSpec{Name: *req.Name, Description: opt(req.Description), EpsID: *req.EpsID,
		BadRecordLocation: opt(req.BadRecordLocationName), JobLogLocation: opt(req.JobLogLocationName)}, nil
}
