package http_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/invoker/retry"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	dgc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	dgcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
)

var adminAuth = []string{"Authorization", "Bearer " + adminToken}

// addFault adds a rule through the admin API and returns it.
func (s *server) addFault(rule map[string]any) map[string]any {
	s.t.Helper()
	r := s.do("POST", "/_dayu/faults", rule, adminAuth...)
	if r.status != http.StatusCreated {
		s.t.Fatalf("add fault rule %v: %d %s", rule, r.status, r.body)
	}
	return r.json(s.t)
}

// raw sends a request without the OpenAPI check: a fault rule's answers
// are, on purpose, outside the contract. err is the transport's failure.
func (s *server) raw(method, path string, body any, headers ...string) (response, error) {
	var b []byte
	if body != nil {
		b = mustJSON(s.t, body)
	}
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k := 0; k+1 < len(headers); k += 2 {
		req.Header.Set(headers[k], headers[k+1])
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: rb}, err
}

func TestFaultRulesAdmin(t *testing.T) {
	s := newServer(t)
	for _, c := range []struct {
		rule map[string]any
		want string
	}{
		{map[string]any{"operation": "BuyEverything", "latency_ms": 1}, "operation"},
		{map[string]any{"latency_ms": 1}, "operation"},
		{map[string]any{"operation": "PayForDgcOneKey", "probability": 0, "latency_ms": 1}, "probability"},
		{map[string]any{"operation": "PayForDgcOneKey", "count": -1, "latency_ms": 1}, "count"},
		{map[string]any{"operation": "PayForDgcOneKey", "latency_ms": -5}, "latency_ms"},
		{map[string]any{"operation": "PayForDgcOneKey", "error": map[string]any{"status": 302}}, "error.status"},
		{map[string]any{"operation": "PayForDgcOneKey", "drop_connection": true, "lose_response": true}, "at most one"},
		{map[string]any{"operation": "PayForDgcOneKey"}, "needs an action"},
		{map[string]any{"operation": "PayForDgcOneKey", "latency_ms": 1, "expires_in_seconds": -1}, "expires_in_seconds"},
		{map[string]any{"operation": "PayForDgcOneKey", "latency_ms": 1, "latency": 5}, `unknown field "latency"`},
		{map[string]any{"operation": "PayForDgcOneKey", "latency_ms": "5"}, "latency_ms"},
	} {
		r := s.do("POST", "/_dayu/faults", c.rule, adminAuth...)
		wantError(t, r, http.StatusBadRequest, "DAYU.4402", c.want)
	}
	if r := s.do("POST", "/_dayu/faults", map[string]any{"operation": "*", "latency_ms": 1}); r.status != http.StatusUnauthorized {
		t.Errorf("add without the admin token: %d", r.status)
	}
	rule := s.addFault(map[string]any{"operation": "PayForDgcOneKey", "count": 2, "error": map[string]any{"status": 503}, "expires_in_seconds": 60})
	if rule["id"] == "" || rule["remaining"] != 2.0 || rule["probability"] != 1.0 || rule["expires_at"] == nil {
		t.Errorf("added rule = %v", rule)
	}
	list := s.do("GET", "/_dayu/faults", nil, adminAuth...).json(t)["rules"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != rule["id"] {
		t.Errorf("list = %v", list)
	}
	if r := s.do("DELETE", "/_dayu/faults/"+rule["id"].(string), nil, adminAuth...); r.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	wantError(t, s.do("DELETE", "/_dayu/faults/"+rule["id"].(string), nil, adminAuth...), http.StatusNotFound, "DAYU.4404", "does not exist")
	s.addFault(map[string]any{"operation": "*", "latency_ms": 1})
	if r := s.do("DELETE", "/_dayu/faults", nil, adminAuth...); r.status != http.StatusNoContent {
		t.Errorf("clear: %d %s", r.status, r.body)
	}
	if list := s.do("GET", "/_dayu/faults", nil, adminAuth...).json(t)["rules"].([]any); len(list) != 0 {
		t.Errorf("after clear: %v", list)
	}
}

// TestFaultError: an error rule answers in the owning service's format
// instead of doing the work, as many times as its count, for its project
// only; the admin API and the health checks are never hit.
func TestFaultError(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	s.addFault(map[string]any{"operation": "PayForDgcOneKey", "project_id": q.ProjectID, "count": 2,
		"error": map[string]any{"status": 503, "error_msg": "try again later"}})
	s.addFault(map[string]any{"operation": "*", "project_id": otherProject, "error": map[string]any{"status": 500}})
	s.addFault(map[string]any{"operation": "ShowCustomerOrderDetails", "error": map[string]any{"status": 429, "error_code": "CBC.0429"}})
	for range 2 {
		r, err := s.raw("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok)
		if err != nil || r.status != 503 || !strings.Contains(string(r.body), `"error_code":"DAYU.3531"`) || !strings.Contains(string(r.body), "try again later") {
			t.Fatalf("purchase under the rule: %d %s %v", r.status, r.body, err)
		}
	}
	if n := s.count(tok, q.ProjectID); n != 0 {
		t.Fatalf("the refused purchases stored %d instances", n)
	}
	r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok)
	if r.status != http.StatusOK {
		t.Fatalf("purchase after the rule's count: %d %s", r.status, r.body)
	}
	order := r.json(t)["order_id"].(string)
	if r, err := s.raw("GET", "/v2/orders/customer-orders/details/"+order, nil, "X-Auth-Token", tok); err != nil || r.status != 429 || !strings.Contains(string(r.body), `"error_code":"CBC.0429"`) {
		t.Errorf("order details under a 429 rule: %d %s %v", r.status, r.body, err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := s.do("GET", path, nil); r.status != http.StatusOK {
			t.Errorf("%s under a * rule: %d", path, r.status)
		}
	}
	if r := s.do("GET", "/_dayu/faults", nil, adminAuth...); r.status != http.StatusOK {
		t.Errorf("admin API under rules: %d", r.status)
	}
}

// TestFaultDropConnection: the connection closes without an answer and
// nothing is bought.
func TestFaultDropConnection(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	s.addFault(map[string]any{"operation": "PayForDgcOneKey", "count": 1, "drop_connection": true})
	if r, err := s.raw("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), "X-Auth-Token", tok); err == nil {
		t.Fatalf("a dropped call answered %d %s", r.status, r.body)
	}
	if n := s.count(tok, q.ProjectID); n != 0 {
		t.Errorf("a dropped purchase stored %d instances", n)
	}
}

// TestFaultLoseResponse is the case that makes pipelines buy twice: the
// purchase commits, its answer is lost, and the client's retry with the
// same X-Client-Token gets the committed purchase back; nothing is bought
// twice.
func TestFaultLoseResponse(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	s.addFault(map[string]any{"operation": "PayForDgcOneKey", "count": 1, "lose_response": true})
	key := []string{"X-Auth-Token", tok, "X-Client-Token", "pipeline-run-42"}
	if r, err := s.raw("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), key...); err == nil {
		t.Fatalf("a lost answer arrived: %d %s", r.status, r.body)
	}
	items := s.list(tok, q.ProjectID, "")["commodity_orders"].([]any)
	if len(items) != 1 {
		t.Fatalf("after the lost answer %d instances are listed, want the 1 committed", len(items))
	}
	committed := items[0].(map[string]any)
	r := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(1)), key...)
	if r.status != http.StatusOK {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	if got := r.json(t); got["resource_id"] != committed["resource_id"] || got["order_id"] != committed["order_id"] {
		t.Errorf("retry answered %v, want the committed purchase %v/%v", got, committed["order_id"], committed["resource_id"])
	}
	if n := s.count(tok, q.ProjectID); n != 1 {
		t.Errorf("after the retry %d instances, want 1", n)
	}
	j := s.do("GET", "/_dayu/requests?operation=PayForDgcOneKey", nil, adminAuth...).json(t)["requests"].([]any)
	if len(j) != 2 || j[1].(map[string]any)["response_lost"] != true || j[1].(map[string]any)["status"] != 200.0 {
		t.Errorf("journal of the two purchases: %v", j)
	}
}

// TestFaultLatencyAndExpiry: latency delays the answer; an expired rule
// hits nothing.
func TestFaultLatencyAndExpiry(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	s.addFault(map[string]any{"operation": "ListDataArtsStudioInstances", "latency_ms": 300, "expires_in_seconds": 60})
	began := time.Now()
	s.count(tok, q.ProjectID)
	if took := time.Since(began); took < 300*time.Millisecond {
		t.Errorf("the list under a 300 ms rule took %s", took)
	}
	s.clock.Advance(61 * time.Second)
	tok = s.token(q.ProjectID)
	began = time.Now()
	s.count(tok, q.ProjectID)
	if took := time.Since(began); took >= 300*time.Millisecond {
		t.Errorf("the list after the rule expired took %s", took)
	}
}

// TestFaultSDKRetry: the official V3 SDK's retrying invoker gets through a
// rule that fails the first two calls with 503.
func TestFaultSDKRetry(t *testing.T) {
	s := newServer(t)
	// Not through apitest.Transport: the rule's 503s are outside the
	// contract on purpose.
	c := dgc.NewDataArtsStudioClient(sdkClient(t, dgc.DataArtsStudioClientBuilder().WithCredential(sdkBasic(t, q.AccessKey, q.SecretKey)).
		WithEndpoints([]string{s.URL}).WithHttpConfig(config.DefaultHttpConfig().WithTimeout(10*time.Second))))
	s.addFault(map[string]any{"operation": "PayForDgcOneKey", "count": 2, "error": map[string]any{"status": 503}})
	var attempts int
	resp, err := c.PayForDgcOneKeyInvoker(&dgcmodel.PayForDgcOneKeyRequest{Body: sdkOrder(testEPS(3))}).
		WithRetry(3, func(_ any, err error) bool {
			attempts++
			return sdkStatus(err) == http.StatusServiceUnavailable
		}, new(retry.None)).Invoke()
	if err != nil {
		t.Fatalf("PayForDgcOneKey with retries: %v", err)
	}
	if r := resp.(*dgcmodel.PayForDgcOneKeyResponse); r.ResourceId == nil || *r.ResourceId == "" || attempts != 3 {
		t.Errorf("after %d attempts: %+v", attempts, r)
	}
}

// TestJournal: the journal shows what was sent and answered, newest
// first, filterable, and never a password, a secret key, a token or a
// signature.
func TestJournal(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	c, _ := sdkDev(t, s)
	sdkPurchase(t, c, testEPS(4))
	s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(4)), "X-Auth-Token", tok) // a conflict
	s.do("POST", "/v3/auth/tokens", map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods": []string{"token"}, "token": map[string]any{"id": tok}}, "scope": projectScope(q.ProjectID)}})
	s.count(tok, q.ProjectID)

	r := s.do("GET", "/_dayu/requests", nil, adminAuth...)
	all := r.json(t)["requests"].([]any)
	ops := []string{}
	for _, e := range all {
		ops = append(ops, e.(map[string]any)["operation"].(string))
	}
	if want := "ListDataArtsStudioInstances KeystoneCreateScopedToken PayForDgcOneKey PayForDgcOneKey KeystoneCreateUserTokenByPassword"; strings.Join(ops, " ") != want {
		t.Errorf("journal operations, newest first:\n got %s\nwant %s", strings.Join(ops, " "), want)
	}
	for _, secret := range []string{q.Password, q.SecretKey, tok, "Signature="} {
		if bytes.Contains(r.body, []byte(secret)) || (len(secret) > 20 && bytes.Contains(r.body, []byte(secret[:20]))) {
			t.Errorf("the journal shows a secret (%.12s...)", secret)
		}
	}
	sdk := all[3].(map[string]any)
	var body map[string]any
	if err := json.Unmarshal(mustJSON(t, sdk["request_body"]), &body); err != nil || body["instance_name"] != "dgc-sdk" ||
		!strings.Contains(sdk["caller"].(string), q.AccessKey) || sdk["status"] != 200.0 {
		t.Errorf("the SDK's purchase in the journal: %v", sdk)
	}
	conflicts := s.do("GET", "/_dayu/requests?status=400&operation=PayForDgcOneKey&project_id="+q.ProjectID, nil, adminAuth...).json(t)["requests"].([]any)
	if len(conflicts) != 1 || conflicts[0].(map[string]any)["error_code"] != "DAYU.4402" {
		t.Errorf("the refused purchase by filter: %v", conflicts)
	}
	if got := s.do("GET", "/_dayu/requests?limit=2", nil, adminAuth...).json(t)["requests"].([]any); len(got) != 2 {
		t.Errorf("limit=2 gave %d", len(got))
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if got := s.do("GET", "/_dayu/requests?since="+future, nil, adminAuth...).json(t)["requests"].([]any); len(got) != 0 {
		t.Errorf("since the future: %d", len(got))
	}
	wantError(t, s.do("GET", "/_dayu/requests?operation=Nope", nil, adminAuth...), http.StatusBadRequest, "DAYU.4402", "operation")
}

// sdkStatus is the HTTP status of an SDK service error, 0 for none.
func sdkStatus(err error) int {
	var se *sdkerr.ServiceResponseError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}
