package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dayu-emu/dayu"
)

// networkTests are the cases of dayu.NetworkStore.
var networkTests = []struct {
	name string
	fn   func(t *testing.T, h *harness)
}{
	{"NetworkResources", testNetworkResources},
	{"NetworkDeleteRefusals", testNetworkDeleteRefusals},
	{"SubnetCreateRacesVPCDelete", testSubnetCreateRacesVPCDelete},
}

func network(kind dayu.NetworkKind, project, parent string) *dayu.NetworkResource {
	now := clock.UTC().Truncate(time.Millisecond)
	return &dayu.NetworkResource{Kind: kind, ID: uuid.NewString(), ProjectID: project, ParentID: parent, Name: "名前-" + string(kind),
		EpsID: "eps-1", CreatedAt: now, UpdatedAt: now, Spec: dayu.NetworkSpec{CIDR: "10.0.0.0/16", Description: "d",
			Tags: []dayu.Tag{{Key: "k", Value: "v"}}, Rules: []dayu.SecurityGroupRule{{ID: "r1", Direction: "egress", Ethertype: "IPv4", RemoteIPPrefix: "0.0.0.0/0"}}}}
}

// createNetwork stores a VPC, a subnet of it and a security group in the
// project.
func createNetwork(t *testing.T, s dayu.Store, project string) (vpc, subnet, sg *dayu.NetworkResource) {
	t.Helper()
	vpc = network(dayu.KindVPC, project, "")
	subnet = network(dayu.KindSubnet, project, vpc.ID)
	sg = network(dayu.KindSecurityGroup, project, "")
	for _, r := range []*dayu.NetworkResource{vpc, subnet, sg} {
		if err := s.CreateNetworkResource(ctx(t), r); err != nil {
			t.Fatalf("CreateNetworkResource(%s %s): %v", r.Kind, r.ID, err)
		}
	}
	return vpc, subnet, sg
}

