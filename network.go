package dayu

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"time"
)

// NetworkKind is what a network resource is.
type NetworkKind string

// The network resources a project may create through the VPC API.
const (
	KindVPC           NetworkKind = "vpc"
	KindSubnet        NetworkKind = "subnet"
	KindSecurityGroup NetworkKind = "security_group"
)

// NetworkSettling is how long a new VPC or subnet stays CREATING (UNKNOWN
// to the subnet's waiter) before it is OK / ACTIVE: long enough that a
// client sees the asynchronous state, short enough that the provider's
// first poll (5 s after the create) finds it done.
const NetworkSettling = 2 * time.Second

// NetworkResource is a VPC, a subnet or a security group that a project
// created through the API. What only one kind has is in Spec.
type NetworkResource struct {
	Kind      NetworkKind
	ID        string
	ProjectID string
	ParentID  string // a subnet's VPC; "" for the others
	Name      string
	EpsID     string // a VPC's or a security group's enterprise project
	CreatedAt time.Time
	UpdatedAt time.Time
	Spec      NetworkSpec
}

// NetworkSpec holds the fields of a kind of network resource.
type NetworkSpec struct {
	CIDR             string   `json:"cidr,omitempty"`
	Description      string   `json:"description,omitempty"`
	ExtendCIDRs      []string `json:"extend_cidrs,omitempty"`
	GatewayIP        string   `json:"gateway_ip,omitempty"`
	PrimaryDNS       string   `json:"primary_dns,omitempty"`
	SecondaryDNS     string   `json:"secondary_dns,omitempty"`
	DNSList          []string `json:"dns_list,omitempty"`
	AvailabilityZone string   `json:"availability_zone,omitempty"`
	DHCPDisabled     bool     `json:"dhcp_disabled,omitempty"`
	Tags             []Tag    `json:"tags,omitempty"`
	// Rules are a security group's; a new one gets DefaultSecurityGroupRules.
	Rules []SecurityGroupRule `json:"rules,omitempty"`
}

// SecurityGroupRule is a rule of a security group: all protocols and ports
// from RemoteGroupID (a group's own members) or RemoteIPPrefix.
type SecurityGroupRule struct {
	ID             string `json:"id"`
	Direction      string `json:"direction"` // ingress or egress
	Ethertype      string `json:"ethertype"` // IPv4 or IPv6
	RemoteGroupID  string `json:"remote_group_id,omitempty"`
	RemoteIPPrefix string `json:"remote_ip_prefix,omitempty"`
}

// DefaultSecurityGroupRules are the rules Huawei Cloud gives a new
// security group: everything in from its own members, everything out.
func DefaultSecurityGroupRules(groupID string) []SecurityGroupRule {
	return []SecurityGroupRule{
		{ID: newResourceID(), Direction: "ingress", Ethertype: "IPv4", RemoteGroupID: groupID},
		{ID: newResourceID(), Direction: "ingress", Ethertype: "IPv6", RemoteGroupID: groupID},
		{ID: newResourceID(), Direction: "egress", Ethertype: "IPv4", RemoteIPPrefix: "0.0.0.0/0"},
		{ID: newResourceID(), Direction: "egress", Ethertype: "IPv6", RemoteIPPrefix: "::/0"},
	}
}

// Settled reports whether the resource has left its CREATING state at now.
func (r *NetworkResource) Settled(now time.Time) bool {
	return !now.Before(r.CreatedAt.Add(NetworkSettling))
}

