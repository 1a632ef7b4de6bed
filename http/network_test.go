package http_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
)

func vpcsPath(project string) string    { return "/v1/" + project + "/vpcs" }
func subnetsPath(project string) string { return "/v1/" + project + "/subnets" }

// vpcError checks an answer in the VPC service's error format.
func vpcError(t *testing.T, r response, status int, code, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d: %s", r.status, status, r.body)
	}
	body := r.json(t)
	if body["code"] != code || !strings.Contains(body["message"].(string), want) {
		t.Errorf("got %s, want code %s and a message mentioning %q", r.body, code, want)
	}
}

// field reads a field of the object under key of a JSON answer.
func field(t *testing.T, r response, key, name string) any {
	t.Helper()
	obj, ok := r.json(t)[key].(map[string]any)
	if !ok {
		t.Fatalf("no %q object in %s", key, r.body)
	}
	return obj[name]
}

// createVPC creates a VPC as the provider does and waits it out.
func (s *server) createVPC(body map[string]any) string {
	s.t.Helper()
	r := s.call(http.StatusOK, "POST", vpcsPath(q.ProjectID), map[string]any{"vpc": body})
	return field(s.t, r, "vpc", "id").(string)
}

func (s *server) createSubnet(vpcID, cidr, gateway string) string {
	s.t.Helper()
	r := s.call(http.StatusOK, "POST", subnetsPath(q.ProjectID), map[string]any{"subnet": map[string]any{
		"name": "subnet-1", "cidr": cidr, "gateway_ip": gateway, "vpc_id": vpcID, "ipv6_enable": false, "dhcp_enable": true,
		"dnsList": []string{"100.125.1.250", "100.125.129.250"}}})
	return field(s.t, r, "subnet", "id").(string)
}

// TestAvailabilityZones lists the zones of the project's region as
// GSDK's availabilityzones.List reads them, for each project its own.
func TestAvailabilityZones(t *testing.T) {
	s := newServer(t)
	zones := func(r response) []string {
		var v struct {
			AvailabilityZoneInfo []struct {
				ZoneName  string `json:"zoneName"`
				ZoneState struct {
					Available bool `json:"available"`
				} `json:"zoneState"`
			} `json:"availabilityZoneInfo"`
		}
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, z := range v.AvailabilityZoneInfo {
			if z.ZoneState.Available {
				names = append(names, z.ZoneName)
			}
		}
		return names
	}
	got := zones(s.call(http.StatusOK, "GET", "/v2.1/"+q.ProjectID+"/os-availability-zone", nil))
	want := s.node.World().Region(q.RegionID).Zones
	if !slices.Equal(got, want) || !slices.Contains(got, q.AvailabilityZone) {
		t.Errorf("zones %v, want the region's %v", got, want)
	}
	other := s.node.World().Project(otherProject)
	r := s.send(s.gsdkRequestAs(q.AccessKey, q.SecretKey, otherProject, "GET", "/v2.1/"+otherProject+"/os-availability-zone", nil))
	if got := zones(r); !slices.Equal(got, s.node.World().Region(other.RegionID).Zones) {
		t.Errorf("the other region's zones: %v", got)
	}
}

