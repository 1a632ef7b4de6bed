package http

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/dayu-emu/dayu"
)

// Security groups, as the provider's networking_secgroup resource calls
// them: created and changed through v3, read through v1 and v3, deleted
// through v1, their rules deleted through either.

func decodeSecurityGroup(body []byte) (securityGroupRequest, error) {
	var req securityGroupRequest
	return req, decodeObject(body, &req)
}

// createSecurityGroupV3 is POST /v3/{project_id}/vpc/security-groups: 201
// and the group with its default rules.
func (s *Server) createSecurityGroupV3(c *call) (int, any, error) {
	r, err := s.createSecurityGroup(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, securityGroupV3Envelope{c.header.Get(headerRequestID), toSecurityGroupV3Body(r)}, nil
}

// createSecurityGroupV1 is POST /v1/{project_id}/security-groups: 200.
func (s *Server) createSecurityGroupV1(c *call) (int, any, error) {
	r, err := s.createSecurityGroup(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, securityGroupEnvelope{toSecurityGroupBody(r)}, nil
}

func (s *Server) createSecurityGroup(c *call) (*dayu.NetworkResource, error) {
	req, err := decodeSecurityGroup(c.body)
	if err != nil {
		return nil, err
	}
	g := req.SecurityGroup
	return s.Service.Network().CreateSecurityGroup(c.r.Context(), c.project, opt(g.Name), opt(g.EnterpriseProjectID))
}

// showSecurityGroupV1 is GET /v1/{project_id}/security-groups/{security_group_id}.
func (s *Server) showSecurityGroupV1(c *call) (int, any, error) {
	r, err := s.Service.Network().Get(c.r.Context(), c.project, dayu.KindSecurityGroup, c.r.PathValue("security_group_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, securityGroupEnvelope{toSecurityGroupBody(r)}, nil
}

// showSecurityGroupV3 is GET /v3/{project_id}/vpc/security-groups/{security_group_id}.
func (s *Server) showSecurityGroupV3(c *call) (int, any, error) {
	r, err := s.Service.Network().Get(c.r.Context(), c.project, dayu.KindSecurityGroup, c.r.PathValue("security_group_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, securityGroupV3Envelope{c.header.Get(headerRequestID), toSecurityGroupV3Body(r)}, nil
}

// listSecurityGroupsV3 is GET /v3/{project_id}/vpc/security-groups, by
// ?id=, ?name= and ?enterprise_project_id= (each may repeat), in pages of
// ?limit= after ?marker= (GSDK's pager asks with the last id of a page
// until a page is empty).
func (s *Server) listSecurityGroupsV3(c *call) (int, any, error) {
	list, err := s.Service.Network().List(c.r.Context(), c.project, dayu.KindSecurityGroup, "")
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	list = slices.DeleteFunc(list, func(r *dayu.NetworkResource) bool {
		return !queryMatches(q, "id", r.ID) || !queryMatches(q, "name", r.Name) || !queryMatches(q, "enterprise_project_id", r.EpsID)
	})
	page, next, err := pageAfter(list, func(r *dayu.NetworkResource) string { return r.ID }, q)
	if err != nil {
		return 0, nil, err
	}
	out := securityGroupV3List{RequestID: c.header.Get(headerRequestID), SecurityGroups: []securityGroupV3Body{}}
	for _, r := range page {
		out.SecurityGroups = append(out.SecurityGroups, toSecurityGroupV3Body(r))
	}
	out.PageInfo = pageInfo{CurrentCount: len(page), NextMarker: next}
	return http.StatusOK, out, nil
}

// listSecurityGroupRulesV3 is GET /v3/{project_id}/vpc/security-group-rules
// (the networking_secgroup data source's), the rules of the project's
// groups by ?security_group_id=, ?id= and ?direction= (each may repeat),
// paged as the groups are.
func (s *Server) listSecurityGroupRulesV3(c *call) (int, any, error) {
	groups, err := s.Service.Network().List(c.r.Context(), c.project, dayu.KindSecurityGroup, "")
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	rules := []ruleV3Body{} // never null on the wire, whatever the filter leaves
	for _, g := range groups {
		if queryMatches(q, "security_group_id", g.ID) {
			rules = append(rules, toRuleV3Bodies(g)...)
		}
	}
	rules = slices.DeleteFunc(rules, func(r ruleV3Body) bool {
		return !queryMatches(q, "id", r.ID) || !queryMatches(q, "direction", r.Direction)
	})
	page, next, err := pageAfter(rules, func(r ruleV3Body) string { return r.ID }, q)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, securityGroupRuleV3List{RequestID: c.header.Get(headerRequestID), SecurityGroupRules: page,
		PageInfo: pageInfo{CurrentCount: len(page), NextMarker: next}}, nil
}

// queryMatches reports whether v is one of the query's values of key, or
// the query has none (for enterprise_project_id, all_granted_eps: all).
func queryMatches(q url.Values, key, v string) bool {
	want := q[key]
	return len(want) == 0 || (key == "enterprise_project_id" && want[0] == "all_granted_eps") || slices.Contains(want, v)
}

// listSecurityGroupsV1 is GET /v1/{project_id}/security-groups, by
// ?enterprise_project_id= (vpc_id is deprecated: no group has one), in
// pages of ?limit= after ?marker=, the id of the previous page's last.
func (s *Server) listSecurityGroupsV1(c *call) (int, any, error) {
	list, err := s.Service.Network().List(c.r.Context(), c.project, dayu.KindSecurityGroup, "")
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	list = slices.DeleteFunc(list, func(r *dayu.NetworkResource) bool { return !queryMatches(q, "enterprise_project_id", r.EpsID) })
	page, _, err := pageAfter(list, func(r *dayu.NetworkResource) string { return r.ID }, q)
	if err != nil {
		return 0, nil, err
	}
	out := securityGroupList{SecurityGroups: []securityGroupBody{}}
	for _, r := range page {
		out.SecurityGroups = append(out.SecurityGroups, toSecurityGroupBody(r))
	}
	return http.StatusOK, out, nil
}

// pageAfter is the page of list after the item whose id is ?marker= (from
// the start without one), of at most ?limit= items (all without one), and
// the marker of the next page, "" when this one is the last.
func pageAfter[T any](list []T, id func(T) string, q url.Values) ([]T, string, error) {
	if marker := q.Get("marker"); marker != "" {
		i := slices.IndexFunc(list, func(t T) bool { return id(t) == marker })
		if i < 0 {
			return nil, "", dayu.Errorf(dayu.EINVALID, "marker: %q is not an item of the list", marker)
		}
		list = list[i+1:]
	}
	limit := q.Get("limit")
	if limit == "" {
		return list, "", nil
	}
	n, err := strconv.Atoi(limit)
	if err != nil || n < 1 {
		return nil, "", dayu.Errorf(dayu.EINVALID, "limit: must be a positive integer, got %q", limit)
	}
	if n >= len(list) {
		return list, "", nil
	}
	return list[:n], id(list[n-1]), nil
}

// updateSecurityGroupV2 is neutron's PUT /v2.0/security-groups/{security_group_id}
// (the provider's fallback where v3's update is a 404), in the caller's
// project: 200 and the group.
func (s *Server) updateSecurityGroupV2(c *call) (int, any, error) {
	req, err := decodeSecurityGroup(c.body)
	if err != nil {
		return 0, nil, err
	}
	g := req.SecurityGroup
	r, err := s.Service.Network().UpdateSecurityGroup(c.r.Context(), c.caller.ProjectID, c.r.PathValue("security_group_id"), opt(g.Name), g.Description)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, securityGroupV2Envelope{toSecurityGroupV2Body(r)}, nil
}

// updateSecurityGroupV3 is PUT /v3/{project_id}/vpc/security-groups/{security_group_id}.
func (s *Server) updateSecurityGroupV3(c *call) (int, any, error) {
	req, err := decodeSecurityGroup(c.body)
	if err != nil {
		return 0, nil, err
	}
	g := req.SecurityGroup
	r, err := s.Service.Network().UpdateSecurityGroup(c.r.Context(), c.project, c.r.PathValue("security_group_id"), opt(g.Name), g.Description)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, securityGroupV3Envelope{c.header.Get(headerRequestID), toSecurityGroupV3Body(r)}, nil
}

// deleteSecurityGroup is DELETE /v1/{project_id}/security-groups/{security_group_id}:
// 204; 409 while an instance uses it.
func (s *Server) deleteSecurityGroup(c *call) (int, any, error) {
	return s.deleteNetwork(c, dayu.KindSecurityGroup, "", c.r.PathValue("security_group_id"))
}

// deleteSecurityGroupRule is DELETE /v1/{project_id}/security-group-rules/{rule_id}
// and /v3/{project_id}/vpc/security-group-rules/{rule_id}: 204.
func (s *Server) deleteSecurityGroupRule(c *call) (int, any, error) {
	if err := s.Service.Network().DeleteSecurityGroupRule(c.r.Context(), c.project, c.r.PathValue("rule_id")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
