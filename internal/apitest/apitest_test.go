package apitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// item is a list item as the server sends it.
func item() map[string]any {
	return map[string]any{
		"resource_id": "0b4d1c1e-1111-2222-3333-444444444444", "resource_name": "dgc-1",
		"resource_type": "hws.resource.type.dayu", "resource_spec_code": "dayu.starter",
		"product_id": "OFFI740586375358963717", "vpc_id": "v", "net_id": "n", "security_group_id": "s",
		"availability_zone": "cn-north-4a", "region_id": "cn-north-4", "project_id": "p", "domain_id": "d",
		"eps_id": "0", "order_id": "CS2401020304050ABCDEFGHJK", "order_type": "NEW", "charge_type": "prePaid",
		"work_space_mode": "simple", "create_user": "dev", "subscription_id": "CS2401020304050ABCDEFGHJK",
		"lock_check_endpoint": "", "status": 2, "is_auto_renew": 0, "is_trial_order": 0,
		"effective_time": int64(1704164645000), "expire_time": int64(1706843045000),
		"create_time": int64(1704164645000), "expire_days": "31",
	}
}

func list(items ...map[string]any) map[string]any {
	orders := make([]any, len(items))
	for i, it := range items {
		orders[i] = it
	}
	return map[string]any{"billing_check": false, "count": len(items), "commodity_orders": orders}
}

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type answer struct {
	method, path string
	status       int
	header       map[string]string // X-Request-Id and application/json are added unless set
	body         string
}

func (a answer) exchange() (*http.Request, *http.Response) {
	req := httptest.NewRequest(a.method, "http://127.0.0.1:12345"+a.path, nil)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
	for k, v := range a.header {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	return req, &http.Response{
		StatusCode: a.status, Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)),
		Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: req,
	}
}