// TestNetworkFlow replays what the provider's DataArts Studio acceptance
// test does with common.TestBaseNetwork: a VPC in an enterprise project
// and a subnet, each waited for until settled, tags, an instance bought
// in them, the refusals to delete what it uses, the import's reads, and
// the destroy in reverse order.
func TestNetworkFlow(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	eps := testEPS(7)
	vpcID := s.createVPC(map[string]any{"name": "tf-vpc", "cidr": "192.168.0.0/16", "enterprise_project_id": eps})
	vpcPath := vpcsPath(q.ProjectID) + "/" + vpcID
	if st := field(t, s.call(http.StatusOK, "GET", vpcPath, nil), "vpc", "status"); st != "CREATING" {
		t.Errorf("a new VPC is %v, want CREATING", st)
	}
	s.clock.Advance(dayu.NetworkSettling)
	got := s.call(http.StatusOK, "GET", vpcPath, nil)
	for name, want := range map[string]any{"status": "OK", "name": "tf-vpc", "cidr": "192.168.0.0/16", "enterprise_project_id": eps} {
		if v := field(t, got, "vpc", name); v != want {
			t.Errorf("vpc.%s = %v, want %v", name, v, want)
		}
	}
	v3 := s.call(http.StatusOK, "GET", "/v3/"+q.ProjectID+"/vpc/vpcs/"+vpcID, nil)
	if field(t, v3, "vpc", "status") != "ACTIVE" || len(field(t, v3, "vpc", "extend_cidrs").([]any)) != 0 {
		t.Errorf("v3 show: %s", v3.body)
	}

	s.call(http.StatusNoContent, "POST", "/v2.0/"+q.ProjectID+"/vpcs/"+vpcID+"/tags/action",
		map[string]any{"action": "create", "tags": []map[string]string{{"key": "foo", "value": "bar"}, {"key": "k", "value": "v"}}})
	s.call(http.StatusNoContent, "POST", "/v2.0/"+q.ProjectID+"/vpcs/"+vpcID+"/tags/action",
		map[string]any{"action": "delete", "tags": []map[string]string{{"key": "k", "value": "v"}}})
	if tags := s.call(http.StatusOK, "GET", "/v2.0/"+q.ProjectID+"/vpcs/"+vpcID+"/tags", nil); string(tags.body) != `{"tags":[{"key":"foo","value":"bar"}]}` {
		t.Errorf("tags: %s", tags.body)
	}

	subnetID := s.createSubnet(vpcID, "192.168.0.0/24", "192.168.0.1")
	subnetPath := subnetsPath(q.ProjectID) + "/" + subnetID
	if st := field(t, s.call(http.StatusOK, "GET", subnetPath, nil), "subnet", "status"); st != "CREATING" {
		t.Errorf("a new subnet is %v, want CREATING", st)
	}
	s.clock.Advance(dayu.NetworkSettling)
	sub := s.call(http.StatusOK, "GET", subnetPath, nil)
	if field(t, sub, "subnet", "status") != "ACTIVE" || field(t, sub, "subnet", "vpc_id") != vpcID || field(t, sub, "subnet", "gateway_ip") != "192.168.0.1" ||
		field(t, sub, "subnet", "primary_dns") != "100.125.1.250" || field(t, sub, "subnet", "secondary_dns") != "100.125.129.250" {
		t.Errorf("subnet: %s", sub.body)
	}

	// The security group, as networking_secgroup with delete_default_rules.
	sg := s.call(http.StatusCreated, "POST", "/v3/"+q.ProjectID+"/vpc/security-groups", map[string]any{"security_group": map[string]any{"name": "tf-sg", "enterprise_project_id": eps}})
	sgID := field(t, sg, "security_group", "id").(string)
	rules := field(t, sg, "security_group", "security_group_rules").([]any)
	if len(rules) != 4 {
		t.Fatalf("a new group has %d rules, want the 4 default ones: %s", len(rules), sg.body)
	}
	s.call(http.StatusOK, "PUT", "/v3/"+q.ProjectID+"/vpc/security-groups/"+sgID, map[string]any{"security_group": map[string]any{"description": "made by terraform"}})
	for _, r := range rules {
		s.call(http.StatusNoContent, "DELETE", "/v3/"+q.ProjectID+"/vpc/security-group-rules/"+r.(map[string]any)["id"].(string), nil)
	}
	sgPath := "/v1/" + q.ProjectID + "/security-groups/" + sgID
	v1 := s.call(http.StatusOK, "GET", sgPath, nil)
	if field(t, v1, "security_group", "description") != "made by terraform" || field(t, v1, "security_group", "enterprise_project_id") != eps ||
		len(field(t, v1, "security_group", "security_group_rules").([]any)) != 0 {
		t.Errorf("the group after its default rules' deletion: %s", v1.body)
	}
	vpcError(t, s.gsdk("DELETE", "/v3/"+q.ProjectID+"/vpc/security-group-rules/"+rules[0].(map[string]any)["id"].(string), nil), http.StatusNotFound, "VPC.0202", "rule")

	buy := purchaseBody(eps)
	buy["vpc_id"], buy["net_id"], buy["security_group_id"] = vpcID, subnetID, sgID
	id := field(t, response{body: []byte(`{"r":` + string(s.call(http.StatusOK, "POST", purchasePath(q.ProjectID), buy).body) + `}`)}, "r", "resource_id").(string)

	inVPC := vpcsPath(q.ProjectID) + "/" + vpcID + "/subnets/" + subnetID
	vpcError(t, s.gsdk("DELETE", inVPC, nil), http.StatusConflict, "VPC.0106", "in use")
	vpcError(t, s.gsdk("DELETE", vpcPath, nil), http.StatusConflict, "VPC.0106", "subnets")
	vpcError(t, s.gsdk("DELETE", sgPath, nil), http.StatusConflict, "VPC.0106", "in use")

	// Durable: a restart shows the same network.
	clock := s.clock
	s.stop()
	s = startServer(t, dir, clock)
	if r := s.call(http.StatusOK, "GET", subnetPath, nil); field(t, r, "subnet", "name") != "subnet-1" {
		t.Errorf("after a restart: %s", r.body)
	}

	// The provider deletes the network as soon as the unsubscription is
	// accepted: the instance being deleted holds it no more.
	s.call(http.StatusOK, "POST", unsubscribePath, map[string]any{"resource_ids": []string{id}, "unsubscribe_type": 1})
	s.call(http.StatusNoContent, "DELETE", sgPath, nil)
	vpcError(t, s.gsdk("GET", sgPath, nil), http.StatusNotFound, "VPC.0202", sgID)
	s.call(http.StatusNoContent, "DELETE", inVPC, nil)
	vpcError(t, s.gsdk("GET", subnetPath, nil), http.StatusNotFound, "VPC.0202", subnetID)
	s.call(http.StatusNoContent, "DELETE", vpcPath, nil)
	vpcError(t, s.gsdk("GET", vpcPath, nil), http.StatusNotFound, "VPC.0202", vpcID)
	vpcError(t, s.gsdk("DELETE", vpcPath, nil), http.StatusNotFound, "VPC.0202", vpcID)
}

