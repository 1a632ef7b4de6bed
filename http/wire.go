package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dayu-emu/dayu"
)

// This file is the one place where the contract's JSON field names live
// (docs/contract.md §2–§6): the shapes of every request and response body.

// purchaseRequest is the body of POST /v1/{project_id}/instances/onekey-purchase.
// Pointers tell an absent or null field from an empty one; a wrong JSON type
// fails the decode and names the field.
type purchaseRequest struct {
	RegionID            *string      `json:"region_id"`
	AvailabilityZone    *string      `json:"availability_zone"`
	VpcID               *string      `json:"vpc_id"`
	NetID               *string      `json:"net_id"`
	SecurityGroupID     *string      `json:"security_group_id"`
	InstanceName        *string      `json:"instance_name"`
	EpsID               *string      `json:"eps_id"`
	PeriodType          *int         `json:"period_type"`
	PeriodNum           *int         `json:"period_num"`
	IsAutoRenew         *int         `json:"is_auto_renew"`
	ResourceSpecCode    *string      `json:"resource_spec_code"`
	Tags                []tagRequest `json:"tags"`
	CommodityID         *string      `json:"commodity_id"`
	ProductID           *string      `json:"product_id"`
	PromotionInfo       *string      `json:"promotion_info"`
	CloudServiceType    *string      `json:"cloud_service_type"`
	ResourceType        *string      `json:"resource_type"`
	CdmVersion          *string      `json:"cdm_version"`
	ExtesionPackageType *string      `json:"extesion_package_type"` // sic
	BindingInstanceID   *string      `json:"binding_instance_id"`
}

type tagRequest struct {
	Key   *string `json:"key"`
	Value *string `json:"value"` // GSDK omits an empty value
}

