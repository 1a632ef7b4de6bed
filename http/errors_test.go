package http_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth/signature"
	"github.com/dayu-emu/dayu/node"
)

var mandatory = []string{"region_id", "availability_zone", "vpc_id", "net_id", "security_group_id",
	"instance_name", "period_type", "period_num", "is_auto_renew", "resource_spec_code"}

// purchase400 lists bad purchases: each must get 400 DAYU.4402 naming the
// field, and store nothing.
func purchase400() []struct {
	name   string
	mutate func(b map[string]any)
	field  string
} {
	type tc = struct {
		name   string
		mutate func(b map[string]any)
		field  string
	}
	set := func(k string, v any) func(map[string]any) { return func(b map[string]any) { b[k] = v } }
	tags := func(n int) []map[string]any {
		var out []map[string]any
		for i := range n {
			out = append(out, map[string]any{"key": fmt.Sprintf("k%d", i), "value": "v"})
		}
		return out
	}
	long := strings.Repeat("x", 129)
	var cases []tc
	for _, f := range mandatory {
		cases = append(cases,
			tc{"missing " + f, func(b map[string]any) { delete(b, f) }, f},
			tc{"null " + f, set(f, nil), f})
	}
	for _, f := range []string{"region_id", "availability_zone", "vpc_id", "net_id", "security_group_id", "instance_name", "resource_spec_code", "eps_id"} {
		cases = append(cases, tc{f + " a number", set(f, 12), f}, tc{f + " over 128", set(f, long), f})
	}
	for _, f := range []string{"commodity_id", "product_id", "cloud_service_type", "resource_type", "cdm_version", "extesion_package_type", "binding_instance_id"} {
		cases = append(cases, tc{f + " over 128", set(f, long), f}, tc{f + " a bool", set(f, true), f})
	}
	cases = append(cases,
		tc{"period_type a string", set("period_type", "2"), "period_type"},
		tc{"period_type a fraction", set("period_type", 2.5), "period_type"},
		tc{"period_type 1", set("period_type", 1), "period_type"},
		tc{"period_type 4", set("period_type", 4), "period_type"},
		tc{"period_num a string", set("period_num", "1"), "period_num"},
		tc{"period_num 0", set("period_num", 0), "period_num"},
		tc{"period_num negative", set("period_num", -1), "period_num"},
		tc{"period_num 10 months", set("period_num", 10), "period_num"},
		tc{"period_num 4 years", func(b map[string]any) { b["period_type"], b["period_num"] = 3, 4 }, "period_num"},
		tc{"period_num huge", set("period_num", 1e30), "period_num"},
		tc{"is_auto_renew 2", set("is_auto_renew", 2), "is_auto_renew"},
		tc{"is_auto_renew a bool", set("is_auto_renew", true), "is_auto_renew"},
		tc{"instance_name empty", set("instance_name", ""), "instance_name"},
		tc{"promotion_info over 1024", set("promotion_info", strings.Repeat("p", 1025)), "promotion_info"},
		tc{"tags an object", set("tags", map[string]any{"key": "a"}), "tags"},
		tc{"21 tags", set("tags", tags(21)), "tags"},
		tc{"duplicate tag keys", set("tags", []map[string]any{{"key": "a", "value": "1"}, {"key": "a", "value": "2"}}), "tags[1].key"},
		tc{"tag without key", set("tags", []map[string]any{{"value": "1"}}), "tags[0].key"},
		tc{"tag key empty", set("tags", []map[string]any{{"key": ""}}), "tags[0].key"},
		tc{"tag key over 128", set("tags", []map[string]any{{"key": long}}), "tags[0].key"},
		tc{"tag value over 255", set("tags", []map[string]any{{"key": "k", "value": strings.Repeat("v", 256)}}), "tags[0].value"},
		tc{"tag key a number", set("tags", []map[string]any{{"key": 1}}), "tags.key"},
		tc{"unknown edition", set("resource_spec_code", "dayu.huge"), "resource_spec_code"},
		tc{"unknown region", set("region_id", "eu-west-0"), "region_id"},
		tc{"region of another project", func(b map[string]any) { b["region_id"], b["availability_zone"] = "cn-south-1", "cn-south-1a" }, "region_id"},
		tc{"zone not in region", set("availability_zone", "cn-south-1a"), "availability_zone"},
		tc{"unknown vpc", set("vpc_id", "no-such-vpc"), "vpc_id"},
		tc{"subnet of another vpc", set("net_id", "77777777-8888-9999-0000-111111111111"), "net_id"},
		tc{"unknown security group", set("security_group_id", "bbbbbbbb-cccc-dddd-eeee-ffffffffffff"), "security_group_id"},
		tc{"unknown enterprise project", set("eps_id", "no-such-eps"), "eps_id"},
		tc{"package without binding", set("extesion_package_type", "dayu.package.cdm"), "binding_instance_id"},
		tc{"package bound to nothing", func(b map[string]any) {
			b["extesion_package_type"], b["binding_instance_id"] = "dayu.package.cdm", "no-such-instance"
		}, "binding_instance_id"},
	)
	return cases
}

