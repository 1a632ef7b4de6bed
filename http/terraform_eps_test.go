package http_test

import (
	"net/http"
	"testing"
	"time"
)

// gsdkGlobal sends a request as GSDK's domain-level client does for a
// global service such as EPS (the provider's catalog: eps, global, admin):
// signed as gsdk signs, then X-Domain-Id added after signing instead of
// X-Project-Id.
func (s *server) gsdkGlobal(method, path string, body any) response {
	s.t.Helper()
	req := s.gsdkRequest(method, path, body)
	req.Header.Del("X-Project-Id")
	req.Header.Set("X-Domain-Id", sdkDomainID)
	return s.send(req)
}

// epsPoll is what the provider's queryResourcesUnderEps sends: pages of
// 1000 from offset, of the project and the resource type.
func epsPoll(offset int) map[string]any {
	return map[string]any{"limit": 1000, "offset": offset, "projects": []string{q.ProjectID}, "resource_types": []string{"dayu-instance"}}
}

// TestTerraformUpdateEnterpriseProject replays what the HuaweiCloud
// provider does for an update of enterprise_project_id of a
// huaweicloud_dataarts_studio_instance (config.MigrateEnterpriseProject):
// the migrate (204 only), then, after 10 s, the resource filter, paged
// until a page is empty, until the instance is found in the target; then
// the read, the bare list, whose eps_id must be the target so that the next
// plan shows no drift. A move into an enterprise project that holds an
// instance fails the apply and changes nothing.
func TestTerraformUpdateEnterpriseProject(t *testing.T) {
	s := newServer(t)
	body := purchaseBody(testEPS(20))
	body["instance_name"] = "tf-local-dataarts"
	r := s.gsdk("POST", purchasePath(q.ProjectID), body)
	if r.status != http.StatusOK {
		t.Fatalf("purchase: %d %s", r.status, r.body)
	}
	id := r.json(t)["resource_id"].(string)
	if r := s.gsdk("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(22))); r.status != http.StatusOK {
		t.Fatalf("second purchase: %d %s", r.status, r.body)
	}

	// The provider's MigrateResourceOpts, built into a map: keys sorted,
	// associated (false) left out.
	migrate := map[string]any{"project_id": q.ProjectID, "region_id": q.RegionID, "resource_id": id, "resource_type": "dayu-instance"}
	target := testEPS(21)
	r = s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+target+"/resources-migrate", migrate)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("migrate: %d %q, want 204 and no body", r.status, r.body)
	}
	s.clock.Advance(10 * time.Second) // the poll's delay

	var found []any
	for offset := 0; ; {
		r = s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+target+"/resources/filter", epsPoll(offset))
		if r.status != http.StatusOK {
			t.Fatalf("filter at offset %d: %d %s", offset, r.status, r.body)
		}
		page := r.json(t)["resources"].([]any)
		if len(page) == 0 {
			break
		}
		found = append(found, page...)
		offset += len(page)
		if offset > 10 {
			t.Fatalf("the filter never returns an empty page: %s", r.body)
		}
	}
	if len(found) != 1 || found[0].(map[string]any)["resource_id"] != id {
		t.Fatalf("the filter of %s found %v, want only %s", target, found, id)
	}

	item := findItem(t, s.gsdk("GET", listPath(q.ProjectID), nil).json(t), id)
	if item == nil || item["eps_id"] != target {
		t.Fatalf("after the update the list shows %v, want eps_id %s", item, target)
	}
	// The enterprise project it left is empty in EPS and free for a purchase.
	r = s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+testEPS(20)+"/resources/filter", epsPoll(0))
	if r.status != http.StatusOK || len(r.json(t)["resources"].([]any)) != 0 {
		t.Errorf("the filter of the left enterprise project: %d %s, want no resources", r.status, r.body)
	}

	// An update into an occupied enterprise project: the provider sees an
	// EPS error and the apply fails; nothing moved.
	migrate["resource_id"] = id
	r = s.gsdkGlobal("POST", "/v1.0/enterprise-projects/"+testEPS(22)+"/resources-migrate", migrate)
	if r.status != http.StatusBadRequest {
		t.Fatalf("migrate into an occupied enterprise project: %d %s, want 400", r.status, r.body)
	}
	if e, _ := r.json(t)["error"].(map[string]any); e["error_code"] != "EPS.0002" {
		t.Errorf("error %s, want EPS.0002 in the EPS format", r.body)
	}
	if item := findItem(t, s.gsdk("GET", listPath(q.ProjectID), nil).json(t), id); item["eps_id"] != target {
		t.Errorf("the refused move changed eps_id to %v", item["eps_id"])
	}
	if r := s.gsdk("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(20))); r.status != http.StatusOK {
		t.Errorf("buying in the enterprise project left: %d %s", r.status, r.body)
	}
}