// NetworkStore keeps the network resources created through the API.
type NetworkStore interface {
	// CreateNetworkResource stores a new resource; a subnet only when its
	// VPC is stored in the same project (ErrVPCNotFound otherwise).
	CreateNetworkResource(ctx context.Context, r *NetworkResource) error
	// NetworkResource returns one of the project's resources of that kind,
	// ErrNetworkResourceNotFound if none.
	NetworkResource(ctx context.Context, projectID string, kind NetworkKind, id string) (*NetworkResource, error)
	// NetworkResources returns the project's resources of that kind (those
	// of parentID only, unless ""), oldest first.
	NetworkResources(ctx context.Context, projectID string, kind NetworkKind, parentID string) ([]*NetworkResource, error)
	// FindNetworkResources returns those of the ids that are resources of
	// the project, of any kind, in one indexed lookup: the purchase's check.
	FindNetworkResources(ctx context.Context, projectID string, ids ...string) ([]*NetworkResource, error)
	// SaveNetworkResource stores a resource's new Name, EpsID, UpdatedAt
	// and Spec; ErrNetworkResourceNotFound if it is not stored.
	SaveNetworkResource(ctx context.Context, r *NetworkResource) error
	// DeleteNetworkResource deletes a resource: ErrNetworkResourceNotFound
	// if none, ErrNetworkHasSubnets for a VPC with subnets, ErrNetworkInUse
	// when an instance of the project refers to it that is neither gone at
	// now nor unsubscribed (being deleted, it has released its network:
	// the provider deletes the network as soon as the unsubscription is
	// accepted, and its subnet deleter fails on a 409 instead of retrying).
	DeleteNetworkResource(ctx context.Context, projectID string, kind NetworkKind, id string, now time.Time) error
	// SeedNetworkResources stores those of rs whose id is not stored yet,
	// in one transaction (the world's network, seedNetwork).
	SeedNetworkResources(ctx context.Context, rs []*NetworkResource) error
}

// The network store's refusals.
var (
	ErrNetworkResourceNotFound = &Error{ENOTFOUND, "no such network resource"}
	ErrVPCNotFound             = &Error{ENOTFOUND, "no such VPC"}
	ErrNetworkHasSubnets       = &Error{EINUSE, "the VPC has subnets"}
	ErrNetworkInUse            = &Error{EINUSE, "an instance uses the network resource"}
)

// Network is the VPC service of the Service: the project's VPCs, subnets
// and security groups, the world file's (worldnetwork.go) and those
// created through the API.
type Network struct{ s *Service }

// Network returns the service's VPC service.
func (s *Service) Network() Network { return Network{s} }

// VPCInput is what a VPC is created or updated with.
type VPCInput struct {
	Name, CIDR, Description, EpsID string
	// DescriptionSet: an update changes the description only when sent.
	DescriptionSet bool
}

// SubnetInput is what a subnet is created or updated with.
type SubnetInput struct {
	Name, CIDR, GatewayIP, VpcID, Description  string
	PrimaryDNS, SecondaryDNS, AvailabilityZone string
	DNSList                                    []string
	DHCPDisabled                               bool
	DescriptionSet                             bool
}

// Limits of the VPC service's names and descriptions.
const (
	MaxNetworkNameLen = 64
	MaxNetworkDescLen = 255
)

// AvailabilityZones are the zones of the project's region.
func (n Network) AvailabilityZones(projectID string) ([]string, error) {
	p, err := n.project(projectID)
	if err != nil {
		return nil, err
	}
	r := n.s.World.Region(p.RegionID)
	if r == nil {
		return nil, nil
	}
	return r.Zones, nil
}

func (n Network) project(projectID string) (*Project, error) {
	p := n.s.World.Project(projectID)
	if p == nil {
		return nil, Errorf(EINVALID, "project_id: project %q does not exist", projectID)
	}
	return p, nil
}

// CreateVPC creates a VPC in the project.
func (n Network) CreateVPC(ctx context.Context, projectID string, in VPCInput) (*NetworkResource, error) {
	p, err := n.project(projectID)
	if err != nil {
		return nil, err
	}
	if err := checkNetworkName(in.Name, in.Description); err != nil {
		return nil, err
	}
	if _, err := parseCIDR("cidr", in.CIDR); err != nil {
		return nil, err
	}
	eps, err := n.enterpriseProject(p, in.EpsID)
	if err != nil {
		return nil, err
	}
	now := n.now(p)
	r := &NetworkResource{Kind: KindVPC, ID: newResourceID(), ProjectID: projectID, Name: in.Name, EpsID: eps,
		CreatedAt: now, UpdatedAt: now, Spec: NetworkSpec{CIDR: in.CIDR, Description: in.Description}}
	return r, n.s.Store.CreateNetworkResource(ctx, r)
}

