package http

import (
	"time"

	"github.com/dayu-emu/dayu"
)

// The wire shapes of the network API: ECS's availability zones and the VPC
// service's VPCs (v1, v3), subnets (v1) and tags (v2.0), as GSDK's
// compute/v2/extensions/availabilityzones, networking/v1/vpcs,
// networking/v1/subnets and common/tags read and write them.

// azList is GET /v2.1/{project_id}/os-availability-zone (Nova's shape).
type azList struct {
	AvailabilityZoneInfo []azInfo `json:"availabilityZoneInfo"`
}

type azInfo struct {
	ZoneName  string  `json:"zoneName"`
	ZoneState azState `json:"zoneState"`
	Hosts     any     `json:"hosts"` // always null: Huawei Cloud lists no hosts
}

type azState struct {
	Available bool `json:"available"`
}

// vpcRequest is the body of a v1 VPC create or update.
type vpcRequest struct {
	VPC struct {
		Name                *string `json:"name"`
		CIDR                *string `json:"cidr"`
		Description         *string `json:"description"`
		EnterpriseProjectID *string `json:"enterprise_project_id"`
		// Accepted and not kept: Dayu routes nothing.
		EnhancedLocalRoute         *bool   `json:"enhanced_local_route"`
		BlockServiceEndpointStates *string `json:"block_service_endpoint_states"`
		EnableSharedSnat           *bool   `json:"enable_shared_snat"`
	} `json:"vpc"`
}

// vpcEnvelope is {"vpc": {...}} of v1.
type vpcEnvelope struct {
	VPC vpcBody `json:"vpc"`
}

type vpcList struct {
	VPCs []vpcBody `json:"vpcs"`
}

// vpcBody is a VPC as v1 shows it.
type vpcBody struct {
	ID                  string     `json:"id"`
	Name                string     `json:"name"`
	Description         string     `json:"description"`
	CIDR                string     `json:"cidr"`
	Status              string     `json:"status"`
	EnterpriseProjectID string     `json:"enterprise_project_id"`
	Routes              []vpcRoute `json:"routes"`
	EnableSharedSnat    bool       `json:"enable_shared_snat"`
	EnhancedLocalRoute  bool       `json:"enhanced_local_route"`
	TenantID            string     `json:"tenant_id"`
	CreatedAt           string     `json:"created_at"`
	UpdatedAt           string     `json:"updated_at"`
}

type vpcRoute struct {
	Destination string `json:"destination"`
	Nexthop     string `json:"nexthop"`
}

// vpcV3Envelope is GET /v3/{project_id}/vpc/vpcs/{id}.
type vpcV3Envelope struct {
	RequestID string    `json:"request_id"`
	VPC       vpcV3Body `json:"vpc"`
}

type vpcV3Body struct {
	ID                  string   `json:"id"`
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	CIDR                string   `json:"cidr"`
	ExtendCIDRs         []string `json:"extend_cidrs"`
	Status              string   `json:"status"`
	ProjectID           string   `json:"project_id"`
	EnterpriseProjectID string   `json:"enterprise_project_id"`
	Tags                []tagKV  `json:"tags"`
	CreatedAt           string   `json:"created_at"`
	UpdatedAt           string   `json:"updated_at"`
}

// subnetRequest is the body of a v1 subnet create or update.
type subnetRequest struct {
	Subnet struct {
		Name             *string  `json:"name"`
		CIDR             *string  `json:"cidr"`
		GatewayIP        *string  `json:"gateway_ip"`
		VpcID            *string  `json:"vpc_id"`
		Description      *string  `json:"description"`
		PrimaryDNS       *string  `json:"primary_dns"`
		SecondaryDNS     *string  `json:"secondary_dns"`
		DNSList          []string `json:"dnsList"`
		AvailabilityZone *string  `json:"availability_zone"`
		DHCPEnable       *bool    `json:"dhcp_enable"`
		IPv6Enable       *bool    `json:"ipv6_enable"`
		ExtraDhcpOpts    []any    `json:"extra_dhcp_opts"` // accepted, not kept
	} `json:"subnet"`
}

type subnetEnvelope struct {
	Subnet subnetBody `json:"subnet"`
}