// TestNetworkRefusals: bad input is refused in the VPC service's format
// and creates nothing; a purchase names a subnet of its VPC only.
func TestNetworkRefusals(t *testing.T) {
	s := newServer(t)
	vpcID := s.createVPC(map[string]any{"name": "vpc", "cidr": "10.0.0.0/16"})
	other := s.createVPC(map[string]any{"name": "other", "cidr": "172.16.0.0/16"})
	subnetID := s.createSubnet(vpcID, "10.0.1.0/24", "10.0.1.1")
	for _, tt := range []struct {
		name, path string
		body       map[string]any
		want       string
	}{
		{"vpc without a name", vpcsPath(q.ProjectID), map[string]any{"vpc": map[string]any{"cidr": "10.0.0.0/16"}}, "name"},
		{"vpc cidr with host bits", vpcsPath(q.ProjectID), map[string]any{"vpc": map[string]any{"name": "v", "cidr": "10.0.0.1/16"}}, "cidr"},
		{"vpc in an unknown enterprise project", vpcsPath(q.ProjectID), map[string]any{"vpc": map[string]any{"name": "v", "cidr": "10.0.0.0/16", "enterprise_project_id": "nope"}}, "enterprise_project_id"},
		{"subnet outside its vpc", subnetsPath(q.ProjectID), map[string]any{"subnet": map[string]any{"name": "s", "cidr": "10.1.0.0/24", "gateway_ip": "10.1.0.1", "vpc_id": vpcID}}, "within"},
		{"gateway outside the subnet", subnetsPath(q.ProjectID), map[string]any{"subnet": map[string]any{"name": "s", "cidr": "10.0.2.0/24", "gateway_ip": "10.0.3.1", "vpc_id": vpcID}}, "gateway_ip"},
		{"subnet of an unknown vpc", subnetsPath(q.ProjectID), map[string]any{"subnet": map[string]any{"name": "s", "cidr": "10.0.2.0/24", "gateway_ip": "10.0.2.1", "vpc_id": "nope"}}, "vpc_id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vpcError(t, s.gsdk("POST", tt.path, tt.body), http.StatusBadRequest, "VPC.0002", tt.want)
		})
	}
	if r := s.call(http.StatusOK, "GET", vpcsPath(q.ProjectID), nil); len(r.json(t)["vpcs"].([]any)) != len(s.node.World().Project(q.ProjectID).VPCs)+2 {
		t.Errorf("the refusals created VPCs: %s", r.body)
	}
	if r := s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"?vpc_id="+other, nil); len(r.json(t)["subnets"].([]any)) != 0 {
		t.Errorf("the other VPC's subnets: %s", r.body)
	}
	buy := purchaseBody(testEPS(8))
	buy["vpc_id"], buy["net_id"] = other, subnetID
	wantError(t, s.gsdk("POST", purchasePath(q.ProjectID), buy), http.StatusBadRequest, "DAYU.4402", "net_id")
	buy["vpc_id"], buy["net_id"] = "nope", subnetID
	wantError(t, s.gsdk("POST", purchasePath(q.ProjectID), buy), http.StatusBadRequest, "DAYU.4402", "vpc_id")
}

// TestNetworkTenants: another tenant neither sees nor uses a project's
// network, and a project's list holds its own only.
func TestNetworkTenants(t *testing.T) {
	s := newServer(t)
	vpcID := s.createVPC(map[string]any{"name": "mine", "cidr": "10.0.0.0/16"})
	subnetID := s.createSubnet(vpcID, "10.0.1.0/24", "10.0.1.1")
	as := func(method, path string, body any) response {
		return s.send(s.gsdkRequestAs(otherAK, otherSK, otherProjectID, method, path, body))
	}
	sg := s.call(http.StatusCreated, "POST", "/v3/"+q.ProjectID+"/vpc/security-groups", map[string]any{"security_group": map[string]any{"name": "mine"}})
	sgID := field(t, sg, "security_group", "id").(string)
	vpcError(t, as("GET", "/v1/"+otherProjectID+"/security-groups/"+sgID, nil), http.StatusNotFound, "VPC.0202", sgID)
	vpcError(t, as("GET", vpcsPath(otherProjectID)+"/"+vpcID, nil), http.StatusNotFound, "VPC.0202", vpcID)
	vpcError(t, as("DELETE", vpcsPath(otherProjectID)+"/"+vpcID, nil), http.StatusNotFound, "VPC.0202", vpcID)
	if r := as("GET", vpcsPath(otherProjectID), nil); string(r.body) != `{"vpcs":[]}` {
		t.Errorf("the other tenant's list: %s", r.body)
	}
	if r := as("GET", vpcsPath(q.ProjectID)+"/"+vpcID, nil); r.status != http.StatusForbidden {
		t.Errorf("another tenant's path: %d %s", r.status, r.body)
	}
	buy := purchaseBody(testEPS(0))
	buy["vpc_id"], buy["net_id"] = vpcID, subnetID
	wantError(t, as("POST", purchasePath(otherProjectID), buy), http.StatusBadRequest, "DAYU.4402", "vpc_id")
	buy["vpc_id"], buy["net_id"], buy["security_group_id"] = q.VpcID, q.NetID, sgID // their world's network, our group
	wantError(t, as("POST", purchasePath(otherProjectID), buy), http.StatusBadRequest, "DAYU.4402", "security_group_id")
	s.call(http.StatusOK, "GET", vpcsPath(q.ProjectID)+"/"+vpcID, nil)
}