// decodePurchase reads a purchase body strictly: the body must be one JSON
// object, each mandatory field present and not null, each field of its JSON
// type. Unknown fields are ignored, as the real service does.
func decodePurchase(body []byte) (*dayu.Purchase, error) {
	var req purchaseRequest
	if err := decodeObject(body, &req); err != nil {
		return nil, err
	}
	p := &dayu.Purchase{
		EpsID: opt(req.EpsID), CommodityID: opt(req.CommodityID), ProductID: opt(req.ProductID),
		PromotionInfo: opt(req.PromotionInfo), CloudServiceType: opt(req.CloudServiceType),
		ResourceType: opt(req.ResourceType), CdmVersion: opt(req.CdmVersion),
		ExtensionPackage: opt(req.ExtesionPackageType), BindingInstanceID: opt(req.BindingInstanceID),
	}
	var errs []error
	str := func(name string, v *string) string {
		if v == nil {
			errs = append(errs, dayu.Errorf(dayu.EINVALID, "%s: is required and must not be null", name))
			return ""
		}
		return *v
	}
	num := func(name string, v *int) int {
		if v == nil {
			errs = append(errs, dayu.Errorf(dayu.EINVALID, "%s: is required and must not be null", name))
			return 0
		}
		return *v
	}
	p.RegionID = str("region_id", req.RegionID)
	p.AvailabilityZone = str("availability_zone", req.AvailabilityZone)
	p.VpcID = str("vpc_id", req.VpcID)
	p.NetID = str("net_id", req.NetID)
	p.SecurityGroupID = str("security_group_id", req.SecurityGroupID)
	p.InstanceName = str("instance_name", req.InstanceName)
	p.PeriodType = dayu.PeriodType(num("period_type", req.PeriodType))
	p.PeriodNum = num("period_num", req.PeriodNum)
	p.IsAutoRenew = num("is_auto_renew", req.IsAutoRenew)
	p.ResourceSpecCode = str("resource_spec_code", req.ResourceSpecCode)
	for i, t := range req.Tags {
		p.Tags = append(p.Tags, dayu.Tag{Key: str(fmt.Sprintf("tags[%d].key", i), t.Key), Value: opt(t.Value)})
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return p, nil
}

func opt(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}

// decodeObject decodes a body that must be exactly one JSON object.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return dayu.Errorf(dayu.EINVALID, "body: must be a JSON object")
	}
	err := json.Unmarshal(trimmed, v)
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		field := typeErr.Field // "tags.key" for a key of any tag
		if field == "" {
			field = "body"
		}
		return dayu.Errorf(dayu.EINVALID, "%s: must be %s, got %s", field, jsonType(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return dayu.Errorf(dayu.EINVALID, "body: malformed JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	}
	return dayu.Errorf(dayu.EINVALID, "body: malformed JSON: %v", err)
}

// jsonType names a Go kind as the JSON type a client should send.
func jsonType(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case strings.HasPrefix(kind, "int"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number within range"
	case kind == "slice":
		return "an array"
	case kind == "struct":
		return "an object"
	}
	return "of another type"
}

// purchaseResponse is the purchase's 200 body.
type purchaseResponse struct {
	OrderID    string `json:"order_id"`
	ResourceID string `json:"resource_id"`
}

// instanceList is the list envelope (docs/contract.md §4). It has exactly one array
// field: GSDK's pager concatenates every array it sees.
type instanceList struct {
	BillingCheck    bool           `json:"billing_check"`
	Count           int            `json:"count"`
	CommodityOrders []instanceItem `json:"commodity_orders"`
}

// instanceItem is one instance in the list; every JSON type here is the
// contract's (a wrong one fails GSDK's whole decode).
type instanceItem struct {
	ResourceID        string `json:"resource_id"`
	ResourceName      string `json:"resource_name"`
	ResourceType      string `json:"resource_type"`
	ResourceSpecCode  string `json:"resource_spec_code"`
	ProductID         string `json:"product_id"`
	VpcID             string `json:"vpc_id"`
	NetID             string `json:"net_id"`
	SecurityGroupID   string `json:"security_group_id"`
	AvailabilityZone  string `json:"availability_zone"`
	RegionID          string `json:"region_id"`
	ProjectID         string `json:"project_id"`
	DomainID          string `json:"domain_id"`
	EpsID             string `json:"eps_id"`
	OrderID           string `json:"order_id"`
	OrderType         string `json:"order_type"`
	ChargeType        string `json:"charge_type"`
	WorkSpaceMode     string `json:"work_space_mode"`
	CreateUser        string `json:"create_user"`
	SubscriptionID    string `json:"subscription_id"`
	LockCheckEndpoint string `json:"lock_check_endpoint"`
	Status            int    `json:"status"`
	IsAutoRenew       int    `json:"is_auto_renew"`
	IsTrialOrder      int    `json:"is_trial_order"`
	EffectiveTime     int64  `json:"effective_time"`
	ExpireTime        int64  `json:"expire_time"`
	CreateTime        int64  `json:"create_time"`
	ExpireDays        string `json:"expire_days"`
}

// Values of list fields that the public material does not give (ours,
// documented in the README).
const (
	resourceTypeDayu  = "hws.resource.type.dayu"
	orderTypeNew      = "NEW"
	chargeTypePrepaid = "prePaid"
	workSpaceMode     = "simple"
)

func toInstanceItem(i *dayu.Instance, t time.Time) instanceItem {
	spec, product := i.SpecAt(t)
	exp, _ := i.Term(t)
	return instanceItem{
		ResourceID: i.ID, ResourceName: i.Name, ResourceType: resourceTypeDayu,
		ResourceSpecCode: spec, ProductID: product,
		VpcID: i.VpcID, NetID: i.NetID, SecurityGroupID: i.SecurityGroupID,
		AvailabilityZone: i.AvailabilityZone, RegionID: i.RegionID, ProjectID: i.ProjectID,
		DomainID: i.DomainID, EpsID: i.EpsID, OrderID: i.OrderID,
		OrderType: orderTypeNew, ChargeType: chargeTypePrepaid, WorkSpaceMode: workSpaceMode,
		CreateUser: i.CreateUser, SubscriptionID: i.OrderID, LockCheckEndpoint: "",
		Status: int(i.Status(t)), IsAutoRenew: flag(i.AutoRenews(t)),
		EffectiveTime: i.EffectiveAt.UnixMilli(), ExpireTime: exp.UnixMilli(),
		CreateTime: i.CreatedAt.UnixMilli(), ExpireDays: strconv.Itoa(i.ExpireDays(t)),
	}
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// flag is a boolean as the contract's 0/1 integers.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tokenRequest is the body of POST /v3/auth/tokens (docs/contract.md §6).
type tokenRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User struct {
					ID       string     `json:"id"`
					Name     string     `json:"name"`
					Password string     `json:"password"`
					Domain   *idAndName `json:"domain"`
				} `json:"user"`
			} `json:"password"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token"`
		} `json:"identity"`
		Scope *struct {
			Project *struct {
				ID     string     `json:"id"`
				Name   string     `json:"name"`
				Domain *idAndName `json:"domain"`
			} `json:"project"`
			Domain *idAndName `json:"domain"`
		} `json:"scope"`
	} `json:"auth"`
}

