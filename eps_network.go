package dayu

import (
	"context"
	"slices"
	"strings"
)

// ResourceTypeVPC is a VPC's resource type in EPS, as the Terraform
// provider names it when it moves one.
const ResourceTypeVPC = "vpcs"

// MoveVPC moves one of the caller's VPCs into the enterprise project epsID
// (EPS resources-migrate with resource_type "vpcs"). A move to where the
// VPC already is changes nothing.
func (s *Service) MoveVPC(ctx context.Context, caller Caller, epsID string, m Migration) error {
	if err := s.checkEnterpriseProject(caller, epsID); err != nil {
		return err
	}
	project, err := s.migrationProject(caller, m)
	if err != nil {
		return err
	}
	n := s.Network()
	r, err := n.Get(ctx, project.ID, KindVPC, m.ResourceID)
	if err != nil || r.EpsID == epsID {
		return err
	}
	r.EpsID = epsID
	return n.save(ctx, r)
}

// EnterpriseProjectVPCs returns a page of the caller's VPCs in the
// enterprise project epsID and the projects of f, oldest first (by
// project, in f's order), and their total.
func (s *Service) EnterpriseProjectVPCs(ctx context.Context, caller Caller, epsID string, f ResourceFilterEPS) ([]*NetworkResource, int, error) {
	if err := s.checkEPSFilter(caller, epsID, f, ResourceTypeVPC); err != nil {
		return nil, 0, err
	}
	var matched []*NetworkResource
	for _, p := range f.ProjectIDs {
		list, err := s.Network().List(ctx, p, KindVPC, "")
		if err != nil {
			return nil, 0, err
		}
		matched = append(matched, slices.DeleteFunc(list, func(r *NetworkResource) bool {
			return r.EpsID != epsID || !strings.Contains(r.Name, f.NameContains)
		})...)
	}
	page, total := pageOf(matched, f.Page)
	return page, total, nil
}
