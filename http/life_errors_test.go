package http_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// lifeState is what a caller can see of an instance's life: its list
// item, its orders and its workspaces.
func (s *server) lifeState(id string) []any {
	s.t.Helper()
	return []any{
		s.listed(id),
		s.call(http.StatusOK, "GET", "/v2/orders/customer-orders?limit=100", nil).json(s.t),
		s.call(http.StatusOK, "GET", "/v1/"+q.ProjectID+"/workspaces/"+id, nil).json(s.t),
		s.call(http.StatusOK, "POST", "/v1.0/enterprise-projects/"+testEPS(40)+"/resources/filter", epsPoll(0)).json(s.t),
	}
}

// errorCode is the error_code of an answer in any of the formats: flat
// (DataArts Studio, BSS, the gateway) or EPS's {"error": {...}}.
func errorCode(t *testing.T, r response) (code, msg string) {
	t.Helper()
	body := r.json(t)
	if e, ok := body["error"].(map[string]any); ok {
		body = e
	}
	code, _ = body["error_code"].(string)
	msg, _ = body["error_msg"].(string)
	return code, msg
}

// TestLifeBadInput: every new endpoint answers bad input with a clear
// error in its service's format, naming what is wrong, and changes
// nothing.
func TestLifeBadInput(t *testing.T) {
	s := newServer(t)
	id, _ := s.purchase(testEPS(40), 0)
	r := s.call(http.StatusOK, "POST", renewPath, map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1})
	pending := r.json(t)["order_ids"].([]any)[0].(string)
	pkg := purchaseBody(testEPS(40))
	pkg["extesion_package_type"], pkg["binding_instance_id"] = "dayu.package.cdm", id
	pkgID := s.call(http.StatusOK, "POST", purchasePath(q.ProjectID), pkg).json(t)["resource_id"].(string)
	before := s.lifeState(id)

	renew := func(k string, v any) map[string]any {
		b := map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1, "is_auto_pay": 1}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	many := make([]string, 101)
	for n := range many {
		many[n] = id
	}
	migrate := func(k string, v any) map[string]any {
		b := map[string]any{"resource_type": "dayu-instance", "resource_id": id, "project_id": q.ProjectID}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	filter := func(k string, v any) map[string]any {
		b := epsPoll(0)
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	workspace := func(k string, v any) map[string]any {
		b := map[string]any{"name": "ws", "eps_id": "0"}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	change := func(k string, v any) map[string]any {
		b := map[string]any{"change_mode": 10, "resource_id": id, "resource_spec_code": "dayu.basic"}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	eps, cp := "/v1.0/enterprise-projects/"+testEPS(40), "/v1/"+q.ProjectID+"/change-resource"
	wsPath := "/v1/" + q.ProjectID + "/workspaces/" + id
	long := strings.Repeat("w", 129)
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"auto-renew times 100", "POST", autoRenewPath(id), map[string]any{"auto_renew_times": 100}, 400, "CBC.0100", "auto_renew_times"},
		{"auto-renew weekly", "POST", autoRenewPath(id), map[string]any{"period_type": "WEEK"}, 400, "CBC.0100", "period_type"},
		{"auto-renew yearly of a monthly", "POST", autoRenewPath(id), map[string]any{"period_type": "YEAR"}, 400, "CBC.0100", "period_type"},
		{"auto-renew an array", "POST", autoRenewPath(id), []int{1}, 400, "CBC.0100", "body"},
		{"auto-renew an unknown resource", "POST", autoRenewPath("no-such"), nil, 404, "CBC.0101", "no-such"},
		{"auto-renew off an unknown resource", "DELETE", autoRenewPath("no-such"), nil, 404, "CBC.0101", "no-such"},
		{"renew without period_type", "POST", renewPath, renew("period_type", nil), 400, "CBC.0100", "period_type"},
		{"renew period_type 4", "POST", renewPath, renew("period_type", 4), 400, "CBC.0100", "period_type"},
		{"renew period_num 0", "POST", renewPath, renew("period_num", 0), 400, "CBC.0100", "period_num"},
		{"renew 10 months", "POST", renewPath, renew("period_num", 10), 400, "CBC.0100", "period_num"},
		{"renew period_num a string", "POST", renewPath, renew("period_num", "1"), 400, "CBC.0100", "period_num"},
		{"renew is_auto_pay 2", "POST", renewPath, renew("is_auto_pay", 2), 400, "CBC.0100", "is_auto_pay"},
		{"renew no resources", "POST", renewPath, renew("resource_ids", []string{}), 400, "CBC.0100", "resource_ids"},
		{"renew 101 resources", "POST", renewPath, renew("resource_ids", many), 400, "CBC.0100", "resource_ids"},
		{"pay without order_id", "POST", "/v3/orders/customer-orders/pay", map[string]any{}, 400, "CBC.0100", "order_id"},
		{"pay an empty order_id", "POST", "/v3/orders/customer-orders/pay", map[string]any{"order_id": ""}, 400, "CBC.0100", "order_id"},
		{"pay an unknown order", "POST", "/v3/orders/customer-orders/pay", map[string]any{"order_id": "CS000"}, 404, "CBC.0101", "CS000"},
		{"cancel without order_id", "PUT", "/v2/orders/customer-orders/cancel", map[string]any{}, 400, "CBC.0100", "order_id"},
		{"cancel an unknown order", "PUT", "/v2/orders/customer-orders/cancel", map[string]any{"order_id": "CS000"}, 404, "CBC.0101", "CS000"},
		{"orders limit 0", "GET", "/v2/orders/customer-orders?limit=0", nil, 400, "CBC.0100", "limit"},
		{"orders limit 101", "GET", "/v2/orders/customer-orders?limit=101", nil, 400, "CBC.0100", "limit"},
		{"orders offset -1", "GET", "/v2/orders/customer-orders?offset=-1", nil, 400, "CBC.0100", "offset"},
		{"orders status x", "GET", "/v2/orders/customer-orders?status=x", nil, 400, "CBC.0100", "status"},
		{"orders order_type a", "GET", "/v2/orders/customer-orders?order_type=a", nil, 400, "CBC.0100", "order_type"},
		{"orders a date without time", "GET", "/v2/orders/customer-orders?create_time_begin=2024-01-01", nil, 400, "CBC.0100", "create_time_begin"},
		{"orders order_by name", "GET", "/v2/orders/customer-orders?order_by=name", nil, 400, "CBC.0100", "order_by"},
		{"orders method x", "GET", "/v2/orders/customer-orders?method=x", nil, 400, "CBC.0100", "method"},
		{"change without change_mode", "POST", cp, change("change_mode", nil), 400, "DAYU.4402", "change_mode"},
		{"change_mode a string", "POST", cp, change("change_mode", "10"), 400, "DAYU.4402", "change_mode"},
		{"change without resource_id", "POST", cp, change("resource_id", nil), 400, "DAYU.4402", "resource_id"},
		{"change without resource_spec_code", "POST", cp, change("resource_spec_code", nil), 400, "DAYU.4402", "resource_spec_code"},
		{"change an unknown resource", "POST", cp, change("resource_id", "no-such"), 404, "DAYU.4404", "no-such"},
		{"change a package", "POST", cp, change("resource_id", pkgID), 400, "DAYU.4402", "incremental package"},
		{"workspace without name", "POST", wsPath, workspace("name", nil), 400, "DAYU.4402", "name"},
		{"workspace name empty", "POST", wsPath, workspace("name", ""), 400, "DAYU.4402", "name"},
		{"workspace name 129", "POST", wsPath, workspace("name", long), 400, "DAYU.4402", "name"},
		{"workspace without eps_id", "POST", wsPath, workspace("eps_id", nil), 400, "DAYU.4402", "eps_id"},
		{"workspace unknown eps_id", "POST", wsPath, workspace("eps_id", "no-such-eps"), 400, "DAYU.4402", "eps_id"},
		{"workspace description 1025", "POST", wsPath, workspace("description", strings.Repeat("d", 1025)), 400, "DAYU.4402", "description"},
		{"workspace of a package", "POST", "/v1/" + q.ProjectID + "/workspaces/" + pkgID, workspace("", nil), 404, "DAYU.4404", pkgID},
		{"workspaces limit 0", "GET", wsPath + "?limit=0", nil, 400, "DAYU.4402", "limit"},
		{"workspace unknown", "GET", wsPath + "/0000", nil, 404, "DAYU.4404", "0000"},
		{"update an unknown workspace", "PUT", wsPath + "/0000", workspace("", nil), 404, "DAYU.4404", "0000"},
		{"delete an unknown workspace", "DELETE", wsPath + "/0000", nil, 404, "DAYU.4404", "0000"},
		{"migrate into an unknown enterprise project", "POST", eps + "-x/resources-migrate", migrate("", nil), 404, "EPS.0005", "eps-040-x"},
		{"migrate without resource_type", "POST", eps + "/resources-migrate", migrate("resource_type", nil), 400, "EPS.0002", "resource_type"},
		{"migrate ecs", "POST", eps + "/resources-migrate", migrate("resource_type", "ecs"), 400, "EPS.0002", "resource_type"},
		{"migrate without resource_id", "POST", eps + "/resources-migrate", migrate("resource_id", nil), 400, "EPS.0002", "resource_id"},
		{"migrate without project_id", "POST", eps + "/resources-migrate", migrate("project_id", nil), 400, "EPS.0002", "project_id"},
		{"migrate another tenant's project", "POST", eps + "/resources-migrate", migrate("project_id", otherProjectID), 400, "EPS.0002", "project_id"},
		{"migrate in another region", "POST", eps + "/resources-migrate", migrate("region_id", "cn-south-1"), 400, "EPS.0002", "region_id"},
		{"migrate an unknown resource", "POST", eps + "/resources-migrate", migrate("resource_id", "no-such"), 404, "EPS.0005", "no-such"},
		{"migrate a package", "POST", eps + "/resources-migrate", migrate("resource_id", pkgID), 400, "EPS.0002", "incremental package"},
		{"migrate a body that is not JSON", "POST", eps + "/resources-migrate", "resource_type=dayu-instance", 400, "EPS.0002", "body"},
		{"filter without resource_types", "POST", eps + "/resources/filter", filter("resource_types", nil), 400, "EPS.0002", "resource_types"},
		{"filter ecs", "POST", eps + "/resources/filter", filter("resource_types", []string{"ecs"}), 400, "EPS.0002", "resource_types"},
		{"filter without projects", "POST", eps + "/resources/filter", filter("projects", nil), 400, "EPS.0002", "projects"},
		{"filter another tenant's project", "POST", eps + "/resources/filter", filter("projects", []string{otherProjectID}), 400, "EPS.0002", "projects"},
		{"filter limit 0", "POST", eps + "/resources/filter", filter("limit", 0), 400, "EPS.0002", "limit"},
		{"filter limit 1001", "POST", eps + "/resources/filter", filter("limit", 1001), 400, "EPS.0002", "limit"},
		{"filter offset -1", "POST", eps + "/resources/filter", filter("offset", -1), 400, "EPS.0002", "offset"},
		{"filter matches of another key", "POST", eps + "/resources/filter", filter("matches", []map[string]any{{"key": "id", "value": "x"}}), 400, "EPS.0002", "matches"},
		{"filter of an unknown enterprise project", "POST", eps + "-x/resources/filter", filter("", nil), 404, "EPS.0005", "eps-040-x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.gsdk(tt.method, tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tt.status)
			}
			code, msg := errorCode(t, r)
			if code != tt.code || !strings.Contains(msg, tt.field) {
				t.Errorf("%s %q, want %s naming %q", code, msg, tt.code, tt.field)
			}
		})
	}
	if after := s.lifeState(id); !reflect.DeepEqual(after, before) {
		t.Errorf("bad requests changed what the caller sees:\nbefore %v\nafter  %v", before, after)
	}
	if st, _ := s.order(pending); st != 6 {
		t.Errorf("the pending order's status %v after the bad requests, want 6", st)
	}
}