type idAndName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// tokenResponse is the 201 body of POST /v3/auth/tokens.
type tokenResponse struct {
	Token tokenBody `json:"token"`
}

type tokenBody struct {
	ExpiresAt string         `json:"expires_at"`
	IssuedAt  string         `json:"issued_at"`
	Methods   []string       `json:"methods"`
	Catalog   []catalogEntry `json:"catalog"`
	Project   *tokenProject  `json:"project,omitempty"`
	Domain    *idAndName     `json:"domain,omitempty"`
	Roles     []idAndName    `json:"roles"`
	User      tokenUser      `json:"user"`
}

type tokenProject struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Domain idAndName `json:"domain"`
}

type tokenUser struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	Domain            idAndName `json:"domain"`
	PasswordExpiresAt string    `json:"password_expires_at"`
}

type catalogEntry struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Endpoints []catalogEndpoint `json:"endpoints"`
}

type catalogEndpoint struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

// keystoneTime is the layout of IAM's timestamps: 2020-01-04T09:05:22.701000Z.
const keystoneTime = "2006-01-02T15:04:05.000000Z"

// projectList is the body of GET /v3/projects.
type projectList struct {
	Projects []projectItem `json:"projects"`
	Links    links         `json:"links"`
}

type projectItem struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DomainID    string `json:"domain_id"`
	ParentID    string `json:"parent_id"`
	Enabled     bool   `json:"enabled"`
	IsDomain    bool   `json:"is_domain"`
	Description string `json:"description"`
}

type links struct {
	Self string `json:"self"`
}

// domainList is the body of GET /v3/auth/domains.
type domainList struct {
	Domains []domainItem `json:"domains"`
}

type domainItem struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
}

// serviceTypeList is the body of GET /v2/products/service-types, the
// Terraform provider's start-up probe.
type serviceTypeList struct {
	TotalCount   int           `json:"total_count"`
	ServiceTypes []serviceType `json:"service_types"`
}

type serviceType struct {
	ServiceTypeName string `json:"service_type_name"`
	ServiceTypeCode string `json:"service_type_code"`
	Abbreviation    string `json:"abbreviation"`
}

// bssTime is the layout of BSS's times: UTC, to the second.
const bssTime = "2006-01-02T15:04:05Z"

// serviceTypeDayu and resourceTypeDayu name DataArts Studio in BSS.
const serviceTypeDayu = "hws.service.type.dayu"

// orderDetails is the body of GET /v2/orders/customer-orders/details/{order_id}.
type orderDetails struct {
	TotalCount     int             `json:"total_count"`
	OrderInfo      orderInfo       `json:"order_info"`
	OrderLineItems []orderLineItem `json:"order_line_items"`
}