// TestNetworkUpdates changes a VPC and a subnet as the provider's update
// does, and lists VPCs by enterprise project.
func TestNetworkUpdates(t *testing.T) {
	s := newServer(t)
	vpcID := s.createVPC(map[string]any{"name": "v1", "cidr": "10.0.0.0/16", "description": "first", "enterprise_project_id": testEPS(3)})
	r := s.call(http.StatusOK, "PUT", vpcsPath(q.ProjectID)+"/"+vpcID, map[string]any{"vpc": map[string]any{"name": "v2", "cidr": "10.0.0.0/16", "description": ""}})
	if field(t, r, "vpc", "name") != "v2" || field(t, r, "vpc", "description") != "" {
		t.Errorf("update: %s", r.body)
	}
	subnetID := s.createSubnet(vpcID, "10.0.1.0/24", "10.0.1.1")
	r = s.call(http.StatusOK, "PUT", vpcsPath(q.ProjectID)+"/"+vpcID+"/subnets/"+subnetID, map[string]any{"subnet": map[string]any{"name": "renamed", "dhcp_enable": false}})
	if got := s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"/"+subnetID, nil); field(t, got, "subnet", "name") != "renamed" || field(t, got, "subnet", "dhcp_enable") != false {
		t.Errorf("subnet after update: %s", got.body)
	}
	vpcError(t, s.gsdk("PUT", vpcsPath(q.ProjectID)+"/nope/subnets/"+subnetID, map[string]any{"subnet": map[string]any{"name": "x"}}), http.StatusNotFound, "VPC.0202", "nope")
	for _, name := range []string{"sg-a", "sg-b"} {
		s.call(http.StatusCreated, "POST", "/v3/"+q.ProjectID+"/vpc/security-groups", map[string]any{"security_group": map[string]any{"name": name}})
	}
	if r := s.call(http.StatusOK, "GET", "/v3/"+q.ProjectID+"/vpc/security-groups?name=sg-b", nil); len(r.json(t)["security_groups"].([]any)) != 1 || !strings.Contains(string(r.body), `"name":"sg-b"`) {
		t.Errorf("security groups by name: %s", r.body)
	}
	s.createVPC(map[string]any{"name": "default-eps", "cidr": "10.1.0.0/16"})
	world := len(s.node.World().Project(q.ProjectID).VPCs) // in the default enterprise project
	for query, want := range map[string]int{"": 2, "?enterprise_project_id=" + testEPS(3): 1 - world, "?enterprise_project_id=0": 1, "?enterprise_project_id=all_granted_eps": 2} {
		if r := s.call(http.StatusOK, "GET", vpcsPath(q.ProjectID)+query, nil); len(r.json(t)["vpcs"].([]any)) != want+world {
			t.Errorf("list%s: %s, want %d", query, r.body, want)
		}
	}
}

// TestNetworkOperations: the journal names network calls as the V3 SDK
// does, a tags action by its body's action, and a fault rule on one
// operation hits it alone.
func TestNetworkOperations(t *testing.T) {
	s := newServer(t)
	vpcID := s.createVPC(map[string]any{"name": "v", "cidr": "10.0.0.0/16"})
	tags := "/v2.0/" + q.ProjectID + "/vpcs/" + vpcID + "/tags/action"
	s.call(http.StatusNoContent, "POST", tags, map[string]any{"action": "create", "tags": []map[string]string{{"key": "a", "value": "1"}}})
	s.call(http.StatusNoContent, "POST", tags, map[string]any{"action": "delete", "tags": []map[string]string{{"key": "a"}}})
	for op, want := range map[string]int{"CreateVpc": 1, "BatchCreateVpcTags": 1, "BatchDeleteVpcTags": 1} {
		if j := s.do("GET", "/_dayu/requests?operation="+op, nil, adminAuth...).json(t)["requests"].([]any); len(j) != want {
			t.Errorf("journal of %s: %d entries, want %d", op, len(j), want)
		}
	}
	s.addFault(map[string]any{"operation": "CreateSubnet", "error": map[string]any{"status": 500}})
	r, err := s.raw("POST", subnetsPath(q.ProjectID), map[string]any{"subnet": map[string]any{"name": "s", "cidr": "10.0.1.0/24", "gateway_ip": "10.0.1.1", "vpc_id": vpcID}},
		"X-Auth-Token", s.token(q.ProjectID), "Content-Type", "application/json")
	if err != nil || r.status != http.StatusInternalServerError || r.json(t)["code"] != "VPC.0001" {
		t.Errorf("a fault rule on CreateSubnet: %v %d %s", err, r.status, r.body)
	}
	s.call(http.StatusOK, "GET", vpcsPath(q.ProjectID)+"/"+vpcID, nil) // another operation is untouched
	if r := s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"?vpc_id="+vpcID, nil); string(r.body) != `{"subnets":[]}` {
		t.Errorf("the faulted create stored a subnet: %s", r.body)
	}
}

// TestNetworkMoveVPC replays the provider's change of a huaweicloud_vpc's
// enterprise_project_id (config.MigrateEnterpriseProject): the migrate
// with resource_type "vpcs", then the filter until the VPC is in the
// target; the VPC shows its new enterprise project.
func TestNetworkMoveVPC(t *testing.T) {
	s := newServer(t)
	vpcID := s.createVPC(map[string]any{"name": "movable", "cidr": "10.0.0.0/16", "enterprise_project_id": testEPS(30)})
	target := testEPS(31)
	migrate := map[string]any{"project_id": q.ProjectID, "region_id": q.RegionID, "resource_id": vpcID, "resource_type": "vpcs"}
	if r := s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+target+"/resources-migrate", migrate); r.status != http.StatusNoContent {
		t.Fatalf("migrate: %d %s", r.status, r.body)
	}
	poll := map[string]any{"limit": 1000, "offset": 0, "projects": []string{q.ProjectID}, "resource_types": []string{"vpcs"}}
	r := s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+target+"/resources/filter", poll)
	found := r.json(t)["resources"].([]any)
	if r.status != http.StatusOK || len(found) != 1 || found[0].(map[string]any)["resource_id"] != vpcID || found[0].(map[string]any)["resource_type"] != "vpcs" {
		t.Fatalf("filter of the target: %d %s", r.status, r.body)
	}
	if got := field(t, s.call(http.StatusOK, "GET", vpcsPath(q.ProjectID)+"/"+vpcID, nil), "vpc", "enterprise_project_id"); got != target {
		t.Errorf("the VPC's enterprise project after the move: %v, want %s", got, target)
	}
	migrate["resource_id"] = "no-such-vpc"
	if r := s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+target+"/resources-migrate", migrate); r.status != http.StatusNotFound {
		t.Errorf("moving an unknown VPC: %d %s", r.status, r.body)
	}
	poll["resource_types"] = []string{"vpcs", "dayu-instance"}
	if r := s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+target+"/resources/filter", poll); r.status != http.StatusBadRequest {
		t.Errorf("a filter of two types: %d %s", r.status, r.body)
	}
}