func TestPurchase400(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	for _, tt := range purchase400() {
		t.Run(tt.name, func(t *testing.T) {
			b := purchaseBody(testEPS(50))
			tt.mutate(b)
			r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok)
			wantError(t, r, http.StatusBadRequest, "DAYU.4402", tt.field)
		})
	}
	raw := []struct{ name, body, contentType, want string }{
		{"malformed JSON", `{"region_id": `, "application/json", "malformed JSON"},
		{"an array", `[1,2]`, "application/json", "JSON object"},
		{"null", `null`, "application/json", "JSON object"},
		{"empty body", ``, "application/json", "JSON object"},
		{"trailing garbage", `{"region_id":"x"} x`, "application/json", "JSON"},
		{"form content type", `{}`, "application/x-www-form-urlencoded", "Content-Type"},
		{"no content type", `{}`, "", "Content-Type"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", purchasePath(q.ProjectID), []byte(tt.body), "X-Auth-Token", tok, "Content-Type", tt.contentType)
			wantError(t, r, http.StatusBadRequest, "DAYU.4402", tt.want)
		})
	}
	t.Run("second instance in one enterprise project", func(t *testing.T) {
		if r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(60)), "X-Auth-Token", tok); r.status != http.StatusOK {
			t.Fatalf("first purchase: %d %s", r.status, r.body)
		}
		r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(60)), "X-Auth-Token", tok)
		wantError(t, r, http.StatusBadRequest, "DAYU.4402", "eps_id")
	})
	// Nothing of the above was stored, but the one good purchase.
	if n := s.count(tok, q.ProjectID); n != 1 {
		t.Errorf("after the bad purchases the list has %d instances, want 1", n)
	}
	for _, query := range []string{"?limit=0", "?limit=101", "?limit=abc", "?offset=-1", "?offset=x"} {
		t.Run("list "+query, func(t *testing.T) {
			r := s.do("GET", listPath(q.ProjectID)+query, nil, "X-Auth-Token", tok)
			wantError(t, r, http.StatusBadRequest, "DAYU.4402", strings.Split(query[1:], "=")[0])
		})
	}
}

func TestPurchaseLooseSkipsOnlyReferenceChecks(t *testing.T) {
	s := newServer(t, loose)
	tok := s.token(q.ProjectID)
	b := purchaseBody("any-eps")
	b["vpc_id"], b["net_id"], b["security_group_id"], b["availability_zone"] = "vpc-x", "net-x", "sg-x", "zone-x"
	if r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok); r.status != http.StatusOK {
		t.Fatalf("loose purchase: %d %s", r.status, r.body)
	}
	b = purchaseBody("other-eps")
	b["period_type"] = "2"
	wantError(t, s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok), http.StatusBadRequest, "DAYU.4402", "period_type")
	b = purchaseBody("other-eps")
	b["resource_spec_code"] = "dayu.huge"
	wantError(t, s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok), http.StatusBadRequest, "DAYU.4402", "resource_spec_code")
}