type orderInfo struct {
	OrderID             string  `json:"order_id"`
	CustomerID          string  `json:"customer_id"`
	ServiceTypeCode     string  `json:"service_type_code"`
	ServiceTypeName     string  `json:"service_type_name"`
	SourceType          int     `json:"source_type"`
	Status              int     `json:"status"`
	OrderType           int     `json:"order_type"`
	AmountAfterDiscount float64 `json:"amount_after_discount"`
	OfficialAmount      float64 `json:"official_amount"`
	MeasureID           int     `json:"measure_id"`
	CreateTime          string  `json:"create_time"`
	PaymentTime         string  `json:"payment_time"`
	Currency            string  `json:"currency"`
}

type orderLineItem struct {
	OrderLineItemID     string  `json:"order_line_item_id"`
	ServiceTypeCode     string  `json:"service_type_code"`
	ServiceTypeName     string  `json:"service_type_name"`
	ProductID           string  `json:"product_id"`
	ProductSpecDesc     string  `json:"product_spec_desc"`
	PeriodType          int     `json:"period_type"`
	PeriodNum           int     `json:"period_num"`
	EffectiveTime       string  `json:"effective_time"`
	ExpireTime          string  `json:"expire_time"`
	SubscriptionNum     int     `json:"subscription_num"`
	AmountAfterDiscount float64 `json:"amount_after_discount"`
	OfficialAmount      float64 `json:"official_amount"`
	Currency            string  `json:"currency"`
}

// resourceQueryRequest is the body of POST /v2/orders/suscriptions/resources/query (sic).
// Absent, null or empty filters do not filter; customer_id (a partner's
// sub-customer) is ignored.
type resourceQueryRequest struct {
	OrderID          string   `json:"order_id"`
	ResourceIDs      []string `json:"resource_ids"`
	OnlyMainResource *int     `json:"only_main_resource"`
	StatusList       []int    `json:"status_list"`
	ExpireTimeBegin  string   `json:"expire_time_begin"`
	ExpireTimeEnd    string   `json:"expire_time_end"`
	ServiceTypeCode  *string  `json:"service_type_code"`
	Offset           *int     `json:"offset"`
	Limit            *int     `json:"limit"`
}

// resourceQueryResponse is its 200 body.
type resourceQueryResponse struct {
	TotalCount int            `json:"total_count"`
	Data       []resourceItem `json:"data"`
}

type resourceItem struct {
	ID               string `json:"id"`
	ResourceID       string `json:"resource_id"`
	ResourceName     string `json:"resource_name"`
	RegionCode       string `json:"region_code"`
	ServiceTypeCode  string `json:"service_type_code"`
	ResourceTypeCode string `json:"resource_type_code"`
	ResourceSpecCode string `json:"resource_spec_code"`
	ProjectID        string `json:"project_id"`
	ProductID        string `json:"product_id"`
	ParentResourceID string `json:"parent_resource_id"`
	IsMainResource   int    `json:"is_main_resource"`
	Status           int    `json:"status"`
	EffectiveTime    string `json:"effective_time"`
	ExpireTime       string `json:"expire_time"`
	ExpirePolicy     int    `json:"expire_policy"`
	// EnterpriseProject is V3's OrderInstanceV2.enterprise_project.
	EnterpriseProject idAndName `json:"enterprise_project"`
}

// Expire policies of BSS: what happens at expiry.
const (
	expirePolicyGrace = 0 // enter the grace period
	expirePolicyRenew = 3 // renew automatically
)

// unsubscribeRequest is the body of POST /v2/orders/subscriptions/resources/unsubscribe.
type unsubscribeRequest struct {
	ResourceIDs     []string `json:"resource_ids"`
	UnsubscribeType *int     `json:"unsubscribe_type"`
}

// unsubscribeResponse is its 200 body.
type unsubscribeResponse struct {
	OrderIDs          []string             `json:"order_ids"`
	FailResourceInfos []failedResourceInfo `json:"fail_resource_infos"`
}