type subnetList struct {
	Subnets []subnetBody `json:"subnets"`
}

// subnetBody is a subnet as v1 shows it. Its id is also its network id
// (neutron_network_id), the net_id a DataArts Studio purchase names, and,
// as Dayu has no separate IPv4 subnet, its neutron_subnet_id.
type subnetBody struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	CIDR             string   `json:"cidr"`
	GatewayIP        string   `json:"gateway_ip"`
	IPv6Enable       bool     `json:"ipv6_enable"`
	DHCPEnable       bool     `json:"dhcp_enable"`
	PrimaryDNS       string   `json:"primary_dns"`
	SecondaryDNS     string   `json:"secondary_dns"`
	DNSList          []string `json:"dnsList"`
	AvailabilityZone string   `json:"availability_zone"`
	VpcID            string   `json:"vpc_id"`
	Status           string   `json:"status"`
	NeutronNetworkID string   `json:"neutron_network_id"`
	NeutronSubnetID  string   `json:"neutron_subnet_id"`
	ExtraDhcpOpts    []any    `json:"extra_dhcp_opts"`
	TenantID         string   `json:"tenant_id"`
	CreatedAt        string   `json:"created_at"`
	UpdatedAt        string   `json:"updated_at"`
}

// tagKV is a tag of the VPC service.
type tagKV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type tagList struct {
	Tags []tagKV `json:"tags"`
}

// tagAction is POST /v2.0/{project_id}/{vpcs|subnets}/{id}/tags/action.
type tagAction struct {
	Action string  `json:"action"`
	Tags   []tagKV `json:"tags"`
}

// networkTime is a VPC service timestamp: UTC, to the second.
func networkTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// networkStatus is a VPC's or a subnet's status at now.
func networkStatus(r *dayu.NetworkResource, now time.Time) string {
	switch {
	case !r.Settled(now):
		return "CREATING"
	case r.Kind == dayu.KindVPC:
		return "OK"
	}
	return "ACTIVE"
}

func toVPCBody(r *dayu.NetworkResource, now time.Time) vpcBody {
	return vpcBody{ID: r.ID, Name: r.Name, Description: r.Spec.Description, CIDR: r.Spec.CIDR, Status: networkStatus(r, now),
		EnterpriseProjectID: r.EpsID, Routes: []vpcRoute{}, TenantID: r.ProjectID,
		CreatedAt: networkTime(r.CreatedAt), UpdatedAt: networkTime(r.UpdatedAt)}
}

func toVPCV3Body(r *dayu.NetworkResource, now time.Time) vpcV3Body {
	status := "ACTIVE" // v3's settled status
	if !r.Settled(now) {
		status = "PENDING"
	}
	return vpcV3Body{ID: r.ID, Name: r.Name, Description: r.Spec.Description, CIDR: r.Spec.CIDR,
		ExtendCIDRs: nonNil(r.Spec.ExtendCIDRs), Status: status, ProjectID: r.ProjectID, EnterpriseProjectID: r.EpsID,
		Tags: toTagKVs(r.Spec.Tags), CreatedAt: networkTime(r.CreatedAt), UpdatedAt: networkTime(r.UpdatedAt)}
}

func toSubnetBody(r *dayu.NetworkResource, now time.Time) subnetBody {
	return subnetBody{ID: r.ID, Name: r.Name, Description: r.Spec.Description, CIDR: r.Spec.CIDR, GatewayIP: r.Spec.GatewayIP,
		DHCPEnable: !r.Spec.DHCPDisabled, PrimaryDNS: r.Spec.PrimaryDNS, SecondaryDNS: r.Spec.SecondaryDNS,
		DNSList: nonNil(r.Spec.DNSList), AvailabilityZone: r.Spec.AvailabilityZone, VpcID: r.ParentID,
		Status: networkStatus(r, now), NeutronNetworkID: r.ID, NeutronSubnetID: r.ID, ExtraDhcpOpts: []any{},
		TenantID: r.ProjectID, CreatedAt: networkTime(r.CreatedAt), UpdatedAt: networkTime(r.UpdatedAt)}
}

