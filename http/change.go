package http

import (
	"net/http"

	"github.com/dayu-emu/dayu"
)

// changeResource is POST /v1/{project_id}/change-resource: 200
// {"is_success": true, "message": null} and the order placed.
func (s *Server) changeResource(c *call) (int, any, error) {
	var req changeResourceRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	if req.ChangeMode == nil {
		return 0, nil, dayu.Errorf(dayu.EINVALID, "change_mode: is required")
	}
	o, err := s.Service.ChangeResource(c.r.Context(), c.caller, c.project, dayu.SpecChange{
		Mode: dayu.ChangeMode(*req.ChangeMode), ResourceID: opt(req.ResourceID), SpecCode: opt(req.ResourceSpecCode),
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, actionResult{IsSuccess: true, OrderID: o.ID}, nil
}