type failedResourceInfo struct {
	ResourceID string `json:"resource_id"`
	ErrorCode  string `json:"error_code"`
	ErrorMsg   string `json:"error_msg"`
}

// clockState is the body of the admin clock endpoints.
type clockState struct {
	Now           string  `json:"now"`
	OffsetSeconds float64 `json:"offset_seconds"`
}

// clockAdvance is the body of POST /_dayu/clock.
type clockAdvance struct {
	AdvanceSeconds *float64 `json:"advance_seconds"`
}

// faultRuleRequest is the body of POST /_dayu/faults. Pointers tell an
// absent field (its default) from a zero one.
type faultRuleRequest struct {
	Operation        string            `json:"operation"`
	ProjectID        string            `json:"project_id"`
	Probability      *float64          `json:"probability"`
	Count            int               `json:"count"`
	LatencyMS        int64             `json:"latency_ms"`
	Error            *faultErrorFields `json:"error"`
	DropConnection   bool              `json:"drop_connection"`
	LoseResponse     bool              `json:"lose_response"`
	ExpiresInSeconds float64           `json:"expires_in_seconds"`
}

type faultErrorFields struct {
	Status    int    `json:"status"`
	ErrorCode string `json:"error_code,omitempty"`
	ErrorMsg  string `json:"error_msg,omitempty"`
}

// faultRuleView is a fault rule as the admin API shows it.
type faultRuleView struct {
	ID             string            `json:"id"`
	Operation      string            `json:"operation"`
	ProjectID      string            `json:"project_id"`
	Probability    float64           `json:"probability"`
	Count          int               `json:"count"`
	Remaining      int               `json:"remaining"`
	LatencyMS      int64             `json:"latency_ms"`
	Error          *faultErrorFields `json:"error"`
	DropConnection bool              `json:"drop_connection"`
	LoseResponse   bool              `json:"lose_response"`
	CreatedAt      string            `json:"created_at"`
	ExpiresAt      *string           `json:"expires_at"` // null: never
}

func toFaultRuleView(r *dayu.FaultRule) faultRuleView {
	v := faultRuleView{ID: r.ID, Operation: string(r.Operation), ProjectID: r.ProjectID, Probability: r.Probability,
		Count: r.Count, Remaining: r.Remaining, LatencyMS: r.Latency.Milliseconds(),
		DropConnection: r.DropConnection, LoseResponse: r.LoseResponse, CreatedAt: r.CreatedAt.Format(time.RFC3339Nano)}
	if r.Error != nil {
		v.Error = &faultErrorFields{Status: r.Error.Status, ErrorCode: r.Error.Code, ErrorMsg: r.Error.Message}
	}
	if !r.ExpiresAt.IsZero() {
		at := r.ExpiresAt.Format(time.RFC3339Nano)
		v.ExpiresAt = &at
	}
	return v
}

// faultRuleList is the body of GET /_dayu/faults.
type faultRuleList struct {
	Rules []faultRuleView `json:"rules"`
}

// journalView is one request of GET /_dayu/requests.
type journalView struct {
	Time         string          `json:"time"`
	RequestID    string          `json:"request_id"`
	Operation    string          `json:"operation"`
	Method       string          `json:"method"`
	Path         string          `json:"path"`
	Query        string          `json:"query"`
	Status       int             `json:"status"`
	LatencyMS    float64         `json:"latency_ms"`
	ErrorCode    string          `json:"error_code"`
	ProjectID    string          `json:"project_id"`
	Caller       string          `json:"caller"`
	FaultRule    string          `json:"fault_rule"`
	Lost         bool            `json:"response_lost"`
	RequestBody  json.RawMessage `json:"request_body"`
	ResponseBody json.RawMessage `json:"response_body"`
}

// journalList is the body of GET /_dayu/requests.
type journalList struct {
	Requests []journalView `json:"requests"`
}