// TestLifeNeedsCredentials: every new endpoint refuses a request without
// credentials at the gateway (401 APIGW.0301, with the request id).
func TestLifeNeedsCredentials(t *testing.T) {
	s := newServer(t)
	for _, op := range []struct{ method, path string }{
		{"POST", autoRenewPath("x")}, {"DELETE", autoRenewPath("x")}, {"POST", renewPath},
		{"GET", "/v2/orders/customer-orders"}, {"POST", "/v3/orders/customer-orders/pay"}, {"PUT", "/v2/orders/customer-orders/cancel"},
		{"POST", "/v1/" + q.ProjectID + "/change-resource"},
		{"POST", "/v1.0/enterprise-projects/0/resources-migrate"}, {"POST", "/v1.0/enterprise-projects/0/resources/filter"},
		{"GET", "/v1/" + q.ProjectID + "/workspaces/x"}, {"POST", "/v1/" + q.ProjectID + "/workspaces/x"},
		{"GET", "/v1/" + q.ProjectID + "/workspaces/x/y"}, {"PUT", "/v1/" + q.ProjectID + "/workspaces/x/y"},
		{"DELETE", "/v1/" + q.ProjectID + "/workspaces/x/y"},
	} {
		r := s.do(op.method, op.path, map[string]any{})
		wantError(t, r, http.StatusUnauthorized, "APIGW.0301", "authentication")
		if r.json(t)["request_id"] == "" {
			t.Errorf("%s %s: no request_id", op.method, op.path)
		}
	}
}