// enterpriseProject is the enterprise project a resource is created in:
// the default one unless named, and one of the domain's unless the service
// is loose.
func (n Network) enterpriseProject(p *Project, id string) (string, error) {
	if id == "" {
		id = DefaultEnterpriseProject
	}
	if !n.s.Loose && !p.Domain.HasEnterpriseProject(id) {
		return "", Errorf(EINVALID, "enterprise_project_id: enterprise project %q does not exist", id)
	}
	return id, nil
}

// CreateSecurityGroup creates a security group with the default rules.
func (n Network) CreateSecurityGroup(ctx context.Context, projectID, name, epsID string) (*NetworkResource, error) {
	p, err := n.project(projectID)
	if err != nil {
		return nil, err
	}
	if err := checkNetworkName(name, ""); err != nil {
		return nil, err
	}
	eps, err := n.enterpriseProject(p, epsID)
	if err != nil {
		return nil, err
	}
	now := n.now(p)
	id := newResourceID()
	r := &NetworkResource{Kind: KindSecurityGroup, ID: id, ProjectID: projectID, Name: name, EpsID: eps,
		CreatedAt: now, UpdatedAt: now, Spec: NetworkSpec{Rules: DefaultSecurityGroupRules(id)}}
	return r, n.s.Store.CreateNetworkResource(ctx, r)
}

// UpdateSecurityGroup changes a security group's name (unless "") and
// description (when not nil).
func (n Network) UpdateSecurityGroup(ctx context.Context, projectID, id, name string, description *string) (*NetworkResource, error) {
	r, err := n.Get(ctx, projectID, KindSecurityGroup, id)
	if err != nil {
		return nil, err
	}
	if name != "" {
		r.Name = name
	}
	if description != nil {
		r.Spec.Description = *description
	}
	if err := checkNetworkName(r.Name, r.Spec.Description); err != nil {
		return nil, err
	}
	return r, n.save(ctx, r)
}

// DeleteSecurityGroupRule deletes a rule of one of the project's security
// groups.
func (n Network) DeleteSecurityGroupRule(ctx context.Context, projectID, ruleID string) error {
	groups, err := n.List(ctx, projectID, KindSecurityGroup, "")
	if err != nil {
		return err
	}
	for _, g := range groups {
		if i := slices.IndexFunc(g.Spec.Rules, func(r SecurityGroupRule) bool { return r.ID == ruleID }); i >= 0 {
			g.Spec.Rules = slices.Delete(g.Spec.Rules, i, i+1)
			return n.save(ctx, g)
		}
	}
	return Errorf(ENOTFOUND, "security group rule %s does not exist in project %s", ruleID, projectID)
}

// MaxExtendCIDRs is how many secondary CIDR blocks a VPC may have, as on
// Huawei Cloud.
const MaxExtendCIDRs = 5

// reservedCIDRs are the blocks the VPC service refuses as a secondary CIDR:
// its own (100.64.0.0/10, 214.0.0.0/7), the benchmarking, link-local,
// loopback, multicast and reserved ranges.
var reservedCIDRs = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("214.0.0.0/7"),
	netip.MustParsePrefix("224.0.0.0/4"), netip.MustParsePrefix("240.0.0.0/4"),
}