// TestNetworkState: the network moves with the state to another server,
// where a purchase may name it and its refusals hold.
func TestNetworkState(t *testing.T) {
	a := newServer(t)
	vpcID := a.createVPC(map[string]any{"name": "moved", "cidr": "10.0.0.0/16"})
	subnetID := a.createSubnet(vpcID, "10.0.1.0/24", "10.0.1.1")
	doc := a.exportState()

	b := newServer(t)
	if r := b.do("PUT", "/_dayu/state", doc, adminAuth...); r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if r := b.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"/"+subnetID, nil); field(t, r, "subnet", "vpc_id") != vpcID {
		t.Errorf("the imported subnet: %s", r.body)
	}
	vpcError(t, b.gsdk("DELETE", vpcsPath(q.ProjectID)+"/"+vpcID, nil), http.StatusConflict, "VPC.0106", "subnets")
	buy := purchaseBody(testEPS(40))
	buy["vpc_id"], buy["net_id"] = vpcID, subnetID
	b.call(http.StatusOK, "POST", purchasePath(q.ProjectID), buy)
}

// TestNetworkExtendCIDRs replays the VPC resource's secondary_cidrs: the
// blocks added and removed through v3 and shown by its show; overlapping,
// reserved and unknown blocks refused in the VPC service's format, changing
// nothing; a block with a subnet in it kept.
func TestNetworkExtendCIDRs(t *testing.T) {
	s := newServer(t)
	vpcID := s.createVPC(map[string]any{"name": "v", "cidr": "192.168.0.0/16"})
	v3 := "/v3/" + q.ProjectID + "/vpc/vpcs/" + vpcID
	body := func(cidrs ...string) map[string]any {
		return map[string]any{"vpc": map[string]any{"extend_cidrs": cidrs}}
	}
	extend := func(r response) []string {
		var out []string
		for _, c := range field(t, r, "vpc", "extend_cidrs").([]any) {
			out = append(out, c.(string))
		}
		return out
	}
	r := s.call(http.StatusOK, "PUT", v3+"/add-extend-cidr", body("172.16.0.0/16", "10.0.0.0/16"))
	if got := extend(r); !slices.Equal(got, []string{"172.16.0.0/16", "10.0.0.0/16"}) {
		t.Errorf("after the add: %v", got)
	}
	for _, tt := range []struct {
		name  string
		cidrs []string
		want  string
	}{
		{"within the vpc's cidr", []string{"192.168.1.0/24"}, "192.168.0.0/16"},
		{"over a secondary block", []string{"172.0.0.0/8"}, "172.16.0.0/16"},
		{"over each other", []string{"172.20.0.0/16", "172.20.128.0/17"}, "172.20.0.0/16"},
		{"reserved", []string{"100.64.0.0/16"}, "reserved"},
		{"not a cidr", []string{"172.30.0.1/16"}, "extend_cidrs"},
		{"too many", []string{"172.21.0.0/16", "172.22.0.0/16", "172.23.0.0/16", "172.24.0.0/16"}, "at most 5"},
		{"none", []string{}, "extend_cidrs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vpcError(t, s.gsdk("PUT", v3+"/add-extend-cidr", body(tt.cidrs...)), http.StatusBadRequest, "VPC.0002", tt.want)
		})
	}
	if got := extend(s.call(http.StatusOK, "GET", v3, nil)); len(got) != 2 {
		t.Errorf("the refusals changed the blocks: %v", got)
	}
	s.clock.Advance(dayu.NetworkSettling)
	subnetID := s.createSubnet(vpcID, "172.16.1.0/24", "172.16.1.1") // in a secondary block
	vpcError(t, s.gsdk("PUT", v3+"/remove-extend-cidr", body("172.16.0.0/16")), http.StatusConflict, "VPC.0106", subnetID)
	vpcError(t, s.gsdk("PUT", v3+"/remove-extend-cidr", body("10.9.0.0/16")), http.StatusBadRequest, "VPC.0002", "10.9.0.0/16")
	r = s.call(http.StatusOK, "PUT", v3+"/remove-extend-cidr", body("10.0.0.0/16"))
	if got := extend(r); !slices.Equal(got, []string{"172.16.0.0/16"}) {
		t.Errorf("after the removal: %v", got)
	}
	vpcError(t, s.gsdk("POST", subnetsPath(q.ProjectID), map[string]any{"subnet": map[string]any{"name": "s", "cidr": "10.0.1.0/24", "gateway_ip": "10.0.1.1", "vpc_id": vpcID}}),
		http.StatusBadRequest, "VPC.0002", "within")
	vpcError(t, s.gsdk("PUT", "/v3/"+q.ProjectID+"/vpc/vpcs/nope/add-extend-cidr", body("10.0.0.0/16")), http.StatusNotFound, "VPC.0202", "nope")

	// The v1 update's new cidr overlaps no secondary block and keeps the
	// subnets within the VPC's blocks.
	v1 := vpcsPath(q.ProjectID) + "/" + vpcID
	vpcError(t, s.gsdk("PUT", v1, map[string]any{"vpc": map[string]any{"cidr": "172.16.0.0/12"}}), http.StatusBadRequest, "VPC.0002", "172.16.0.0/16")
	s.createSubnet(vpcID, "192.168.5.0/24", "192.168.5.1")
	vpcError(t, s.gsdk("PUT", v1, map[string]any{"vpc": map[string]any{"cidr": "192.168.8.0/21"}}), http.StatusBadRequest, "VPC.0002", "192.168.5.0/24")
	if r := s.call(http.StatusOK, "PUT", v1, map[string]any{"vpc": map[string]any{"name": "v", "cidr": "192.168.0.0/20"}}); field(t, r, "vpc", "cidr") != "192.168.0.0/20" {
		t.Errorf("a cidr that still holds the subnets: %s", r.body)
	}
}

