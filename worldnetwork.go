package dayu

import (
	"context"
	"encoding/binary"
	"net/netip"
	"time"
)

// The world file's VPCs, subnets and security groups are stored as
// ordinary network resources with the world, and at each start those the
// store lacks (seedNetwork): shown, listed, changed and tagged through the
// VPC API like those created through it, with fields the world file does
// not give chosen here (worldNetwork). The world
// declares them, so they are not deleted (Network.Delete): a purchase's
// check of them stays a lookup in the world, and the world stays what its
// digest names.

// worldVPCCIDR is a world VPC's cidr; its n-th subnet is the n-th /24 in
// it (worldSubnetCIDR), gateway .1.
var worldVPCCIDR = netip.MustParsePrefix("192.168.0.0/16")

// worldWideVPCCIDR is the cidr of a world VPC of more than 256 subnets.
var worldWideVPCCIDR = netip.MustParsePrefix("10.0.0.0/8")

// worldNetwork returns the world's VPCs, subnets and security groups as
// network resources created at now: born settled (the world's network is
// there before any call), in the default enterprise project, named after
// the end of their ids.
func (w *World) worldNetwork(now time.Time) []*NetworkResource {
	born := now.Add(-NetworkSettling).Truncate(time.Millisecond)
	var out []*NetworkResource
	add := func(kind NetworkKind, id, project, parent, prefix string, spec NetworkSpec) {
		out = append(out, &NetworkResource{Kind: kind, ID: id, ProjectID: project, ParentID: parent, Name: prefix + shortID(id),
			EpsID: DefaultEnterpriseProject, CreatedAt: born, UpdatedAt: born, Spec: spec})
	}
	for _, d := range w.Domains {
		for _, p := range d.Projects {
			dns := regionNameServers(p.RegionID)
			for _, v := range p.VPCs {
				vpcCIDR := worldVPCCIDR
				if len(v.Subnets) > 256 {
					vpcCIDR = worldWideVPCCIDR
				}
				add(KindVPC, v.ID, p.ID, "", "vpc-", NetworkSpec{CIDR: vpcCIDR.String()})
				for n, s := range v.Subnets {
					cidr := worldSubnetCIDR(vpcCIDR, n)
					add(KindSubnet, s, p.ID, v.ID, "subnet-", NetworkSpec{CIDR: cidr.String(), GatewayIP: cidr.Addr().Next().String(),
						PrimaryDNS: dns[0], SecondaryDNS: dns[1], DNSList: dns})
				}
			}
			for _, sg := range p.SecurityGroups {
				add(KindSecurityGroup, sg, p.ID, "", "sg-", NetworkSpec{Rules: DefaultSecurityGroupRules(sg)})
			}
		}
	}
	return out
}

// worldSubnetCIDR is the n-th /24 of a world VPC's cidr.
func worldSubnetCIDR(vpc netip.Prefix, n int) netip.Prefix {
	a := vpc.Addr().As4()
	first := binary.BigEndian.Uint32(a[:]) + uint32(n)<<8
	binary.BigEndian.PutUint32(a[:], first)
	return netip.PrefixFrom(netip.AddrFrom4(a), 24)
}

// shortID is the end of an id, for a name (a UUID's end tells more apart
// than its start, a v7's time).
func shortID(id string) string {
	return id[max(0, len(id)-8):]
}

// Declares reports whether the project's world file declares that network
// resource.
func (p *Project) Declares(kind NetworkKind, id string) bool {
	switch kind {
	case KindVPC:
		found, _ := p.Subnet(id, "")
		return found
	case KindSubnet:
		for _, v := range p.VPCs {
			if _, found := p.Subnet(v.ID, id); found {
				return true
			}
		}
		return false
	}
	return p.HasSecurityGroup(id)
}

// seedNetwork stores the world's network resources that the store does
// not hold yet, at every start: a store of a version before them, or a
// crash after the world was stored, gets them, and one that has them is
// left as it is (they cannot be deleted while the world declares them).
// It never writes the world document, which a plain start must not: it
// could race with another node replacing the world (saveWorld).
func seedNetwork(ctx context.Context, s Store, w *World) error {
	return s.SeedNetworkResources(ctx, w.worldNetwork(time.Now()))
}

// withWorldNetwork is rs with the world's network resources that it lacks
// (a state document of a version that did not store them).
func (w *World) withWorldNetwork(rs []*NetworkResource, now time.Time) []*NetworkResource {
	have := make(map[string]bool, len(rs))
	for _, r := range rs {
		have[r.ID] = true
	}
	for _, r := range w.worldNetwork(now) {
		if !have[r.ID] {
			rs = append(rs, r)
			have[r.ID] = true
		}
	}
	return rs
}