// AddExtendCIDRs adds secondary CIDR blocks to a VPC. Each must be an IPv4
// block outside the reserved ranges that overlaps neither the VPC's cidr,
// nor one of its secondary blocks, nor another of cidrs.
func (n Network) AddExtendCIDRs(ctx context.Context, projectID, id string, cidrs []string) (*NetworkResource, error) {
	r, err := n.extendedVPC(ctx, projectID, id, cidrs)
	if err != nil {
		return nil, err
	}
	if len(r.Spec.ExtendCIDRs)+len(cidrs) > MaxExtendCIDRs {
		return nil, Errorf(EINVALID, "extend_cidrs: a VPC has at most %d secondary CIDR blocks, it has %d", MaxExtendCIDRs, len(r.Spec.ExtendCIDRs))
	}
	held := r.blocks()
	for _, c := range cidrs {
		p, err := parseCIDR("extend_cidrs", c)
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(reservedCIDRs, p.Overlaps); i >= 0 {
			return nil, Errorf(EINVALID, "extend_cidrs: %s overlaps the reserved block %s", c, reservedCIDRs[i])
		}
		if i := slices.IndexFunc(held, p.Overlaps); i >= 0 {
			return nil, Errorf(EINVALID, "extend_cidrs: %s overlaps %s of VPC %s", c, held[i], id)
		}
		held = append(held, p)
	}
	r.Spec.ExtendCIDRs = append(r.Spec.ExtendCIDRs, cidrs...)
	return r, n.save(ctx, r)
}

// RemoveExtendCIDRs removes secondary CIDR blocks of a VPC: each one of
// its blocks that no subnet of the VPC is in.
func (n Network) RemoveExtendCIDRs(ctx context.Context, projectID, id string, cidrs []string) (*NetworkResource, error) {
	r, err := n.extendedVPC(ctx, projectID, id, cidrs)
	if err != nil {
		return nil, err
	}
	subnets, err := n.List(ctx, projectID, KindSubnet, id)
	if err != nil {
		return nil, err
	}
	for _, c := range cidrs {
		if !slices.Contains(r.Spec.ExtendCIDRs, c) {
			return nil, Errorf(EINVALID, "extend_cidrs: %s is not a secondary CIDR block of VPC %s", c, id)
		}
		p := netip.MustParsePrefix(c)
		if i := slices.IndexFunc(subnets, func(s *NetworkResource) bool { return p.Overlaps(netip.MustParsePrefix(s.Spec.CIDR)) }); i >= 0 {
			return nil, Errorf(EINUSE, "extend_cidrs: subnet %s is in %s: delete it first", subnets[i].ID, c)
		}
	}
	r.Spec.ExtendCIDRs = slices.DeleteFunc(r.Spec.ExtendCIDRs, func(c string) bool { return slices.Contains(cidrs, c) })
	return r, n.save(ctx, r)
}

// holds reports whether the block c lies within one of a VPC's blocks.
func (r *NetworkResource) holds(c netip.Prefix) bool {
	return slices.ContainsFunc(r.blocks(), func(b netip.Prefix) bool { return b.Contains(c.Addr()) && c.Bits() >= b.Bits() })
}

// extendedVPC is the VPC whose secondary blocks change by cidrs, at least one.
func (n Network) extendedVPC(ctx context.Context, projectID, id string, cidrs []string) (*NetworkResource, error) {
	if len(cidrs) == 0 {
		return nil, Errorf(EINVALID, "extend_cidrs: name at least one CIDR block")
	}
	return n.Get(ctx, projectID, KindVPC, id)
}