// TestNameServers reads the DNS servers as the subnet resource does
// (nameservers.List with the region, the first entry's addresses): the
// region's private servers, fixed across calls; another region's its own.
func TestNameServers(t *testing.T) {
	s := newServer(t)
	servers := func(query string) []map[string]any {
		r := s.call(http.StatusOK, "GET", "/v2/nameservers"+query, nil)
		var out []map[string]any
		for _, ns := range r.json(t)["nameservers"].([]any) {
			out = append(out, ns.(map[string]any))
		}
		return out
	}
	addresses := func(ns map[string]any) []string {
		var out []string
		for _, rec := range ns["ns_records"].([]any) {
			out = append(out, rec.(map[string]any)["address"].(string))
		}
		return out
	}
	got := servers("?region=" + q.RegionID)
	if len(got) != 1 || got[0]["type"] != "private" || got[0]["region"] != q.RegionID {
		t.Fatalf("the region's name servers: %v", got)
	}
	mine := addresses(got[0])
	if len(mine) != 2 || mine[0] != "100.125.1.250" || !strings.HasPrefix(mine[1], "100.125.") || mine[1] == mine[0] {
		t.Errorf("the region's addresses: %v", mine)
	}
	if again := addresses(servers("?region=" + q.RegionID)[0]); !slices.Equal(again, mine) {
		t.Errorf("a second read: %v, first %v", again, mine)
	}
	south := s.node.World().Project(otherProject).RegionID
	if other := servers("?region=" + south); len(other) != 1 || other[0]["region"] != south || len(addresses(other[0])) != 2 {
		t.Errorf("the other region's: %v", other)
	}
	if none := servers("?region=nowhere"); len(none) != 0 {
		t.Errorf("an unknown region's: %v", none)
	}
	all := servers("")
	if len(all) != len(s.node.World().Regions)+1 || all[len(all)-1]["type"] != "public" {
		t.Errorf("all name servers: %v", all)
	}
	if pub := servers("?type=public"); len(pub) != 1 || pub[0]["type"] != "public" {
		t.Errorf("the public ones: %v", pub)
	}
}

// TestSecurityGroupsV1List lists groups as the networking_secgroup data
// sources' v1 fallback does (by enterprise project, paged by marker until
// a page is empty), and changes one through neutron's update, the
// resource's fallback, in the caller's project only.
func TestSecurityGroupsV1List(t *testing.T) {
	s := newServer(t)
	eps := testEPS(12)
	var made []string
	for i, e := range []string{"", eps, ""} {
		r := s.call(http.StatusCreated, "POST", "/v3/"+q.ProjectID+"/vpc/security-groups",
			map[string]any{"security_group": map[string]any{"name": "sg-" + string(rune('a'+i)), "enterprise_project_id": e}})
		made = append(made, field(t, r, "security_group", "id").(string))
	}
	ids := func(query string) []string {
		var out []string
		for _, g := range s.call(http.StatusOK, "GET", "/v1/"+q.ProjectID+"/security-groups"+query, nil).json(t)["security_groups"].([]any) {
			out = append(out, g.(map[string]any)["id"].(string))
		}
		return out
	}
	all := ids("")
	for _, id := range made {
		if !slices.Contains(all, id) {
			t.Errorf("group %s not listed: %v", id, all)
		}
	}
	if got := ids("?enterprise_project_id=" + eps); !slices.Equal(got, made[1:2]) {
		t.Errorf("by enterprise project: %v, want %v", got, made[1:2])
	}
	var paged []string
	for marker := ""; len(paged) <= len(all); {
		page := ids("?limit=1" + marker)
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		marker = "&marker=" + page[0]
	}
	if !slices.Equal(paged, all) {
		t.Errorf("paged: %v, want %v", paged, all)
	}
	vpcError(t, s.gsdk("GET", "/v1/"+q.ProjectID+"/security-groups?marker=nope", nil), http.StatusBadRequest, "VPC.0002", "marker")

	r := s.call(http.StatusOK, "PUT", "/v2.0/security-groups/"+made[0], map[string]any{"security_group": map[string]any{"name": "renamed", "description": "by neutron"}})
	if field(t, r, "security_group", "name") != "renamed" || field(t, r, "security_group", "tenant_id") != q.ProjectID {
		t.Errorf("neutron's update: %s", r.body)
	}
	if v1 := s.call(http.StatusOK, "GET", "/v1/"+q.ProjectID+"/security-groups/"+made[0], nil); field(t, v1, "security_group", "description") != "by neutron" {
		t.Errorf("after neutron's update: %s", v1.body)
	}
	theirs := s.send(s.gsdkRequestAs(otherAK, otherSK, otherProjectID, "PUT", "/v2.0/security-groups/"+made[0], map[string]any{"security_group": map[string]any{"name": "theirs"}}))
	vpcError(t, theirs, http.StatusNotFound, "VPC.0202", made[0])
	if v1 := s.call(http.StatusOK, "GET", "/v1/"+q.ProjectID+"/security-groups/"+made[0], nil); field(t, v1, "security_group", "name") != "renamed" {
		t.Errorf("another tenant renamed the group: %s", v1.body)
	}
}