// TestLifeTenantScoping: another tenant, with valid credentials, can
// neither see nor touch the dev tenant's instance, orders or workspaces
// through any new endpoint; what the dev tenant sees does not change.
func TestLifeTenantScoping(t *testing.T) {
	s := newServer(t)
	id, _ := s.purchase(testEPS(40), 0)
	r := s.call(http.StatusOK, "POST", renewPath, map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1})
	pending := r.json(t)["order_ids"].([]any)[0].(string)
	ws := s.call(http.StatusOK, "POST", "/v1/"+q.ProjectID+"/workspaces/"+id, map[string]any{"name": "ours", "eps_id": "0"}).json(t)["id"].(string)
	before := s.lifeState(id)

	as := func(project, method, path string, body any) response {
		return s.send(s.gsdkRequestAs(otherAK, otherSK, project, method, path, body))
	}
	theirs := func(method, path string, body any) response { return as(otherProjectID, method, path, body) }
	for _, tc := range []struct {
		name   string
		r      response
		status int
		code   string
	}{
		{"auto-renew on", theirs("POST", autoRenewPath(id), nil), 404, "CBC.0101"},
		{"auto-renew off", theirs("DELETE", autoRenewPath(id), nil), 404, "CBC.0101"},
		{"pay", theirs("POST", "/v3/orders/customer-orders/pay", map[string]any{"order_id": pending}), 404, "CBC.0101"},
		{"cancel", theirs("PUT", "/v2/orders/customer-orders/cancel", map[string]any{"order_id": pending}), 404, "CBC.0101"},
		{"change in their project", theirs("POST", "/v1/"+otherProjectID+"/change-resource", map[string]any{"change_mode": 10, "resource_id": id, "resource_spec_code": "dayu.basic"}), 404, "DAYU.4404"},
		{"change in ours", as(q.ProjectID, "POST", "/v1/"+q.ProjectID+"/change-resource", map[string]any{"change_mode": 10, "resource_id": id, "resource_spec_code": "dayu.basic"}), 403, "APIGW.0302"},
		{"migrate from their project", theirs("POST", "/v1.0/enterprise-projects/"+testEPS(0)+"/resources-migrate", map[string]any{"resource_type": "dayu-instance", "resource_id": id, "project_id": otherProjectID}), 404, "EPS.0005"},
		{"migrate from ours", theirs("POST", "/v1.0/enterprise-projects/"+testEPS(0)+"/resources-migrate", map[string]any{"resource_type": "dayu-instance", "resource_id": id, "project_id": q.ProjectID}), 400, "EPS.0002"},
		{"filter ours", theirs("POST", "/v1.0/enterprise-projects/"+testEPS(0)+"/resources/filter", map[string]any{"projects": []string{q.ProjectID}, "resource_types": []string{"dayu-instance"}}), 400, "EPS.0002"},
		{"workspaces in their project", theirs("GET", "/v1/"+otherProjectID+"/workspaces/"+id, nil), 404, "DAYU.4404"},
		{"workspace in their project", theirs("GET", "/v1/"+otherProjectID+"/workspaces/"+id+"/"+ws, nil), 404, "DAYU.4404"},
		{"delete a workspace in their project", theirs("DELETE", "/v1/"+otherProjectID+"/workspaces/"+id+"/"+ws, nil), 404, "DAYU.4404"},
		{"workspaces in ours", as(q.ProjectID, "GET", "/v1/"+q.ProjectID+"/workspaces/"+id, nil), 403, "APIGW.0302"},
	} {
		if tc.r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, tc.r.status, tc.r.body, tc.status)
			continue
		}
		if code, _ := errorCode(t, tc.r); code != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, code, tc.code)
		}
	}
	r = theirs("POST", renewPath, map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1, "is_auto_pay": 1})
	if r.status != http.StatusOK || len(r.json(t)["order_ids"].([]any)) != 0 || len(r.json(t)["fail_resource_infos"].([]any)) != 1 {
		t.Errorf("their renewal of our instance: %d %s, want 200 with it in fail_resource_infos", r.status, r.body)
	}
	r = theirs("GET", "/v2/orders/customer-orders", nil)
	if r.status != http.StatusOK || r.json(t)["total_count"] != 0.0 {
		t.Errorf("their order list: %d %s, want none of ours", r.status, r.body)
	}
	r = theirs("POST", "/v1.0/enterprise-projects/"+testEPS(0)+"/resources/filter", map[string]any{"projects": []string{otherProjectID}, "resource_types": []string{"dayu-instance"}})
	if r.status != http.StatusOK || r.json(t)["total_count"] != 0.0 {
		t.Errorf("their enterprise project of the same id: %d %s, want empty", r.status, r.body)
	}
	if after := s.lifeState(id); !reflect.DeepEqual(after, before) {
		t.Errorf("the other tenant changed what we see:\nbefore %v\nafter  %v", before, after)
	}
}

