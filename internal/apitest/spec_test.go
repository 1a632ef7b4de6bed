package apitest

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dayu-emu/dayu/api"
)

const specFile = "../../api/openapi.yaml"

// TestSpecValidates loads api/openapi.yaml with kin-openapi's loader and
// validates it as an OpenAPI 3 document.
func TestSpecValidates(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(specFile)
	if err != nil {
		t.Fatalf("loading %s: %v", specFile, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not valid OpenAPI: %v", specFile, err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	onDisk, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, api.OpenAPI) {
		t.Errorf("api.OpenAPI differs from %s", specFile)
	}
	if _, err := Spec(); err != nil {
		t.Fatalf("Spec: %v", err)
	}
}

// TestSpecOperations pins the operations the server routes
// (http/server.go): a route added there must be described here too.
func TestSpecOperations(t *testing.T) {
	doc, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"POST /v1/{project_id}/instances/onekey-purchase":     true,
		"GET /v1/{project_id}/instances":                      true,
		"POST /v3/auth/tokens":                                true,
		"GET /v3/projects":                                    true,
		"GET /v3/auth/domains":                                true,
		"GET /v2/products/service-types":                      true,
		"GET /v2/orders/customer-orders/details/{order_id}":   true,
		"POST /v2/orders/suscriptions/resources/query":        true, // sic
		"POST /v2/orders/subscriptions/resources/unsubscribe": true,
		"GET /healthz":                                        true,
		"GET /readyz":                                         true,
		"GET /openapi.yaml":                                   true,
		"GET /_dayu/quickstart":                               true,
		"POST /_dayu/reset":                                   true,
		"GET /_dayu/timings":                                  true,
		"PUT /_dayu/timings":                                  true,
		"GET /_dayu/clock":                                    true,
		"POST /_dayu/clock":                                   true,
		"GET /metrics":                                        true,
	}
	for _, op := range lifeOperations {
		want[op] = true
	}
	got := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got[method+" "+path] = true
			if op.Responses.Default() != nil {
				t.Errorf("%s %s declares a default response: undeclared statuses would pass", method, path)
			}
			for status, ref := range op.Responses.Map() {
				if ref.Value.Headers["X-Request-Id"] == nil {
					t.Errorf("%s %s %s does not declare X-Request-Id", method, path, status)
				}
			}
		}
	}
	for op := range want {
		if !got[op] {
			t.Errorf("%s is not in api/openapi.yaml", op)
		}
	}
	for op := range got {
		if !want[op] {
			t.Logf("%s is in api/openapi.yaml but not in this test's list: add it", op)
		}
	}
}

// lifeOperations are the routes of the instance's life after its purchase
// (http/server.go lifeRoutes).
var lifeOperations = []string{
	"POST /v2/orders/subscriptions/resources/autorenew/{resource_id}",
	"DELETE /v2/orders/subscriptions/resources/autorenew/{resource_id}",
	"POST /v2/orders/subscriptions/resources/renew",
	"GET /v2/orders/customer-orders",
	"POST /v3/orders/customer-orders/pay",
	"PUT /v2/orders/customer-orders/cancel",
	"POST /v1/{project_id}/change-resource",
	"POST /v1.0/enterprise-projects/{enterprise_project_id}/resources-migrate",
	"POST /v1.0/enterprise-projects/{enterprise_project_id}/resources/filter",
	"GET /v1/{project_id}/workspaces/{instance_id}",
	"POST /v1/{project_id}/workspaces/{instance_id}",
	"GET /v1/{project_id}/workspaces/{instance_id}/{workspace_id}",
	"PUT /v1/{project_id}/workspaces/{instance_id}/{workspace_id}",
	"DELETE /v1/{project_id}/workspaces/{instance_id}/{workspace_id}",
}