func TestValidate(t *testing.T) {
	withField := func(k string, v any) map[string]any { it := item(); it[k] = v; return it }
	without := func(k string) map[string]any { it := item(); delete(it, k); return it }
	twoArrays := list(item())
	twoArrays["commodity_order_lists"] = []any{}
	token := map[string]any{"token": map[string]any{
		"expires_at": "2024-01-03T03:04:05.000000Z", "issued_at": "2024-01-02T03:04:05.000000Z",
		"methods": []string{"password"}, "catalog": []any{},
		"project": map[string]any{"id": "p", "name": "cn-north-4", "domain": map[string]any{"id": "d", "name": "dayu-dev"}},
		"roles":   []any{map[string]any{"id": "0", "name": "op_service"}},
		"user":    map[string]any{"id": "u", "name": "dev", "domain": map[string]any{"id": "d", "name": "dayu-dev"}, "password_expires_at": ""},
	}}
	badTime := jsonBody(token)
	badTime = strings.Replace(badTime, "2024-01-03T03:04:05.000000Z", "2024-01-03T03:04:05Z", 1)
	const gw404 = `{"error_code":"APIGW.0101","error_msg":"No API is found for GET /nope","request_id":"0123456789abcdef0123456789abcdef"}`
	const gw405 = `{"error_code":"APIGW.0101","error_msg":"Method DELETE is not allowed","request_id":"0123456789abcdef0123456789abcdef"}`

	for _, tc := range []struct {
		name    string
		a       answer
		wantErr string // "" for valid
	}{
		{"list", answer{"GET", "/v1/p/instances?limit=10", 200, nil, jsonBody(list(item(), item()))}, ""},
		{"empty list", answer{"GET", "/v1/p/instances?offset=99", 200, nil, jsonBody(list())}, ""},
		{"expire_days a number", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(list(withField("expire_days", 31)))}, "expire_days"},
		{"time a string", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(list(withField("create_time", "1704164645000")))}, "create_time"},
		{"time a float", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(list(withField("create_time", 1704164645000.5)))}, "create_time"},
		{"status a string", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(list(withField("status", "2")))}, "status"},
		{"missing field", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(list(without("work_space_mode")))}, "work_space_mode"},
		{"extra item field", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(list(withField("tags", []any{})))}, "tags"},
		{"second array in envelope", answer{"GET", "/v1/p/instances", 200, nil, jsonBody(twoArrays)}, "commodity_order_lists"},
		{"text/plain", answer{"GET", "/v1/p/instances", 200, map[string]string{"Content-Type": "text/plain"}, jsonBody(list())}, "text/plain"},
		{"no X-Request-Id", answer{"GET", "/v1/p/instances", 200, map[string]string{"X-Request-Id": ""}, jsonBody(list())}, "X-Request-Id"},
		{"undeclared status", answer{"GET", "/v1/p/instances", 418, nil, `{"error_code":"DAYU.4402","error_msg":"x"}`}, "status is not supported"},
		{"400", answer{"GET", "/v1/p/instances?limit=0", 400, nil, `{"error_code":"DAYU.4402","error_msg":"The operation failed, detail msg limit: ..."}`}, ""},
		{"400 with a gateway code", answer{"GET", "/v1/p/instances", 400, nil, `{"error_code":"APIGW.0201","error_msg":"x","request_id":"r"}`}, "error_code"},
		{"401", answer{"GET", "/v1/p/instances", 401, nil, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"r"}`}, ""},
		{"401 without request_id", answer{"GET", "/v1/p/instances", 401, nil, `{"error_code":"APIGW.0301","error_msg":"x"}`}, "request_id"},
		{"purchase", answer{"POST", "/v1/p/instances/onekey-purchase", 200, nil, `{"order_id":"CS1","resource_id":"r"}`}, ""},
		{"purchase without resource_id", answer{"POST", "/v1/p/instances/onekey-purchase", 200, nil, `{"order_id":"CS1"}`}, "resource_id"},
		{"purchase 201", answer{"POST", "/v1/p/instances/onekey-purchase", 201, nil, `{"order_id":"CS1","resource_id":"r"}`}, "status is not supported"},
		{"token", answer{"POST", "/v3/auth/tokens", 201, map[string]string{"X-Subject-Token": "tok"}, jsonBody(token)}, ""},
		{"token without X-Subject-Token", answer{"POST", "/v3/auth/tokens", 201, nil, jsonBody(token)}, "X-Subject-Token"},
		{"token time layout", answer{"POST", "/v3/auth/tokens?nocatalog=true", 201, map[string]string{"X-Subject-Token": "tok"}, badTime}, "expires_at"},
		{"keystone 401", answer{"POST", "/v3/auth/tokens", 401, nil, `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`}, ""},
		{"gateway 401 on IAM", answer{"GET", "/v3/projects", 401, nil, `{"error_code":"APIGW.0301","error_msg":"x","request_id":"r"}`}, "doesn't match"},
		{"unknown path 404", answer{"GET", "/nope", 404, nil, gw404}, ""},
		{"unknown path 200", answer{"GET", "/nope", 200, nil, `{}`}, "not in api/openapi.yaml"},
		{"unknown path 404 bad body", answer{"GET", "/nope", 404, nil, `not found`}, "decode"},
		{"wrong method 405", answer{"DELETE", "/v1/p/instances", 405, map[string]string{"Allow": "GET, HEAD"}, gw405}, ""},
		{"wrong method 405 without Allow", answer{"DELETE", "/v1/p/instances", 405, nil, gw405}, "Allow"},
		{"healthz", answer{"GET", "/healthz", 200, nil, `{"status":"ok"}`}, ""},
		{"readyz 503", answer{"GET", "/readyz", 503, nil, `{"status":"unavailable","reason":"the store does not answer"}`}, ""},
		{"openapi.yaml", answer{"GET", "/openapi.yaml", 200, map[string]string{"Content-Type": "application/yaml"}, "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n"}, ""},
		{"quickstart missing key", answer{"GET", "/_dayu/quickstart", 200, nil, `{"domain_name":"dayu-dev"}`}, "user_name"},
		{"HEAD healthz", answer{"HEAD", "/healthz", 200, nil, ``}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, resp := tc.a.exchange()
			err := validate(req, resp)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("valid answer refused: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("invalid answer accepted, want an error about %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
			if got, _ := io.ReadAll(resp.Body); string(got) != tc.a.body {
				t.Errorf("body after validation = %q, want %q", got, tc.a.body)
			}
		})
	}
}

// TestValidateUnknownPathBody: a 404 on an unknown path is checked against
// components/responses/NoRoute, not waved through.
func TestValidateUnknownPathBody(t *testing.T) {
	req, resp := answer{"GET", "/nope", 404, nil, `{"error_code":"DAYU.4404","error_msg":"x"}`}.exchange()
	if err := validate(req, resp); err == nil {
		t.Fatal("a 404 without the gateway's body was accepted")
	}
}

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestTransport(t *testing.T) {
	bad := jsonBody(list(func() map[string]any { it := item(); it["expire_days"] = 31; return it }()))
	good := jsonBody(list(item()))
	for _, tc := range []struct {
		name, body string
		wantErrs   int
	}{
		{"bad", bad, 1},
		{"good", good, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				_, resp := answer{req.Method, req.URL.RequestURI(), 200, nil, tc.body}.exchange()
				resp.Request = req
				return resp, nil
			})
			rec := &recorder{TB: t}
			client := &http.Client{Transport: Transport(rec, base)}
			resp, err := client.Get("http://127.0.0.1:12345/v1/0123/instances?limit=5")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || string(body) != tc.body {
				t.Errorf("caller read %q, %v; want the body unchanged", body, err)
			}
			if len(rec.errs) != tc.wantErrs {
				t.Fatalf("Errorf called %d times, want %d: %q", len(rec.errs), tc.wantErrs, rec.errs)
			}
			if tc.wantErrs > 0 {
				msg := rec.errs[0]
				for _, want := range []string{"/v1/0123/instances", "200", "expire_days"} {
					if !strings.Contains(msg, want) {
						t.Errorf("report %q does not mention %q", msg, want)
					}
				}
			}
		})
	}
}