// TestLifeOfAnUnsubscribedInstance: an instance being unsubscribed (status
// 6) can no longer be renewed, switched, changed or moved: each is refused
// in its service's format, and it stays as the unsubscription left it.
func TestLifeOfAnUnsubscribedInstance(t *testing.T) {
	s := newServer(t)
	s.setTimings(q.ProjectID, dayu.Timings{Deletion: time.Hour, Grace: time.Hour, Retention: time.Hour})
	id, _ := s.purchase(testEPS(41), 1)
	s.call(http.StatusOK, "POST", "/v2/orders/subscriptions/resources/unsubscribe", map[string]any{"resource_ids": []string{id}, "unsubscribe_type": 1})
	before := s.listed(id)
	if before["status"] != 6.0 {
		t.Fatalf("status %v after the unsubscription, want 6", before["status"])
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"auto-renew on", "POST", autoRenewPath(id), nil, 400, "CBC.0100"},
		{"auto-renew off", "DELETE", autoRenewPath(id), nil, 400, "CBC.0100"},
		{"upgrade", "POST", "/v1/" + q.ProjectID + "/change-resource", map[string]any{"change_mode": 10, "resource_id": id, "resource_spec_code": "dayu.basic"}, 400, "DAYU.4402"},
		{"renewal by change_mode 40", "POST", "/v1/" + q.ProjectID + "/change-resource", map[string]any{"change_mode": 40, "resource_id": id, "resource_spec_code": "dayu.starter"}, 400, "DAYU.4402"},
		{"move", "POST", "/v1.0/enterprise-projects/" + testEPS(42) + "/resources-migrate", map[string]any{"resource_type": "dayu-instance", "resource_id": id, "project_id": q.ProjectID}, 400, "EPS.0002"},
		{"a workspace", "POST", "/v1/" + q.ProjectID + "/workspaces/" + id, map[string]any{"name": "ws", "eps_id": "0"}, 400, "DAYU.4402"},
	} {
		r := s.gsdk(tc.method, tc.path, tc.body)
		if code, msg := errorCode(t, r); r.status != tc.status || code != tc.code {
			t.Errorf("%s: %d %s %q, want %d %s", tc.name, r.status, code, msg, tc.status, tc.code)
		}
	}
	r := s.call(http.StatusOK, "POST", renewPath, map[string]any{"resource_ids": []string{id}, "period_type": 2, "period_num": 1, "is_auto_pay": 1})
	if f := r.json(t)["fail_resource_infos"].([]any); len(f) != 1 || !strings.Contains(f[0].(map[string]any)["error_msg"].(string), "unsubscribed") {
		t.Errorf("renewing it: %s, want it in fail_resource_infos, being unsubscribed", r.body)
	}
	if after := s.listed(id); !reflect.DeepEqual(after, before) {
		t.Errorf("the refused requests changed it: %v, was %v", after, before)
	}
}