// testNetworkResources stores, reads, finds, changes and lists network
// resources, each in its project only, and reads them after a restart.
func testNetworkResources(t *testing.T, h *harness) {
	s := h.store()
	vpc, subnet, sg := createNetwork(t, s, "p1")
	if err := s.CreateNetworkResource(ctx(t), network(dayu.KindSubnet, "p2", vpc.ID)); !errors.Is(err, dayu.ErrVPCNotFound) {
		t.Errorf("a subnet of another project's VPC: %v, want ErrVPCNotFound", err)
	}
	if _, err := s.NetworkResource(ctx(t), "p2", dayu.KindVPC, vpc.ID); !errors.Is(err, dayu.ErrNetworkResourceNotFound) {
		t.Errorf("another project's VPC: %v", err)
	}
	if _, err := s.NetworkResource(ctx(t), "p1", dayu.KindSubnet, vpc.ID); !errors.Is(err, dayu.ErrNetworkResourceNotFound) {
		t.Errorf("a VPC read as a subnet: %v", err)
	}
	found, err := s.FindNetworkResources(ctx(t), "p1", vpc.ID, subnet.ID, "nope")
	if err != nil || len(found) != 2 {
		t.Errorf("FindNetworkResources = %d, %v; want the VPC and the subnet", len(found), err)
	}
	if found, _ := s.FindNetworkResources(ctx(t), "p2", vpc.ID, subnet.ID, sg.ID); len(found) != 0 {
		t.Errorf("another project finds %d", len(found))
	}

	vpc.Name, vpc.Spec.Description, vpc.UpdatedAt = "renamed", "", vpc.UpdatedAt.Add(time.Second)
	if err := s.SaveNetworkResource(ctx(t), vpc); err != nil {
		t.Fatalf("SaveNetworkResource: %v", err)
	}
	other := network(dayu.KindVPC, "p2", "")
	if err := s.SaveNetworkResource(ctx(t), other); !errors.Is(err, dayu.ErrNetworkResourceNotFound) {
		t.Errorf("saving an unstored resource: %v", err)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = h.store()
	got, err := s.NetworkResource(ctx(t), "p1", dayu.KindVPC, vpc.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "the VPC after a restart", got, vpc)
	subnets, err := s.NetworkResources(ctx(t), "p1", dayu.KindSubnet, vpc.ID)
	if err != nil || len(subnets) != 1 {
		t.Fatalf("subnets of the VPC: %d, %v", len(subnets), err)
	}
	same(t, "the subnet", subnets[0], subnet)
	if none, _ := s.NetworkResources(ctx(t), "p1", dayu.KindSubnet, "other-vpc"); len(none) != 0 {
		t.Errorf("another VPC's subnets: %d", len(none))
	}
	groups, _ := s.NetworkResources(ctx(t), "p1", dayu.KindSecurityGroup, "")
	if len(groups) != 1 {
		t.Fatalf("security groups: %d", len(groups))
	}
	same(t, "the security group", groups[0], sg)

	// What Reset is given to keep (the world's network) is all that is
	// left, stored in the reset's own transaction.
	if err := s.Reset(ctx(t), []*dayu.NetworkResource{sg}); err != nil {
		t.Fatal(err)
	}
	left, err := s.FindNetworkResources(ctx(t), "p1", vpc.ID, subnet.ID, sg.ID)
	if err != nil || len(left) != 1 {
		t.Fatalf("after Reset keeping the security group: %d network resources, %v", len(left), err)
	}
	same(t, "the security group kept by Reset", left[0], sg)
	if err := s.Reset(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	if left, err := s.FindNetworkResources(ctx(t), "p1", vpc.ID, subnet.ID, sg.ID); err != nil || len(left) != 0 {
		t.Errorf("after Reset: %d network resources, %v", len(left), err)
	}
}

// testNetworkDeleteRefusals: a VPC with subnets, and what a living
// instance uses, are not deleted; a gone or unsubscribed instance holds
// nothing.
func testNetworkDeleteRefusals(t *testing.T, h *harness) {
	s := h.store()
	vpc, subnet, sg := createNetwork(t, s, "p1")
	o, i := purchase("p1", "eps-1")
	noRenew(i)
	i.VpcID, i.NetID, i.SecurityGroupID = vpc.ID, subnet.ID, sg.ID
	buy(t, s, o, i)

	del := func(r *dayu.NetworkResource, at time.Time) error {
		return s.DeleteNetworkResource(ctx(t), r.ProjectID, r.Kind, r.ID, at)
	}
	if err := del(vpc, clock); !errors.Is(err, dayu.ErrNetworkHasSubnets) {
		t.Errorf("a VPC with subnets: %v", err)
	}
	for _, r := range []*dayu.NetworkResource{subnet, sg} {
		if err := del(r, i.GoneAt.Add(-time.Millisecond)); !errors.Is(err, dayu.ErrNetworkInUse) {
			t.Errorf("a %s in use: %v", r.Kind, err)
		}
	}
	if err := s.DeleteNetworkResource(ctx(t), "p2", dayu.KindSecurityGroup, sg.ID, i.GoneAt); !errors.Is(err, dayu.ErrNetworkResourceNotFound) {
		t.Errorf("another project's group: %v", err)
	}
	for _, r := range []*dayu.NetworkResource{sg, subnet, vpc} {
		if err := del(r, i.GoneAt); err != nil {
			t.Errorf("a %s once the instance is gone: %v", r.Kind, err)
		}
	}
	if err := del(vpc, i.GoneAt); !errors.Is(err, dayu.ErrNetworkResourceNotFound) {
		t.Errorf("a deleted VPC: %v", err)
	}

	vpc, subnet, _ = createNetwork(t, s, "p1")
	o, i = purchase("p1", "eps-2")
	i.VpcID, i.NetID = vpc.ID, subnet.ID
	buy(t, s, o, i)
	if err := del(subnet, clock); !errors.Is(err, dayu.ErrNetworkInUse) {
		t.Fatalf("a subnet of an instance that renews: %v", err)
	}
	i.AutoRenewUntil, i.UnsubscribedAt, i.GoneAt = clock, clock, clock.Add(time.Hour)
	if lost, err := s.SaveUnsubscriptions(ctx(t), []*dayu.Instance{i}, nil); err != nil || len(lost) != 0 {
		t.Fatalf("SaveUnsubscriptions: %v, %v", lost, err)
	}
	if err := del(subnet, clock); err != nil {
		t.Errorf("the subnet of an unsubscribed instance: %v", err)
	}
}

// testSubnetCreateRacesVPCDelete creates a subnet while its VPC is being
// deleted, a bounded number of times: one of the two must lose (the VPC
// stays with its subnet, or the subnet is refused), never both win with a
// subnet left without a VPC.
func testSubnetCreateRacesVPCDelete(t *testing.T, h *harness) {
	s := h.store()
	for range 20 {
		vpc := network(dayu.KindVPC, "p1", "")
		if err := s.CreateNetworkResource(ctx(t), vpc); err != nil {
			t.Fatal(err)
		}
		subnet := network(dayu.KindSubnet, "p1", vpc.ID)
		var created, deleted error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); created = s.CreateNetworkResource(ctx(t), subnet) }()
		go func() { defer wg.Done(); deleted = s.DeleteNetworkResource(ctx(t), "p1", dayu.KindVPC, vpc.ID, clock) }()
		wg.Wait()
		switch {
		case created == nil && deleted == nil:
			t.Fatalf("both the subnet's create and its VPC's delete succeeded: subnet %s has no VPC", subnet.ID)
		case created == nil && !errors.Is(deleted, dayu.ErrNetworkHasSubnets):
			t.Fatalf("the delete of a VPC with a subnet: %v", deleted)
		case deleted == nil && !errors.Is(created, dayu.ErrVPCNotFound):
			t.Fatalf("the create of a subnet of a deleted VPC: %v", created)
		}
		if created == nil {
			if _, err := s.NetworkResource(ctx(t), "p1", dayu.KindVPC, vpc.ID); err != nil {
				t.Fatalf("the subnet's VPC: %v", err)
			}
		}
	}
}