func toTagKVs(ts []dayu.Tag) []tagKV {
	out := make([]tagKV, 0, len(ts))
	for _, t := range ts {
		out = append(out, tagKV{t.Key, t.Value})
	}
	return out
}

func fromTagKVs(ts []tagKV) []dayu.Tag {
	out := make([]dayu.Tag, 0, len(ts))
	for _, t := range ts {
		out = append(out, dayu.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// securityGroupRequest is the body of a security group create or update
// (v1 and v3).
type securityGroupRequest struct {
	SecurityGroup struct {
		Name                *string `json:"name"`
		Description         *string `json:"description"`
		EnterpriseProjectID *string `json:"enterprise_project_id"`
		VpcID               *string `json:"vpc_id"` // deprecated; accepted, not kept
	} `json:"security_group"`
}

// securityGroupEnvelope is v1's {"security_group": {...}}.
type securityGroupEnvelope struct {
	SecurityGroup securityGroupBody `json:"security_group"`
}

// securityGroupBody is a security group as v1 shows it.
type securityGroupBody struct {
	ID                  string       `json:"id"`
	Name                string       `json:"name"`
	Description         string       `json:"description"`
	VpcID               string       `json:"vpc_id"`
	EnterpriseProjectID string       `json:"enterprise_project_id"`
	SecurityGroupRules  []ruleV1Body `json:"security_group_rules"`
}

// ruleV1Body is a rule as v1 shows it: all ports, so no port range.
type ruleV1Body struct {
	ID                   string `json:"id"`
	Description          string `json:"description"`
	SecurityGroupID      string `json:"security_group_id"`
	Direction            string `json:"direction"`
	Ethertype            string `json:"ethertype"`
	Protocol             string `json:"protocol"`
	PortRangeMin         *int   `json:"port_range_min"`
	PortRangeMax         *int   `json:"port_range_max"`
	RemoteIPPrefix       string `json:"remote_ip_prefix"`
	RemoteGroupID        string `json:"remote_group_id"`
	RemoteAddressGroupID string `json:"remote_address_group_id"`
	TenantID             string `json:"tenant_id"`
}

// securityGroupV3Envelope is v3's {"request_id", "security_group"}.
type securityGroupV3Envelope struct {
	RequestID     string              `json:"request_id"`
	SecurityGroup securityGroupV3Body `json:"security_group"`
}

type securityGroupV3List struct {
	RequestID      string                `json:"request_id"`
	SecurityGroups []securityGroupV3Body `json:"security_groups"`
	PageInfo       pageInfo              `json:"page_info"`
}

// securityGroupRuleV3List is v3's GET /v3/{project_id}/vpc/security-group-rules.
type securityGroupRuleV3List struct {
	RequestID          string       `json:"request_id"`
	SecurityGroupRules []ruleV3Body `json:"security_group_rules"`
	PageInfo           pageInfo     `json:"page_info"`
}

type pageInfo struct {
	CurrentCount   int    `json:"current_count"`
	PreviousMarker string `json:"previous_marker,omitempty"`
	NextMarker     string `json:"next_marker,omitempty"`
}

type securityGroupV3Body struct {
	ID                  string       `json:"id"`
	Name                string       `json:"name"`
	Description         string       `json:"description"`
	ProjectID           string       `json:"project_id"`
	EnterpriseProjectID string       `json:"enterprise_project_id"`
	SecurityGroupRules  []ruleV3Body `json:"security_group_rules"`
	Tags                []tagKV      `json:"tags"`
	CreatedAt           string       `json:"created_at"`
	UpdatedAt           string       `json:"updated_at"`
}

// ruleV3Body is a rule as v3 shows it.
type ruleV3Body struct {
	ID                   string `json:"id"`
	Description          string `json:"description"`
	SecurityGroupID      string `json:"security_group_id"`
	Direction            string `json:"direction"`
	Protocol             string `json:"protocol"`
	Ethertype            string `json:"ethertype"`
	MultiPort            string `json:"multiport"`
	Action               string `json:"action"`
	Priority             int    `json:"priority"`
	RemoteIPPrefix       string `json:"remote_ip_prefix"`
	RemoteGroupID        string `json:"remote_group_id"`
	RemoteAddressGroupID string `json:"remote_address_group_id"`
	ProjectID            string `json:"project_id"`
	CreatedAt            string `json:"created_at"`
	UpdatedAt            string `json:"updated_at"`
}

// toRuleV1Bodies are a group's rules as v1 and neutron show them.
func toRuleV1Bodies(r *dayu.NetworkResource) []ruleV1Body {
	rules := make([]ruleV1Body, 0, len(r.Spec.Rules))
	for _, u := range r.Spec.Rules {
		rules = append(rules, ruleV1Body{ID: u.ID, SecurityGroupID: r.ID, Direction: u.Direction, Ethertype: u.Ethertype,
			RemoteIPPrefix: u.RemoteIPPrefix, RemoteGroupID: u.RemoteGroupID, TenantID: r.ProjectID})
	}
	return rules
}

func toSecurityGroupBody(r *dayu.NetworkResource) securityGroupBody {
	return securityGroupBody{ID: r.ID, Name: r.Name, Description: r.Spec.Description, EnterpriseProjectID: r.EpsID, SecurityGroupRules: toRuleV1Bodies(r)}
}

func toSecurityGroupV2Body(r *dayu.NetworkResource) securityGroupV2Body {
	return securityGroupV2Body{ID: r.ID, Name: r.Name, Description: r.Spec.Description, TenantID: r.ProjectID, ProjectID: r.ProjectID,
		SecurityGroupRules: toRuleV1Bodies(r)}
}

// toRuleV3Bodies are a group's rules as v3 shows them.
func toRuleV3Bodies(r *dayu.NetworkResource) []ruleV3Body {
	rules := make([]ruleV3Body, 0, len(r.Spec.Rules))
	for _, u := range r.Spec.Rules {
		rules = append(rules, ruleV3Body{ID: u.ID, SecurityGroupID: r.ID, Direction: u.Direction, Ethertype: u.Ethertype,
			Action: "allow", Priority: 1, RemoteIPPrefix: u.RemoteIPPrefix, RemoteGroupID: u.RemoteGroupID, ProjectID: r.ProjectID,
			CreatedAt: networkTime(r.CreatedAt), UpdatedAt: networkTime(r.CreatedAt)})
	}
	return rules
}

func toSecurityGroupV3Body(r *dayu.NetworkResource) securityGroupV3Body {
	return securityGroupV3Body{ID: r.ID, Name: r.Name, Description: r.Spec.Description, ProjectID: r.ProjectID,
		EnterpriseProjectID: r.EpsID, SecurityGroupRules: toRuleV3Bodies(r), Tags: toTagKVs(r.Spec.Tags),
		CreatedAt: networkTime(r.CreatedAt), UpdatedAt: networkTime(r.UpdatedAt)}
}

// extendCIDRRequest is the body of add-extend-cidr and remove-extend-cidr.
type extendCIDRRequest struct {
	VPC struct {
		ExtendCIDRs []string `json:"extend_cidrs"`
	} `json:"vpc"`
}

// nameServerList is DNS's GET /v2/nameservers.
type nameServerList struct {
	NameServers []nameServerBody `json:"nameservers"`
}

type nameServerBody struct {
	Type    string     `json:"type"`
	Region  string     `json:"region"`
	Records []nsRecord `json:"ns_records"`
}

// nsRecord is a server: a private one by address, a public one by host name.
type nsRecord struct {
	Hostname string `json:"hostname,omitempty"`
	Address  string `json:"address,omitempty"`
	Priority int    `json:"priority"`
}

// securityGroupList is v1's GET /v1/{project_id}/security-groups.
type securityGroupList struct {
	SecurityGroups []securityGroupBody `json:"security_groups"`
}

// securityGroupV2Envelope is neutron's {"security_group": {...}}.
type securityGroupV2Envelope struct {
	SecurityGroup securityGroupV2Body `json:"security_group"`
}

// securityGroupV2Body is a security group as neutron (v2.0) shows it.
type securityGroupV2Body struct {
	ID                 string       `json:"id"`
	Name               string       `json:"name"`
	Description        string       `json:"description"`
	TenantID           string       `json:"tenant_id"`
	ProjectID          string       `json:"project_id"`
	SecurityGroupRules []ruleV1Body `json:"security_group_rules"`
}