// TestWorldNetwork: the world file's VPC, subnets and security group are
// ordinary network resources: shown and listed through v1 and v3, settled,
// changed, tagged and extended like created ones, a subnet created in the
// world's VPC; durable across a restart (not seeded again over the
// changes), the other tenant's hidden; deleting them refused, as the world
// file declares them.
func TestWorldNetwork(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	vpcPath := vpcsPath(q.ProjectID) + "/" + q.VpcID
	v := s.call(http.StatusOK, "GET", vpcPath, nil)
	if field(t, v, "vpc", "status") != "OK" || field(t, v, "vpc", "enterprise_project_id") != "0" {
		t.Errorf("the world's VPC: %s", v.body)
	}
	vpcCIDR := netip.MustParsePrefix(field(t, v, "vpc", "cidr").(string))
	if r := s.call(http.StatusOK, "GET", "/v3/"+q.ProjectID+"/vpc/vpcs/"+q.VpcID, nil); field(t, r, "vpc", "status") != "ACTIVE" {
		t.Errorf("the world's VPC in v3: %s", r.body)
	}
	sub := s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"/"+q.NetID, nil)
	dns := s.call(http.StatusOK, "GET", "/v2/nameservers?region="+q.RegionID, nil).json(t)["nameservers"].([]any)[0].(map[string]any)["ns_records"].([]any)
	if field(t, sub, "subnet", "status") != "ACTIVE" || field(t, sub, "subnet", "vpc_id") != q.VpcID ||
		field(t, sub, "subnet", "primary_dns") != dns[0].(map[string]any)["address"] ||
		!vpcCIDR.Contains(netip.MustParseAddr(field(t, sub, "subnet", "gateway_ip").(string))) {
		t.Errorf("the world's subnet: %s", sub.body)
	}
	worldSubnets := s.node.World().Project(q.ProjectID).VPCs[0].Subnets
	if r := s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"?vpc_id="+q.VpcID, nil); len(r.json(t)["subnets"].([]any)) != len(worldSubnets) {
		t.Errorf("the world VPC's subnets: %s", r.body)
	}
	sgPath := "/v1/" + q.ProjectID + "/security-groups/" + q.SecurityGroupID
	if r := s.call(http.StatusOK, "GET", sgPath, nil); len(field(t, r, "security_group", "security_group_rules").([]any)) != 4 {
		t.Errorf("the world's security group: %s", r.body)
	}
	if r := s.call(http.StatusOK, "GET", "/v3/"+q.ProjectID+"/vpc/security-groups?id="+q.SecurityGroupID, nil); len(r.json(t)["security_groups"].([]any)) != 1 {
		t.Errorf("the world's security group in v3's list: %s", r.body)
	}

	s.call(http.StatusOK, "PUT", vpcPath, map[string]any{"vpc": map[string]any{"name": "renamed"}})
	s.call(http.StatusNoContent, "POST", "/v2.0/"+q.ProjectID+"/vpcs/"+q.VpcID+"/tags/action", map[string]any{"action": "create", "tags": []map[string]string{{"key": "k", "value": "v"}}})
	s.call(http.StatusOK, "PUT", "/v3/"+q.ProjectID+"/vpc/vpcs/"+q.VpcID+"/add-extend-cidr", map[string]any{"vpc": map[string]any{"extend_cidrs": []string{"172.16.0.0/16"}}})
	mine := s.createSubnet(q.VpcID, "172.16.9.0/24", "172.16.9.1")

	clock := s.clock
	s.stop()
	s = startServer(t, dir, clock)
	v3 := s.call(http.StatusOK, "GET", "/v3/"+q.ProjectID+"/vpc/vpcs/"+q.VpcID, nil)
	if field(t, v3, "vpc", "name") != "renamed" || len(field(t, v3, "vpc", "extend_cidrs").([]any)) != 1 || len(field(t, v3, "vpc", "tags").([]any)) != 1 {
		t.Errorf("the world's VPC after a restart: %s", v3.body)
	}
	vpcError(t, s.send(s.gsdkRequestAs(otherAK, otherSK, otherProjectID, "GET", vpcsPath(otherProjectID)+"/"+q.VpcID, nil)), http.StatusNotFound, "VPC.0202", q.VpcID)

	vpcError(t, s.gsdk("DELETE", vpcsPath(q.ProjectID)+"/"+q.VpcID+"/subnets/"+q.NetID, nil), http.StatusConflict, "VPC.0106", "world file")
	vpcError(t, s.gsdk("DELETE", sgPath, nil), http.StatusConflict, "VPC.0106", "world file")
	s.call(http.StatusNoContent, "DELETE", vpcsPath(q.ProjectID)+"/"+q.VpcID+"/subnets/"+mine, nil)
	vpcError(t, s.gsdk("DELETE", vpcPath, nil), http.StatusConflict, "VPC.0106", "world file")
	s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"/"+q.NetID, nil)

	// A reset empties the store but for the world's network, as the world
	// file gives it.
	if r := s.do("POST", "/_dayu/reset", nil, adminAuth...); r.status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if r := s.call(http.StatusOK, "GET", vpcPath, nil); field(t, r, "vpc", "name") == "renamed" || field(t, r, "vpc", "status") != "OK" {
		t.Errorf("the world's VPC after a reset: %s", r.body)
	}
	s.call(http.StatusOK, "GET", sgPath, nil)
}