func toJournalView(e journalEntry) journalView {
	return journalView{
		Time: e.time.UTC().Format(time.RFC3339Nano), RequestID: e.requestID, Operation: string(e.operation),
		Method: e.method, Path: e.path, Query: redactQuery(e.query), Status: e.status,
		LatencyMS: float64(e.latency.Microseconds()) / 1000, ErrorCode: e.errorCode, ProjectID: e.projectID,
		Caller: e.caller, FaultRule: e.faultRule, Lost: e.lost,
		RequestBody: e.request.shown(), ResponseBody: e.response.shown(),
	}
}

// testClockRequest is the body of PUT /_dayu/clocks/{domain_id}.
type testClockRequest struct {
	Frozen bool `json:"frozen"`
}

// testClockView is a domain's test clock on the admin API.
type testClockView struct {
	DomainID     string  `json:"domain_id"`
	Now          string  `json:"now"`
	Frozen       bool    `json:"frozen"`
	AheadSeconds float64 `json:"ahead_seconds"` // of the server's clock
}

// testClockList is the body of GET /_dayu/clocks.
type testClockList struct {
	Clocks []testClockView `json:"clocks"`
}

func toTestClockView(tc *dayu.TestClock, server time.Time) testClockView {
	now := tc.Now(server)
	return testClockView{DomainID: tc.DomainID, Now: now.Format(time.RFC3339Nano), Frozen: tc.Frozen, AheadSeconds: now.Sub(server).Seconds()}
}

// autoRenewRequest is the optional body of POST
// /v2/orders/subscriptions/resources/autorenew/{resource_id} (GSDK sends
// none).
type autoRenewRequest struct {
	AutoRenewTimes *int    `json:"auto_renew_times"`
	PeriodType     *string `json:"period_type"` // MONTH or YEAR
}

// renewRequest is the body of POST /v2/orders/subscriptions/resources/renew;
// its answer is an unsubscribeResponse (order_ids, fail_resource_infos).
type renewRequest struct {
	ResourceIDs []string `json:"resource_ids"`
	PeriodType  *int     `json:"period_type"`
	PeriodNum   *int     `json:"period_num"`
	IsAutoPay   *int     `json:"is_auto_pay"`
}

// orderIDRequest is the body of POST /v3/orders/customer-orders/pay and of
// PUT /v2/orders/customer-orders/cancel. Pay's coupons and discounts
// (use_coupon, use_discount, coupon_infos, discount_infos) are accepted and
// ignored: nothing is charged.
type orderIDRequest struct {
	OrderID *string `json:"order_id"`
}

// orderList is the body of GET /v2/orders/customer-orders (V3's
// ListCustomerOrdersResponse).
type orderList struct {
	TotalCount int         `json:"total_count"`
	OrderInfos []orderInfo `json:"order_infos"`
}

// changeResourceRequest is the body of POST /v1/{project_id}/change-resource.
// product_id and promotion_info are accepted and ignored: the edition names
// its product.
type changeResourceRequest struct {
	ChangeMode       *int    `json:"change_mode"`
	ResourceID       *string `json:"resource_id"`
	ResourceSpecCode *string `json:"resource_spec_code"`
}

// actionResult is DataArts Studio's answer to a change: {"is_success": true,
// "message": null}, with the order a change placed or the id of what it
// created (ours).
type actionResult struct {
	IsSuccess bool    `json:"is_success"`
	Message   *string `json:"message"`
	OrderID   string  `json:"order_id,omitempty"`
	ID        string  `json:"id,omitempty"`
}

// migrateRequest is the body of POST
// /v1.0/enterprise-projects/{enterprise_project_id}/resources-migrate.
// associated is accepted and ignored: packages always move with their
// instance.
type migrateRequest struct {
	ResourceType *string `json:"resource_type"`
	ResourceID   *string `json:"resource_id"`
	ProjectID    string  `json:"project_id"`
	RegionID     string  `json:"region_id"`
}