// blocks are a VPC's CIDR blocks: its cidr, then its secondary ones.
func (r *NetworkResource) blocks() []netip.Prefix {
	var out []netip.Prefix
	for _, c := range append([]string{r.Spec.CIDR}, r.Spec.ExtendCIDRs...) {
		if p, err := netip.ParsePrefix(c); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// NameServer is a DNS server of a region.
type NameServer struct {
	Region  string
	Address string
}

// NameServers are the private DNS servers of the world's regions (of the
// region only, unless ""), primary first: 100.125.1.250 and 100.125.N.250,
// N fixed by the region's id, as Huawei Cloud's differ by region.
func (n Network) NameServers(region string) []NameServer {
	var out []NameServer
	for _, r := range n.s.World.Regions {
		if region == "" || r.ID == region {
			for _, a := range regionNameServers(r.ID) {
				out = append(out, NameServer{r.ID, a})
			}
		}
	}
	return out
}

// regionNameServers are the addresses of a region's private DNS servers,
// primary first.
func regionNameServers(region string) []string {
	h := fnv.New32a()
	h.Write([]byte(region))
	return []string{"100.125.1.250", fmt.Sprintf("100.125.%d.250", 2+h.Sum32()%250)}
}

// UpdateVPC changes a VPC's name, CIDR and description.
func (n Network) UpdateVPC(ctx context.Context, projectID, id string, in VPCInput) (*NetworkResource, error) {
	r, err := n.Get(ctx, projectID, KindVPC, id)
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		r.Name = in.Name
	}
	if in.CIDR != "" && in.CIDR != r.Spec.CIDR {
		if err := n.checkNewCIDR(ctx, r, in.CIDR); err != nil {
			return nil, err
		}
		r.Spec.CIDR = in.CIDR
	}
	if in.DescriptionSet {
		r.Spec.Description = in.Description
	}
	if err := checkNetworkName(r.Name, r.Spec.Description); err != nil {
		return nil, err
	}
	return r, n.save(ctx, r)
}

// checkNewCIDR checks a VPC's new cidr: overlapping none of its secondary
// blocks, and its subnets still within its blocks.
func (n Network) checkNewCIDR(ctx context.Context, vpc *NetworkResource, cidr string) error {
	p, err := parseCIDR("cidr", cidr)
	if err != nil {
		return err
	}
	for _, c := range vpc.Spec.ExtendCIDRs {
		if p.Overlaps(netip.MustParsePrefix(c)) {
			return Errorf(EINVALID, "cidr: %s overlaps the VPC's secondary block %s", cidr, c)
		}
	}
	subnets, err := n.List(ctx, vpc.ProjectID, KindSubnet, vpc.ID)
	if err != nil {
		return err
	}
	changed := *vpc
	changed.Spec.CIDR = cidr
	for _, s := range subnets {
		if !changed.holds(netip.MustParsePrefix(s.Spec.CIDR)) {
			return Errorf(EINVALID, "cidr: subnet %s (%s) would not be within the VPC's blocks", s.ID, s.Spec.CIDR)
		}
	}
	return nil
}

// CreateSubnet creates a subnet in one of the project's VPCs: its CIDR
// within the VPC's, its gateway within its CIDR.
func (n Network) CreateSubnet(ctx context.Context, projectID string, in SubnetInput) (*NetworkResource, error) {
	p, err := n.project(projectID)
	if err != nil {
		return nil, err
	}
	if err := checkNetworkName(in.Name, in.Description); err != nil {
		return nil, err
	}
	cidr, err := parseCIDR("cidr", in.CIDR)
	if err != nil {
		return nil, err
	}
	gw, err := netip.ParseAddr(in.GatewayIP)
	if err != nil || !cidr.Contains(gw) {
		return nil, Errorf(EINVALID, "gateway_ip: %q must be an address of the subnet's cidr %s", in.GatewayIP, in.CIDR)
	}
	if r := n.s.World.Region(p.RegionID); in.AvailabilityZone != "" && (r == nil || !r.HasZone(in.AvailabilityZone)) {
		return nil, Errorf(EINVALID, "availability_zone: %q is not a zone of region %q", in.AvailabilityZone, p.RegionID)
	}
	vpc, err := n.Get(ctx, projectID, KindVPC, in.VpcID)
	if err != nil {
		return nil, Errorf(EINVALID, "vpc_id: VPC %q does not exist in project %s", in.VpcID, projectID)
	}
	if !vpc.holds(cidr) {
		return nil, Errorf(EINVALID, "cidr: %s is not within the VPC's cidr %s or a secondary block of it", in.CIDR, vpc.Spec.CIDR)
	}
	// As the VPC service does, the first two of a DNS list are the primary
	// and the secondary server unless named.
	if in.PrimaryDNS == "" && len(in.DNSList) > 0 {
		in.PrimaryDNS = in.DNSList[0]
		if in.SecondaryDNS == "" && len(in.DNSList) > 1 {
			in.SecondaryDNS = in.DNSList[1]
		}
	}
	now := n.now(p)
	r := &NetworkResource{Kind: KindSubnet, ID: newResourceID(), ProjectID: projectID, ParentID: in.VpcID, Name: in.Name,
		CreatedAt: now, UpdatedAt: now, Spec: NetworkSpec{CIDR: in.CIDR, GatewayIP: in.GatewayIP, Description: in.Description,
			PrimaryDNS: in.PrimaryDNS, SecondaryDNS: in.SecondaryDNS, DNSList: in.DNSList,
			AvailabilityZone: in.AvailabilityZone, DHCPDisabled: in.DHCPDisabled}}
	if err := n.s.Store.CreateNetworkResource(ctx, r); err != nil {
		if errors.Is(err, ErrVPCNotFound) {
			return nil, Errorf(EINVALID, "vpc_id: VPC %q does not exist in project %s", in.VpcID, projectID)
		}
		return nil, err
	}
	return r, nil
}

// UpdateSubnet changes a subnet's name, description, DHCP and DNS servers;
// the subnet must be of the VPC of the path.
func (n Network) UpdateSubnet(ctx context.Context, projectID, vpcID, id string, in SubnetInput) (*NetworkResource, error) {
	r, err := n.Get(ctx, projectID, KindSubnet, id)
	if err != nil {
		return nil, err
	}
	if r.ParentID != vpcID {
		return nil, Errorf(ENOTFOUND, "subnet %s does not belong to VPC %s", id, vpcID)
	}
	if in.Name != "" {
		r.Name = in.Name
	}
	if in.DescriptionSet {
		r.Spec.Description = in.Description
	}
	if in.PrimaryDNS != "" {
		r.Spec.PrimaryDNS = in.PrimaryDNS
	}
	if in.SecondaryDNS != "" {
		r.Spec.SecondaryDNS = in.SecondaryDNS
	}
	if in.DNSList != nil {
		r.Spec.DNSList = in.DNSList
	}
	r.Spec.DHCPDisabled = in.DHCPDisabled
	if err := checkNetworkName(r.Name, r.Spec.Description); err != nil {
		return nil, err
	}
	return r, n.save(ctx, r)
}

// SetTags replaces the tags of a network resource with add applied and the
// keys of remove taken away.
func (n Network) SetTags(ctx context.Context, projectID string, kind NetworkKind, id string, add, remove []Tag) error {
	r, err := n.Get(ctx, projectID, kind, id)
	if err != nil {
		return err
	}
	tags := slices.DeleteFunc(slices.Clone(r.Spec.Tags), func(t Tag) bool {
		return slices.ContainsFunc(add, func(a Tag) bool { return a.Key == t.Key }) ||
			slices.ContainsFunc(remove, func(d Tag) bool { return d.Key == t.Key })
	})
	r.Spec.Tags = append(tags, add...)
	if len(r.Spec.Tags) > MaxTags {
		return Errorf(EINVALID, "tags: at most %d tags, got %d", MaxTags, len(r.Spec.Tags))
	}
	p := Purchase{Tags: r.Spec.Tags}
	if err := p.validateTags(); err != nil {
		return err
	}
	return n.save(ctx, r)
}

func (n Network) save(ctx context.Context, r *NetworkResource) error {
	p, err := n.project(r.ProjectID)
	if err != nil {
		return err
	}
	r.UpdatedAt = n.now(p)
	return n.s.Store.SaveNetworkResource(ctx, r)
}

// Get returns one of the project's resources of that kind.
func (n Network) Get(ctx context.Context, projectID string, kind NetworkKind, id string) (*NetworkResource, error) {
	r, err := n.s.Store.NetworkResource(ctx, projectID, kind, id)
	if errors.Is(err, ErrNetworkResourceNotFound) {
		return nil, Errorf(ENOTFOUND, "%s %s does not exist in project %s", kindName(kind), id, projectID)
	}
	return r, err
}

// List returns the project's resources of that kind (of the VPC parentID
// only, unless "").
func (n Network) List(ctx context.Context, projectID string, kind NetworkKind, parentID string) ([]*NetworkResource, error) {
	return n.s.Store.NetworkResources(ctx, projectID, kind, parentID)
}

// Delete deletes a resource, unless the world file declares it, an
// instance uses it or, for a VPC, it has subnets. A subnet is deleted
// through its VPC (vpcID); "" for the other kinds.
func (n Network) Delete(ctx context.Context, projectID string, kind NetworkKind, vpcID, id string) error {
	p, err := n.project(projectID)
	if err != nil {
		return err
	}
	if p.Declares(kind, id) {
		return Errorf(EINUSE, "%s %s is declared by the world file: it is not deleted", kindName(kind), id)
	}
	if kind == KindSubnet {
		r, err := n.Get(ctx, projectID, kind, id)
		if err != nil {
			return err
		}
		if r.ParentID != vpcID {
			return Errorf(ENOTFOUND, "subnet %s does not belong to VPC %s", id, vpcID)
		}
	}
	switch err := n.s.Store.DeleteNetworkResource(ctx, projectID, kind, id, n.now(p)); {
	case errors.Is(err, ErrNetworkResourceNotFound):
		return Errorf(ENOTFOUND, "%s %s does not exist in project %s", kindName(kind), id, projectID)
	case errors.Is(err, ErrNetworkHasSubnets):
		return Errorf(EINUSE, "VPC %s still has subnets: delete them first", id)
	case errors.Is(err, ErrNetworkInUse):
		return Errorf(EINUSE, "%s %s is in use by a DataArts Studio instance", kindName(kind), id)
	default:
		return err
	}
}

// Now is the time of the project's domain, which the statuses of a read
// are as of.
func (n Network) Now(projectID string) time.Time { return n.s.projectNow(projectID) }

func (n Network) now(p *Project) time.Time {
	return n.s.Clocks.Now(p.Domain.ID).Truncate(time.Millisecond)
}

func kindName(k NetworkKind) string {
	switch k {
	case KindVPC:
		return "VPC"
	case KindSubnet:
		return "subnet"
	}
	return "security group"
}

func checkNetworkName(name, description string) error {
	return checkFields(field{"name", name, 1, MaxNetworkNameLen}, field{"description", description, 0, MaxNetworkDescLen})
}

// parseCIDR reads an IPv4 CIDR in its canonical form (no host bits).
func parseCIDR(name, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, Errorf(EINVALID, "%s: %q is not an IPv4 CIDR block such as 192.168.0.0/16", name, s)
	}
	return p, nil
}

