package load

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
)

// PurchaseBody is the body of a purchase in project in enterprise project
// eps, as the Terraform provider sends it.
func (w *World) PurchaseBody(eps, name string) []byte {
	return fmt.Appendf(nil, `{"region_id":%q,"availability_zone":%q,"vpc_id":%q,"net_id":%q,`+
		`"security_group_id":%q,"eps_id":%q,"instance_name":%q,"period_type":2,"period_num":1,`+
		`"is_auto_renew":0,"resource_spec_code":"dayu.starter"}`,
		w.RegionID, w.Zone, w.VpcID, w.NetID, w.SGID, eps, name)
}

// TokenBody is the body of POST /v3/auth/tokens for the bench user, by
// password, scoped to project.
func (w *World) TokenBody(project string) []byte {
	return fmt.Appendf(nil, `{"auth":{"identity":{"methods":["password"],"password":{"user":`+
		`{"name":%q,"password":%q,"domain":{"name":%q}}}},"scope":{"project":{"id":%q}}}}`,
		w.UserName, w.Password, w.DomainName, project)
}

// The paths of the scenarios.
func purchasePath(project string) string { return "/v1/" + project + "/instances/onekey-purchase" }
func listPath(project string, limit, offset int) string {
	return "/v1/" + project + "/instances?limit=" + strconv.Itoa(limit) + "&offset=" + strconv.Itoa(offset)
}

const tokenPath = "/v3/auth/tokens"

// noopPurchase has the fields of a purchase body, in the JSON types the
// server decodes them to (http/wire.go's purchaseRequest): the no-op
// baseline pays the same decode.
type noopPurchase struct {
	RegionID         *string `json:"region_id"`
	AvailabilityZone *string `json:"availability_zone"`
	VpcID            *string `json:"vpc_id"`
	NetID            *string `json:"net_id"`
	SecurityGroupID  *string `json:"security_group_id"`
	InstanceName     *string `json:"instance_name"`
	EpsID            *string `json:"eps_id"`
	PeriodType       *int    `json:"period_type"`
	PeriodNum        *int    `json:"period_num"`
	IsAutoRenew      *int    `json:"is_auto_renew"`
	ResourceSpecCode *string `json:"resource_spec_code"`
	Tags             []struct {
		Key   *string `json:"key"`
		Value *string `json:"value"`
	} `json:"tags"`
	CommodityID         *string `json:"commodity_id"`
	ProductID           *string `json:"product_id"`
	PromotionInfo       *string `json:"promotion_info"`
	CloudServiceType    *string `json:"cloud_service_type"`
	ResourceType        *string `json:"resource_type"`
	CdmVersion          *string `json:"cdm_version"`
	ExtesionPackageType *string `json:"extesion_package_type"` // sic
	BindingInstanceID   *string `json:"binding_instance_id"`
}

// noopToken has the shape of a token request body.
type noopToken struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User struct {
					ID       string `json:"id"`
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   *struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope *struct {
			Project *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// noopListPagePath is where the baseline takes the list page it serves.
const noopListPagePath = "/_noop/list-page"

// NoopHandler is the no-op baseline: the minimal server for the same
// requests. It reads the body, decodes it into the shape of the request the
// real server decodes, and answers with a small JSON body and the real
// answer's status. It stores nothing and checks nothing: the ratio of Dayu's
// figures to its figures is what Dayu itself costs, on whatever machine.
func NoopHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/{project_id}/instances/onekey-purchase", func(w http.ResponseWriter, r *http.Request) {
		var p noopPurchase
		if err := decodeBody(w, r, &p); err != nil {
			answer(w, http.StatusBadRequest, `{"error_code":"DAYU.4402","error_msg":"bad body"}`)
			return
		}
		answer(w, http.StatusOK, `{"order_id":"CS2601010000000000000000","resource_id":"00000000-0000-4000-8000-000000000000"}`)
	})
	// The list page is Dayu's own, copied here by Plan.Prepare: the
	// baseline sends the very bytes Dayu sends, so the ratio is what
	// reading and encoding the page costs.
	var page atomic.Pointer[string]
	empty := `{"billing_check":false,"count":0,"commodity_orders":[]}`
	page.Store(&empty)
	mux.HandleFunc("GET /v1/{project_id}/instances", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, *page.Load())
	})
	mux.HandleFunc("PUT "+noopListPagePath, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			answer(w, http.StatusBadRequest, `{"error_code":"DAYU.4402","error_msg":"bad body"}`)
			return
		}
		b := string(body)
		page.Store(&b)
		answer(w, http.StatusOK, `{}`)
	})
	mux.HandleFunc("POST /v3/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		var t noopToken
		if err := decodeBody(w, r, &t); err != nil {
			answer(w, http.StatusBadRequest, `{"error":{"code":400,"message":"bad body","title":"Bad Request"}}`)
			return
		}
		w.Header().Set("X-Subject-Token", "noop")
		answer(w, http.StatusCreated, `{"token":{"methods":["password"]}}`)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, `{"status":"ok"}`)
	})
	return mux
}

// decodeBody reads the body whole and decodes it, as the real server does.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}