// epsFilterRequest is the body of POST
// /v1.0/enterprise-projects/{enterprise_project_id}/resources/filter.
type epsFilterRequest struct {
	Projects      []string   `json:"projects"`
	ResourceTypes []string   `json:"resource_types"`
	Offset        *int       `json:"offset"`
	Limit         *int       `json:"limit"`
	Matches       []epsMatch `json:"matches"`
}

type epsMatch struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// epsFilterResponse is its 200 body (V3's
// ShowResourceBindEnterpriseProjectResponse). Dayu answers for every
// project it is asked, so errors is always empty.
type epsFilterResponse struct {
	Resources  []epsResource `json:"resources"`
	Errors     []struct{}    `json:"errors"`
	TotalCount int           `json:"total_count"`
}

type epsResource struct {
	EnterpriseProjectID string `json:"enterprise_project_id"`
	ProjectID           string `json:"project_id"`
	ProjectName         string `json:"project_name"`
	ResourceDetail      any    `json:"resource_detail"` // null (ours)
	ResourceID          string `json:"resource_id"`
	ResourceName        string `json:"resource_name"`
	ResourceType        string `json:"resource_type"`
}

// workspaceRequest is the body of POST /v1/{project_id}/workspaces/{instance_id}
// and of PUT /v1/{project_id}/workspaces/{instance_id}/{workspace_id} (V3's
// CreateWorkspaceParams).
type workspaceRequest struct {
	Name                  *string `json:"name"`
	Description           *string `json:"description"`
	EpsID                 *string `json:"eps_id"`
	BadRecordLocationName *string `json:"bad_record_location_name"`
	JobLogLocationName    *string `json:"job_log_location_name"`
}

// workspaceList is the body of GET /v1/{project_id}/workspaces/{instance_id}.
type workspaceList struct {
	Count     int             `json:"count"`
	TotalPage int             `json:"total_page"`
	Data      []workspaceBody `json:"data"`
}

// workspaceBody is a workspace (V3's Workspacebody and
// ShowWorkSpaceResponse): its times are numbers, epoch milliseconds.
type workspaceBody struct {
	ID                    string `json:"id"`
	Name                  string `json:"name"`
	Description           string `json:"description"`
	EpsID                 string `json:"eps_id"`
	BadRecordLocationName string `json:"bad_record_location_name"`
	JobLogLocationName    string `json:"job_log_location_name"`
	IsDefault             int    `json:"is_default"`
	OwnerName             string `json:"owner_name"`
	ProjectID             string `json:"project_id"`
	DomainID              string `json:"domain_id"`
	InstanceID            string `json:"instance_id"`
	CreateTime            int64  `json:"create_time"`
	CreateUser            string `json:"create_user"`
	MemberNum             int    `json:"member_num"`
	UpdateTime            int64  `json:"update_time"`
	UpdateUser            string `json:"update_user"`
}

// Workspace values Dayu does not model (ours): is_default is 1 for the
// default workspace and 0 (private) for the others, and every workspace
// has one member, its creator.
const workspaceMembers = 1

func toWorkspaceBody(w *dayu.Workspace) workspaceBody {
	return workspaceBody{
		ID: w.ID, Name: w.Name, Description: w.Description, EpsID: w.EpsID,
		BadRecordLocationName: w.BadRecordLocation, JobLogLocationName: w.JobLogLocation,
		IsDefault: flag(w.IsDefault), OwnerName: w.CreateUser, ProjectID: w.ProjectID, DomainID: w.DomainID,
		InstanceID: w.InstanceID, CreateTime: w.CreatedAt.UnixMilli(), CreateUser: w.CreateUser,
		MemberNum: workspaceMembers, UpdateTime: w.UpdatedAt.UnixMilli(), UpdateUser: w.UpdateUser,
	}
}

// stateImported answers PUT /_dayu/state.
type stateImported struct {
	Status    string `json:"status"`
	Orders    int    `json:"orders"`
	Instances int    `json:"instances"`
}