// TestWorldNetworkState: an imported state document without the world's
// network (a version's before it was stored) still leaves it stored.
func TestWorldNetworkState(t *testing.T) {
	a := newServer(t)
	var doc map[string]any
	if err := json.Unmarshal(a.exportState(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc["network_resources"].([]any)) == 0 {
		t.Fatalf("the export holds no network: %v", doc["network_resources"])
	}
	delete(doc, "network_resources")
	b := newServer(t)
	if r := b.do("PUT", "/_dayu/state", doc, adminAuth...); r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if r := b.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"/"+q.NetID, nil); field(t, r, "subnet", "vpc_id") != q.VpcID {
		t.Errorf("the world's subnet after the import: %s", r.body)
	}
}

// TestSecurityGroupsV3Pages pages the v3 groups and rules as GSDK's marker
// pager does (the data sources'): again with the last id of each page
// until a page is empty, so a list that ignored the marker would never
// end; the rules of a group by security_group_id.
func TestSecurityGroupsV3Pages(t *testing.T) {
	s := newServer(t)
	var made []string
	for _, name := range []string{"p-a", "p-b", "p-c"} {
		r := s.call(http.StatusCreated, "POST", "/v3/"+q.ProjectID+"/vpc/security-groups", map[string]any{"security_group": map[string]any{"name": name}})
		made = append(made, field(t, r, "security_group", "id").(string))
	}
	walk := func(path, key, query string) []string {
		var ids []string
		for marker, pages := "", 0; pages < 20; pages++ {
			items := s.call(http.StatusOK, "GET", path+"?"+query+marker, nil).json(t)[key].([]any)
			if len(items) == 0 {
				return ids
			}
			for _, it := range items {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			marker = "&marker=" + ids[len(ids)-1]
		}
		t.Fatalf("%s?%s: still not an empty page after 20 pages", path, query)
		return nil
	}
	groups := "/v3/" + q.ProjectID + "/vpc/security-groups"
	whole := walk(groups, "security_groups", "")
	if byOne := walk(groups, "security_groups", "limit=1"); !slices.Equal(byOne, whole) || len(whole) != len(made)+len(s.node.World().Project(q.ProjectID).SecurityGroups) {
		t.Errorf("the groups by pages of one: %v, all at once: %v", byOne, whole)
	}
	if got := walk(groups, "security_groups", "name=p-b&name=p-c"); !slices.Equal(got, made[1:]) {
		t.Errorf("by two names: %v, want %v", got, made[1:])
	}
	if r := s.call(http.StatusOK, "GET", groups+"?limit=2", nil).json(t)["page_info"].(map[string]any); r["current_count"] != 2.0 || r["next_marker"] == nil {
		t.Errorf("a page that more follow: %v", r)
	}

	rules := "/v3/" + q.ProjectID + "/vpc/security-group-rules"
	of := walk(rules, "security_group_rules", "security_group_id="+made[0])
	if len(of) != 4 {
		t.Fatalf("a new group's rules: %v", of)
	}
	s.call(http.StatusNoContent, "DELETE", rules+"/"+of[0], nil)
	if got := walk(rules, "security_group_rules", "limit=1&security_group_id="+made[0]); !slices.Equal(got, of[1:]) {
		t.Errorf("after a rule's deletion, by pages of one: %v, want %v", got, of[1:])
	}
	if got := walk(rules, "security_group_rules", "direction=egress&security_group_id="+made[1]); len(got) != 2 {
		t.Errorf("a group's egress rules: %v", got)
	}
	other := s.send(s.gsdkRequestAs(otherAK, otherSK, otherProjectID, "GET", "/v3/"+otherProjectID+"/vpc/security-group-rules?security_group_id="+made[0], nil))
	if other.status != http.StatusOK || len(other.json(t)["security_group_rules"].([]any)) != 0 {
		t.Errorf("another tenant's view of the rules: %d %s", other.status, other.body)
	}
}

// TestWorldNetworkUndeclared: a world subnet that the world file no longer
// declares (the world replaced without it) stays stored and may then be
// deleted like a created one.
func TestWorldNetworkUndeclared(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{})
	dropped := s.node.World().Project(q.ProjectID).VPCs[0].Subnets[1]
	path := vpcsPath(q.ProjectID) + "/" + q.VpcID + "/subnets/" + dropped
	vpcError(t, s.gsdk("DELETE", path, nil), http.StatusConflict, "VPC.0106", "world file")
	clock := s.clock
	s.stop()

	doc, err := testWorld()
	if err != nil {
		t.Fatal(err)
	}
	var w dayu.World
	if err := json.Unmarshal(doc, &w); err != nil {
		t.Fatal(err)
	}
	for _, d := range w.Domains {
		for _, p := range d.Projects {
			for i, v := range p.VPCs {
				p.VPCs[i].Subnets = slices.DeleteFunc(v.Subnets, func(id string) bool { return id == dropped })
			}
		}
	}
	file := worldFile(t, &w)
	s = startServer(t, dir, clock, func(c *node.Config) { c.World, c.ReplaceWorld = file, true })
	if _, found := s.node.World().Project(q.ProjectID).Subnet(q.VpcID, dropped); found {
		t.Fatalf("the replaced world still declares %s", dropped)
	}
	s.call(http.StatusOK, "GET", subnetsPath(q.ProjectID)+"/"+dropped, nil)
	s.call(http.StatusNoContent, "DELETE", path, nil)
	vpcError(t, s.gsdk("DELETE", vpcsPath(q.ProjectID)+"/"+q.VpcID+"/subnets/"+q.NetID, nil), http.StatusConflict, "VPC.0106", "world file")
}

// worldFile is w as a world file, read as --world reads one.
func worldFile(t *testing.T, w *dayu.World) *dayu.WorldFile {
	t.Helper()
	doc, err := w.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	file, err := dayu.ReadWorldFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	return file
}