// checkNetwork resolves a purchase's VPC, subnet and security group: the
// world's first, then those created through the API in one lookup.
func (s *Service) checkNetwork(ctx context.Context, project *Project, p *Purchase) error {
	vpcFound, subnetFound := project.Subnet(p.VpcID, p.NetID)
	sgFound := project.HasSecurityGroup(p.SecurityGroupID)
	if !subnetFound || !sgFound {
		var ids []string
		if !subnetFound {
			ids = append(ids, p.VpcID, p.NetID)
		}
		if !sgFound {
			ids = append(ids, p.SecurityGroupID)
		}
		found, err := s.Store.FindNetworkResources(ctx, project.ID, ids...)
		if err != nil {
			return err
		}
		for _, r := range found {
			switch {
			case r.Kind == KindVPC && r.ID == p.VpcID:
				vpcFound = true
			case r.Kind == KindSubnet && r.ID == p.NetID && r.ParentID == p.VpcID:
				subnetFound = true
			case r.Kind == KindSecurityGroup && r.ID == p.SecurityGroupID:
				sgFound = true
			}
		}
	}
	switch {
	case !vpcFound:
		return Errorf(EINVALID, "vpc_id: VPC %q does not exist in project %s", p.VpcID, project.ID)
	case !subnetFound:
		return Errorf(EINVALID, "net_id: subnet %q does not belong to VPC %q", p.NetID, p.VpcID)
	case !sgFound:
		return Errorf(EINVALID, "security_group_id: security group %q does not exist in project %s", p.SecurityGroupID, project.ID)
	}
	return nil
}