func TestPurchase401(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	other := newServer(t) // another deployment: another token key
	foreign := other.token(q.ProjectID)
	signed := func(secret string) []string {
		req, _ := http.NewRequest("POST", s.URL+purchasePath(q.ProjectID), nil)
		req.Header.Set("Content-Type", "application/json")
		body := mustJSON(t, purchaseBody(testEPS(70)))
		signature.Sign(req, body, q.AccessKey, secret, []string{"content-type", "x-sdk-date"}, s.clock.Now())
		return []string{"Authorization", req.Header.Get("Authorization"), "X-Sdk-Date", req.Header.Get("X-Sdk-Date")}
	}
	tests := []struct {
		name    string
		headers []string
		code    string
		want    string
	}{
		{"no credentials", nil, "APIGW.0301", "X-Auth-Token"},
		{"garbage token", []string{"X-Auth-Token", "garbage"}, "APIGW.0301", "token"},
		{"tampered token", []string{"X-Auth-Token", tok[:len(tok)-2] + "xx"}, "APIGW.0301", "token"},
		{"another deployment's token", []string{"X-Auth-Token", foreign}, "APIGW.0301", "token"},
		{"wrong secret key", signed("not-the-secret"), "APIGW.0301", "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(70)), tt.headers...)
			wantError(t, r, http.StatusUnauthorized, tt.code, tt.want)
			if r.json(t)["request_id"] != r.header.Get("X-Request-Id") {
				t.Errorf("gateway error body request_id %v != X-Request-Id %s", r.json(t)["request_id"], r.header.Get("X-Request-Id"))
			}
		})
	}
	t.Run("expired token", func(t *testing.T) {
		s.clock.Advance(24*time.Hour + time.Minute)
		r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", tok)
		wantError(t, r, http.StatusUnauthorized, "APIGW.0307", "expired")
	})
	t.Run("signed with the right key", func(t *testing.T) {
		r := s.do("POST", purchasePath(q.ProjectID), mustJSON(t, purchaseBody(testEPS(70))), signed(q.SecretKey)...)
		if r.status != http.StatusOK {
			t.Fatalf("AK/SK purchase: %d %s", r.status, r.body)
		}
	})
}

func TestPurchase403(t *testing.T) {
	s := newServer(t)
	southToken := s.token(otherProject)
	domainToken := s.do("POST", "/v3/auth/tokens", passwordAuth(map[string]any{"domain": map[string]any{"name": q.DomainName}})).header.Get("X-Subject-Token")
	for name, tok := range map[string]string{"token of another project": southToken, "domain-scoped token": domainToken} {
		t.Run(name, func(t *testing.T) {
			r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok)
			wantError(t, r, http.StatusForbidden, "APIGW.0302", q.ProjectID)
			r = s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", tok)
			wantError(t, r, http.StatusForbidden, "APIGW.0302", q.ProjectID)
		})
	}
	// No caller sees another project's instances.
	tok := s.token(q.ProjectID)
	if r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok); r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if n := s.count(southToken, otherProject); n != 0 {
		t.Errorf("the other project lists %d instances, want 0", n)
	}
}

func TestRouting404And405(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	for _, path := range []string{"/", "/v1/" + q.ProjectID + "/instance", "/v2/" + q.ProjectID + "/instances", "/v1/" + q.ProjectID + "/instances/onekey-purchase/x"} {
		r := s.do("GET", path, nil, "X-Auth-Token", tok)
		wantError(t, r, http.StatusNotFound, "APIGW.0101", "No API")
	}
	r := s.do("DELETE", listPath(q.ProjectID), nil, "X-Auth-Token", tok)
	wantError(t, r, http.StatusMethodNotAllowed, "APIGW.0101", "DELETE")
	if r.header.Get("Allow") == "" {
		t.Error("405 without an Allow header")
	}
}

func TestBodyTooLarge413(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	b := purchaseBody(testEPS(1))
	b["promotion_info"] = strings.Repeat("p", 1<<20)
	r := s.do("POST", purchasePath(q.ProjectID), b, "X-Auth-Token", tok)
	wantError(t, r, http.StatusRequestEntityTooLarge, "APIGW.0201", "larger")
	if n := s.count(tok, q.ProjectID); n != 0 {
		t.Errorf("list count = %d after a refused purchase", n)
	}
}

