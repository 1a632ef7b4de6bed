package http

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// FuzzDecodePurchase feeds the purchase decoder and validator any body: it
// must never panic, and whatever it refuses is an EINVALID naming what was
// wrong (a 400 DAYU.4402 on the wire).
func FuzzDecodePurchase(f *testing.F) {
	for _, seed := range []string{
		`{"region_id":"cn-north-4","availability_zone":"cn-north-4a","vpc_id":"v","net_id":"n","security_group_id":"s","instance_name":"i","period_type":2,"period_num":1,"is_auto_renew":0,"resource_spec_code":"dayu.starter"}` + "\n",
		`{"region_id":"r","availability_zone":"z","vpc_id":"v","net_id":"n","security_group_id":"s","instance_name":"i","eps_id":"","period_type":3,"period_num":3,"is_auto_renew":1,"resource_spec_code":"x","tags":[{"key":"a"},{"key":"b","value":"c"}]}`,
		`{"period_type":"2"}`, `{"period_type":2.5}`, `{"tags":{}}`, `{"tags":[{"key":1}]}`, `null`, `[]`, `{`, ``,
		`{"instance_name":"\ud800"}`, `{"period_num":1e400}`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePurchase(body)
		if err == nil {
			err = p.Validate()
		}
		if err != nil && (dayu.ErrorCodeOf(err) != dayu.EINVALID || dayu.ErrorMessageOf(err) == "") {
			t.Fatalf("refused with %v (code %s), want EINVALID with a message", err, dayu.ErrorCodeOf(err))
		}
	})
}

// FuzzParsePage feeds the list's query parser any query string: no panic,
// a refusal is EINVALID, and an accepted page is within the contract's
// bounds.
func FuzzParsePage(f *testing.F) {
	for _, seed := range []string{"", "limit=100", "limit=0", "offset=5&limit=2", "limit=-1", "limit=1e3", "offset=99999999999999999999", "limit=%zz", "limit=1&limit=500"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := &http.Request{URL: &url.URL{RawQuery: query}}
		p, err := parsePage(r)
		switch {
		case err != nil && dayu.ErrorCodeOf(err) != dayu.EINVALID:
			t.Fatalf("refused with %v, want EINVALID", err)
		case err == nil && (p.Limit < 1 || p.Limit > maxLimit || p.Offset < 0):
			t.Fatalf("accepted an out-of-bounds page %+v", p)
		}
	})
}

// BenchmarkDecodePurchase measures decoding and validating one purchase
// body, beside BenchmarkDecodeBaseline: decoding the same bytes into a map,
// what any JSON handler pays.
func BenchmarkDecodePurchase(b *testing.B) {
	body := []byte(`{"region_id":"cn-north-4","availability_zone":"cn-north-4a","vpc_id":"11111111-2222-3333-4444-555555555555","net_id":"66666666-7777-8888-9999-000000000000","security_group_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","instance_name":"dgc","eps_id":"0","period_type":2,"period_num":1,"is_auto_renew":0,"resource_spec_code":"dayu.starter","tags":[{"key":"env","value":"ci"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodePurchase(body)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBaseline(b *testing.B) {
	body := []byte(`{"region_id":"cn-north-4","availability_zone":"cn-north-4a","vpc_id":"11111111-2222-3333-4444-555555555555","net_id":"66666666-7777-8888-9999-000000000000","security_group_id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","instance_name":"dgc","eps_id":"0","period_type":2,"period_num":1,"is_auto_renew":0,"resource_spec_code":"dayu.starter","tags":[{"key":"env","value":"ci"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzFaultRule feeds the fault rule decoder any admin body: no panic, a
// refusal is EINVALID with a message, and a rule it accepts is one the
// matcher can apply (its bounds hold, at most one ending action).
func FuzzFaultRule(f *testing.F) {
	for _, seed := range []string{
		`{"operation":"PayForDgcOneKey","count":1,"lose_response":true}`,
		`{"operation":"*","latency_ms":5,"probability":0.5,"expires_in_seconds":60}`,
		`{"operation":"ListDataArtsStudioInstances","error":{"status":429,"error_code":"APIGW.0308"}}`,
		`{"operation":"PayForDgcOneKey","error":{"status":503},"drop_connection":true}`,
		`{"operation":"x"}`, `{"probability":"1"}`, `{"latency_ms":1e300}`, `{"expires_in_seconds":-0}`, `{}`, `[]`, `{"error":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req faultRuleRequest
		err := decodeAdminObject(body, &req)
		var r *dayu.FaultRule
		var lifetime time.Duration
		if err == nil {
			r, lifetime, err = req.rule()
		}
		if err == nil {
			err = r.Validate()
		}
		if err != nil {
			if dayu.ErrorCodeOf(err) != dayu.EINVALID || dayu.ErrorMessageOf(err) == "" {
				t.Fatalf("refused with %v (code %s), want EINVALID with a message", err, dayu.ErrorCodeOf(err))
			}
			return
		}
		ends := 0
		for _, on := range []bool{r.Error != nil, r.DropConnection, r.LoseResponse} {
			if on {
				ends++
			}
		}
		if ends > 1 || r.Probability <= 0 || r.Probability > 1 || r.Latency < 0 || r.Latency > dayu.MaxFaultLatency || lifetime < 0 || !r.Operation.Known() {
			t.Fatalf("accepted a rule out of bounds: %+v, lifetime %s", r, lifetime)
		}
	})
}
