package http

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/dayu-emu/dayu"
)

// The network a DataArts Studio instance needs, as the Terraform provider
// creates it: ECS's availability zones, the VPC service's VPCs, subnets
// and their tags.

// listAvailabilityZones is GET /v2.1/{project_id}/os-availability-zone:
// the zones of the project's region, all available.
func (s *Server) listAvailabilityZones(c *call) (int, any, error) {
	zones, err := s.Service.Network().AvailabilityZones(c.project)
	if err != nil {
		return 0, nil, err
	}
	out := azList{AvailabilityZoneInfo: make([]azInfo, 0, len(zones))}
	for _, z := range zones {
		out.AvailabilityZoneInfo = append(out.AvailabilityZoneInfo, azInfo{ZoneName: z, ZoneState: azState{Available: true}})
	}
	return http.StatusOK, out, nil
}

// createVPC is POST /v1/{project_id}/vpcs: 200 and the VPC, CREATING.
func (s *Server) createVPC(c *call) (int, any, error) {
	var req vpcRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	v := req.VPC
	r, err := s.Service.Network().CreateVPC(c.r.Context(), c.project, dayu.VPCInput{
		Name: opt(v.Name), CIDR: opt(v.CIDR), Description: opt(v.Description), EpsID: opt(v.EnterpriseProjectID)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, vpcEnvelope{toVPCBody(r, r.CreatedAt)}, nil
}

// showVPC is GET /v1/{project_id}/vpcs/{vpc_id}.
func (s *Server) showVPC(c *call) (int, any, error) {
	r, err := s.Service.Network().Get(c.r.Context(), c.project, dayu.KindVPC, c.r.PathValue("vpc_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, vpcEnvelope{toVPCBody(r, s.now(c))}, nil
}

// showVPCV3 is GET /v3/{project_id}/vpc/vpcs/{vpc_id}.
func (s *Server) showVPCV3(c *call) (int, any, error) {
	r, err := s.Service.Network().Get(c.r.Context(), c.project, dayu.KindVPC, c.r.PathValue("vpc_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, vpcV3Envelope{RequestID: c.header.Get(headerRequestID), VPC: toVPCV3Body(r, s.now(c))}, nil
}

// listVPCs is GET /v1/{project_id}/vpcs, optionally ?enterprise_project_id=
// (GSDK filters the rest on its side).
func (s *Server) listVPCs(c *call) (int, any, error) {
	list, err := s.Service.Network().List(c.r.Context(), c.project, dayu.KindVPC, "")
	if err != nil {
		return 0, nil, err
	}
	eps := c.r.URL.Query().Get("enterprise_project_id")
	now := s.now(c)
	out := vpcList{VPCs: []vpcBody{}}
	for _, r := range list {
		if eps == "" || eps == "all_granted_eps" || r.EpsID == eps {
			out.VPCs = append(out.VPCs, toVPCBody(r, now))
		}
	}
	return http.StatusOK, out, nil
}

// updateVPC is PUT /v1/{project_id}/vpcs/{vpc_id}.
func (s *Server) updateVPC(c *call) (int, any, error) {
	var req vpcRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	v := req.VPC
	r, err := s.Service.Network().UpdateVPC(c.r.Context(), c.project, c.r.PathValue("vpc_id"), dayu.VPCInput{
		Name: opt(v.Name), CIDR: opt(v.CIDR), Description: opt(v.Description), DescriptionSet: v.Description != nil})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, vpcEnvelope{toVPCBody(r, r.UpdatedAt)}, nil
}

// deleteVPC is DELETE /v1/{project_id}/vpcs/{vpc_id}: 204; 409 while it
// has subnets or an instance uses it (the provider retries a 409).
func (s *Server) deleteVPC(c *call) (int, any, error) {
	return s.deleteNetwork(c, dayu.KindVPC, "", c.r.PathValue("vpc_id"))
}

func (s *Server) deleteNetwork(c *call, kind dayu.NetworkKind, vpcID, id string) (int, any, error) {
	if err := s.Service.Network().Delete(c.r.Context(), c.project, kind, vpcID, id); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// createSubnet is POST /v1/{project_id}/subnets: 200 and the subnet,
// CREATING (GSDK's waiter reads anything but ACTIVE as not yet).
func (s *Server) createSubnet(c *call) (int, any, error) {
	in, err := decodeSubnet(c.body)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.Service.Network().CreateSubnet(c.r.Context(), c.project, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, subnetEnvelope{toSubnetBody(r, r.CreatedAt)}, nil
}

func decodeSubnet(body []byte) (dayu.SubnetInput, error) {
	var req subnetRequest
	if err := decodeObject(body, &req); err != nil {
		return dayu.SubnetInput{}, err
	}
	n := req.Subnet
	if n.IPv6Enable != nil && *n.IPv6Enable {
		return dayu.SubnetInput{}, dayu.Errorf(dayu.EINVALID, "ipv6_enable: Dayu's subnets are IPv4 only")
	}
	return dayu.SubnetInput{Name: opt(n.Name), CIDR: opt(n.CIDR), GatewayIP: opt(n.GatewayIP), VpcID: opt(n.VpcID),
		Description: opt(n.Description), DescriptionSet: n.Description != nil,
		PrimaryDNS: opt(n.PrimaryDNS), SecondaryDNS: opt(n.SecondaryDNS), DNSList: n.DNSList,
		AvailabilityZone: opt(n.AvailabilityZone), DHCPDisabled: n.DHCPEnable != nil && !*n.DHCPEnable}, nil
}

// showSubnet is GET /v1/{project_id}/subnets/{subnet_id}.
func (s *Server) showSubnet(c *call) (int, any, error) {
	r, err := s.Service.Network().Get(c.r.Context(), c.project, dayu.KindSubnet, c.r.PathValue("subnet_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, subnetEnvelope{toSubnetBody(r, s.now(c))}, nil
}

// listSubnets is GET /v1/{project_id}/subnets, optionally ?vpc_id=.
func (s *Server) listSubnets(c *call) (int, any, error) {
	list, err := s.Service.Network().List(c.r.Context(), c.project, dayu.KindSubnet, c.r.URL.Query().Get("vpc_id"))
	if err != nil {
		return 0, nil, err
	}
	now := s.now(c)
	out := subnetList{Subnets: make([]subnetBody, 0, len(list))}
	for _, r := range list {
		out.Subnets = append(out.Subnets, toSubnetBody(r, now))
	}
	return http.StatusOK, out, nil
}

// updateSubnet is PUT /v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}:
// 200 and the subnet (GSDK's UpdateResult reads its id and status).
func (s *Server) updateSubnet(c *call) (int, any, error) {
	in, err := decodeSubnet(c.body)
	if err != nil {
		return 0, nil, err
	}
	r, err := s.Service.Network().UpdateSubnet(c.r.Context(), c.project, c.r.PathValue("vpc_id"), c.r.PathValue("subnet_id"), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, subnetEnvelope{toSubnetBody(r, r.UpdatedAt)}, nil
}

// deleteSubnet is DELETE /v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}:
// 204; 409 while an instance uses it.
func (s *Server) deleteSubnet(c *call) (int, any, error) {
	return s.deleteNetwork(c, dayu.KindSubnet, c.r.PathValue("vpc_id"), c.r.PathValue("subnet_id"))
}

// tagDeletions are the operations of a tags/action path whose body's
// action is "delete".
var tagDeletions = map[dayu.Operation]dayu.Operation{
	dayu.OpBatchCreateVpcTags:           dayu.OpBatchDeleteVpcTags,
	dayu.OpBatchCreateSubnetTags:        dayu.OpBatchDeleteSubnetTags,
	dayu.OpBatchCreateSecurityGroupTags: dayu.OpBatchDeleteSecurityGroupTags,
}

// tagActionOf is the action of a tags/action body, "" if none can be read.
func tagActionOf(body []byte) string {
	var req tagAction
	_ = json.Unmarshal(body, &req)
	return req.Action
}

// listNetworkTags is GET /v2.0/{project_id}/{vpcs|subnets|security-groups}/{id}/tags.
func (s *Server) listNetworkTags(c *call, kind dayu.NetworkKind) (int, any, error) {
	r, err := s.Service.Network().Get(c.r.Context(), c.project, kind, c.r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, tagList{toTagKVs(r.Spec.Tags)}, nil
}

// networkTagAction is POST /v2.0/{project_id}/{vpcs|subnets|security-groups}/{id}/tags/action
// with action "create" or "delete": 204.
func (s *Server) networkTagAction(c *call, kind dayu.NetworkKind) (int, any, error) {
	var req tagAction
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	var add, remove []dayu.Tag
	switch req.Action {
	case "create":
		add = fromTagKVs(req.Tags)
	case "delete":
		remove = fromTagKVs(req.Tags)
	default:
		return 0, nil, dayu.Errorf(dayu.EINVALID, "action: must be create or delete, got %q", req.Action)
	}
	if err := s.Service.Network().SetTags(c.r.Context(), c.project, kind, c.r.PathValue("id"), add, remove); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// onKind binds a tags handler to the kind of its path.
func onKind(kind dayu.NetworkKind, h func(*call, dayu.NetworkKind) (int, any, error)) handlerFunc {
	return func(c *call) (int, any, error) { return h(c, kind) }
}

// now is the time of the caller's domain, for the statuses of a read.
func (s *Server) now(c *call) time.Time { return s.Service.Network().Now(c.project) }

// addExtendCIDRs is PUT /v3/{project_id}/vpc/vpcs/{vpc_id}/add-extend-cidr.
func (s *Server) addExtendCIDRs(c *call) (int, any, error) {
	return s.extendCIDRs(c, s.Service.Network().AddExtendCIDRs)
}

// removeExtendCIDRs is PUT /v3/{project_id}/vpc/vpcs/{vpc_id}/remove-extend-cidr.
func (s *Server) removeExtendCIDRs(c *call) (int, any, error) {
	return s.extendCIDRs(c, s.Service.Network().RemoveExtendCIDRs)
}

// extendCIDRs changes a VPC's secondary CIDR blocks: 200 and the VPC as
// v3 shows it.
func (s *Server) extendCIDRs(c *call, change func(context.Context, string, string, []string) (*dayu.NetworkResource, error)) (int, any, error) {
	var req extendCIDRRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	r, err := change(c.r.Context(), c.project, c.r.PathValue("vpc_id"), req.VPC.ExtendCIDRs)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, vpcV3Envelope{RequestID: c.header.Get(headerRequestID), VPC: toVPCV3Body(r, r.UpdatedAt)}, nil
}

// listNameServers is DNS's GET /v2/nameservers, by ?type= (private or
// public, both unless named) and ?region= (exactly): a region's private
// servers by address, the public ones by host name.
func (s *Server) listNameServers(c *call) (int, any, error) {
	q := c.r.URL.Query()
	out := nameServerList{NameServers: []nameServerBody{}}
	typ := q.Get("type")
	if typ == "" || typ == "private" {
		for _, ns := range s.Service.Network().NameServers(q.Get("region")) {
			if n := len(out.NameServers); n == 0 || out.NameServers[n-1].Region != ns.Region {
				out.NameServers = append(out.NameServers, nameServerBody{Type: "private", Region: ns.Region, Records: []nsRecord{}})
			}
			b := &out.NameServers[len(out.NameServers)-1]
			b.Records = append(b.Records, nsRecord{Address: ns.Address, Priority: len(b.Records) + 1})
		}
	}
	// A public server has no region: a region's query matches none.
	if (typ == "" || typ == "public") && q.Get("region") == "" {
		pub := nameServerBody{Type: "public", Records: []nsRecord{}}
		for i, h := range publicNameServers {
			pub.Records = append(pub.Records, nsRecord{Hostname: h, Priority: i + 1})
		}
		out.NameServers = append(out.NameServers, pub)
	}
	return http.StatusOK, out, nil
}

// publicNameServers are Huawei Cloud DNS's public name servers.
var publicNameServers = []string{"ns1.huaweicloud-dns.com.", "ns1.huaweicloud-dns.cn.", "ns1.huaweicloud-dns.net.", "ns1.huaweicloud-dns.org."}