func TestRequestID(t *testing.T) {
	s := newServer(t)
	if got := s.do("GET", "/healthz", nil, "X-Request-Id", "client-id-1").header.Get("X-Request-Id"); got != "client-id-1" {
		t.Errorf("X-Request-Id = %q, want the client's", got)
	}
	a, b := s.do("GET", "/healthz", nil).header.Get("X-Request-Id"), s.do("GET", "/healthz", nil).header.Get("X-Request-Id")
	if a == "" || a == b {
		t.Errorf("request ids %q and %q: want new and distinct", a, b)
	}
}

// panicStore fails the list in the worst way.
type panicStore struct{ dayu.Store }

func (panicStore) ListInstances(context.Context, string, dayu.Page, time.Time) ([]*dayu.Instance, int, error) {
	panic("boom: a bug")
}

func TestPanicIs500WithoutStack(t *testing.T) {
	s := newServer(t, wrapStore(func(s dayu.Store) dayu.Store { return panicStore{s} }))
	tok := s.token(q.ProjectID)
	r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", tok)
	wantError(t, r, http.StatusInternalServerError, "DAYU.3531", "Internal server error")
	if strings.Contains(string(r.body), "goroutine") || strings.Contains(string(r.body), "boom") {
		t.Errorf("500 body leaks the panic: %s", r.body)
	}
	if r := s.do("GET", "/healthz", nil); r.status != http.StatusOK {
		t.Errorf("server did not survive the panic: %d", r.status)
	}
}

// failingStore fails the list with a store failure of one class.
type failingStore struct {
	dayu.Store
	err error
}

func (f failingStore) ListInstances(context.Context, string, dayu.Page, time.Time) ([]*dayu.Instance, int, error) {
	return nil, 0, f.err
}

// TestStoreFailureClasses: a slow store, a lost one and a bug answer 500
// DAYU.3531 with words that tell them apart, and never the cause's text
// (which may name hosts or SQL).
func TestStoreFailureClasses(t *testing.T) {
	for code, want := range map[dayu.ErrorCode]string{
		dayu.ETIMEOUT:     "did not answer in time",
		dayu.EUNAVAILABLE: "is unavailable",
		dayu.EINTERNAL:    "failed",
	} {
		cause := errors.New("dial tcp 10.1.2.3:5432: secret detail")
		err := fmt.Errorf("%w: %w", dayu.Errorf(code, "the store %s", want), cause)
		s := newServer(t, wrapStore(func(s dayu.Store) dayu.Store { return failingStore{s, err} }))
		r := s.do("GET", listPath(q.ProjectID), nil, "X-Auth-Token", s.token(q.ProjectID))
		wantError(t, r, http.StatusInternalServerError, "DAYU.3531", want)
		if strings.Contains(string(r.body), "secret detail") {
			t.Errorf("%s: the answer shows the cause: %s", code, r.body)
		}
	}
}

// TestThrottle429: --rate-limit throttles a client's API requests, and
// never the health checks, which a load balancer must see answered.
func TestThrottle429(t *testing.T) {
	s := newServer(t, func(c *node.Config) { c.RateLimit, c.RateBurst = 1, 3 })
	var got []int
	for range 5 {
		got = append(got, s.do("GET", listPath(q.ProjectID), nil).status)
	}
	if fmt.Sprint(got) != "[401 401 401 429 429]" {
		t.Errorf("statuses %v, want a burst of 3 then 429", got)
	}
	wantError(t, s.do("GET", listPath(q.ProjectID), nil), http.StatusTooManyRequests, "APIGW.0308", "Too many requests")
	for _, path := range []string{"/healthz", "/readyz", "/healthz", "/readyz"} {
		if r := s.do("GET", path, nil); r.status != http.StatusOK {
			t.Errorf("%s of a throttled client: %d %s", path, r.status, r.body)
		}
	}
}
