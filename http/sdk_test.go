package http_test

// The official Huawei Cloud Go SDK V3 (github.com/huaweicloud/huaweicloud-sdk-go-v3)
// as a real, unmodified client of Dayu: IAM, DataArts Studio and BSS
// clients pointed at the test server with the SDK's own endpoint option,
// authenticated as the SDK authenticates (AK/SK signing, docs/contract.md §7), and
// decoding the answers into the SDK's own models. Every exchange goes
// through apitest.Transport, plugged in with the SDK's
// HttpConfig.WithHttpRoundTripper, so the OpenAPI validator sees the SDK's
// traffic too.

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	bss "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/bss/v2"
	bssmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/bss/v2/model"
	dgc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	dgcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/dayu-emu/dayu/internal/apitest"
)

// sdkDomainID is the dev world's domain (dayu.DevWorld).
const sdkDomainID = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

// sdkHTTPConfig is the SDK's HTTP configuration with apitest.Transport as
// its round tripper: every SDK request is checked against api/openapi.yaml.
func sdkHTTPConfig(t *testing.T) *config.HttpConfig {
	return config.DefaultHttpConfig().
		WithHttpRoundTripper(apitest.Transport(t, nil)).
		WithTimeout(10 * time.Second)
}

// sdkBasic is the SDK's project-scoped AK/SK credential (DataArts Studio).
func sdkBasic(t *testing.T, ak, sk string) *basic.Credentials {
	t.Helper()
	c, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(q.ProjectID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sdkGlobal is the SDK's domain-scoped AK/SK credential (BSS, IAM).
func sdkGlobal(t *testing.T, ak, sk string) *global.Credentials {
	t.Helper()
	c, err := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(sdkDomainID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sdkBuild builds an SDK client of the given builder against the test
// server.
func sdkBuild(t *testing.T, s *server, b *core.HcHttpClientBuilder, cred auth.ICredential) *core.HcHttpClient {
	t.Helper()
	return sdkClient(t, b.WithCredential(cred).WithEndpoints([]string{s.URL}).WithHttpConfig(sdkHTTPConfig(t)))
}

// sdkClient builds an SDK client.
func sdkClient(t *testing.T, b *core.HcHttpClientBuilder) *core.HcHttpClient {
	t.Helper()
	hc, err := b.SafeBuild()
	if err != nil {
		t.Fatalf("building the SDK client: %v", err)
	}
	return hc
}

func sdkDataArts(t *testing.T, s *server, cred *basic.Credentials) *dgc.DataArtsStudioClient {
	return dgc.NewDataArtsStudioClient(sdkBuild(t, s, dgc.DataArtsStudioClientBuilder(), cred))
}

func sdkBSS(t *testing.T, s *server, cred *global.Credentials) *bss.BssClient {
	return bss.NewBssClient(sdkBuild(t, s, bss.BssClientBuilder(), cred))
}

// sdkDev are the dev world's access key clients.
func sdkDev(t *testing.T, s *server) (*dgc.DataArtsStudioClient, *bss.BssClient) {
	return sdkDataArts(t, s, sdkBasic(t, q.AccessKey, q.SecretKey)), sdkBSS(t, s, sdkGlobal(t, q.AccessKey, q.SecretKey))
}

// sdkOrder is a valid V3 purchase in enterprise project eps. V3 always
// sends eps_id (as "" when unset; docs/contract.md §2).
func sdkOrder(eps string) *dgcmodel.OrderReq {
	return &dgcmodel.OrderReq{
		RegionId: q.RegionID, AvailabilityZone: q.AvailabilityZone, VpcId: q.VpcID, NetId: q.NetID,
		SecurityGroupId: q.SecurityGroupID, InstanceName: "dgc-sdk", EpsId: eps,
		PeriodType: 2, PeriodNum: 1, IsAutoRenew: 0, ResourceSpecCode: q.ResourceSpecCode,
	}
}

// sdkPurchase buys an instance with the SDK and returns its order and
// resource ids.
func sdkPurchase(t *testing.T, c *dgc.DataArtsStudioClient, eps string) (orderID, resourceID string) {
	t.Helper()
	resp, err := c.PayForDgcOneKey(&dgcmodel.PayForDgcOneKeyRequest{Body: sdkOrder(eps)})
	if err != nil {
		t.Fatalf("PayForDgcOneKey: %v", err)
	}
	if resp.HttpStatusCode != http.StatusOK {
		t.Errorf("PayForDgcOneKey: status %d, want 200", resp.HttpStatusCode)
	}
	if resp.OrderId == nil || *resp.OrderId == "" || resp.ResourceId == nil || *resp.ResourceId == "" {
		t.Fatalf("PayForDgcOneKey: order_id %v, resource_id %v; want both non-empty", resp.OrderId, resp.ResourceId)
	}
	return *resp.OrderId, *resp.ResourceId
}

// sdkListed returns the instance id's item in the plain list (token, no
// SDK), nil when it is not listed.
func sdkListed(t *testing.T, s *server, token, id string) map[string]any {
	t.Helper()
	items, _ := s.list(token, q.ProjectID, "?limit=100")["commodity_orders"].([]any)
	for _, it := range items {
		if m, _ := it.(map[string]any); m["resource_id"] == id {
			return m
		}
	}
	return nil
}

// sdkError returns the SDK's parsed service error.
func sdkError(t *testing.T, err error) *sdkerr.ServiceResponseError {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v, want an *sdkerr.ServiceResponseError", err, err)
	}
	return se
}

func sdkStr(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func sdkI32(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

// TestSDKIAMTokenByPassword: IAM's KeystoneCreateUserTokenByPassword with
// a project scope by name, as the SDK sends it (no domain in the scope).
func TestSDKIAMTokenByPassword(t *testing.T) {
	s := newServer(t)
	c := iam.NewIamClient(sdkBuild(t, s, iam.IamClientBuilder(), sdkGlobal(t, q.AccessKey, q.SecretKey)))
	name := q.ProjectName
	resp, err := c.KeystoneCreateUserTokenByPassword(&iammodel.KeystoneCreateUserTokenByPasswordRequest{
		Body: &iammodel.KeystoneCreateUserTokenByPasswordRequestBody{Auth: &iammodel.PwdAuth{
			Identity: &iammodel.PwdIdentity{
				Methods: []iammodel.PwdIdentityMethods{iammodel.GetPwdIdentityMethodsEnum().PASSWORD},
				Password: &iammodel.PwdPassword{User: &iammodel.PwdPasswordUser{
					Domain: &iammodel.PwdPasswordUserDomain{Name: q.DomainName}, Name: q.UserName, Password: q.Password,
				}},
			},
			Scope: &iammodel.AuthScope{Project: &iammodel.AuthScopeProject{Name: &name}},
		}},
	})
	if err != nil {
		t.Fatalf("KeystoneCreateUserTokenByPassword: %v", err)
	}
	if resp.HttpStatusCode != http.StatusCreated {
		t.Errorf("status %d, want 201", resp.HttpStatusCode)
	}
	if resp.XSubjectToken == nil || *resp.XSubjectToken == "" {
		t.Fatal("the SDK's response has no X-Subject-Token")
	}
	tok := resp.Token
	if tok == nil || tok.Project == nil || tok.User == nil {
		t.Fatalf("token body not decoded: %+v", tok)
	}
	if tok.Project.Id != q.ProjectID || tok.Project.Name != q.ProjectName || tok.Project.Domain == nil || tok.Project.Domain.Id != sdkDomainID {
		t.Errorf("token project = %+v, want %s (%s) of domain %s", tok.Project, q.ProjectID, q.ProjectName, sdkDomainID)
	}
	if tok.User.Name != q.UserName || !slices.Equal(tok.Methods, []string{"password"}) || tok.ExpiresAt == "" {
		t.Errorf("token user %q, methods %v, expires_at %q", tok.User.Name, tok.Methods, tok.ExpiresAt)
	}
	// The token works as a token.
	if n := s.count(*resp.XSubjectToken, q.ProjectID); n != 0 {
		t.Errorf("a fresh world lists %d instances", n)
	}

	// The SDK's only plain-token credential, iam/v3.IamCredentials
	// (X-Auth-Token), is accepted by the IAM client only.
	tc := iam.NewIamClient(sdkClient(t, iam.IamClientBuilder().
		WithCredential(iam.NewIamCredentialsBuilder().WithXAuthToken(*resp.XSubjectToken).Build()).
		WithEndpoints([]string{s.URL}).WithHttpConfig(sdkHTTPConfig(t))))
	projects, err := tc.KeystoneListProjects(&iammodel.KeystoneListProjectsRequest{Name: &name})
	if err != nil {
		t.Fatalf("KeystoneListProjects with a token: %v", err)
	}
	if projects.Projects == nil || len(*projects.Projects) != 1 || (*projects.Projects)[0].Id != q.ProjectID {
		t.Errorf("KeystoneListProjects(name=%s) = %+v, want only %s", name, projects.Projects, q.ProjectID)
	}
	domains, err := tc.KeystoneListAuthDomains(&iammodel.KeystoneListAuthDomainsRequest{})
	if err != nil {
		t.Fatalf("KeystoneListAuthDomains with a token: %v", err)
	}
	if domains.Domains == nil || len(*domains.Domains) != 1 || (*domains.Domains)[0].Id != sdkDomainID {
		t.Errorf("KeystoneListAuthDomains = %+v, want only %s", domains.Domains, sdkDomainID)
	}
}

// TestSDKPurchaseAndList: DataArts Studio's PayForDgcOneKey and
// ListDataArtsStudioInstances with AK/SK.
func TestSDKPurchaseAndList(t *testing.T) {
	s := newServer(t)
	c, _ := sdkDev(t, s)
	orderID, id := sdkPurchase(t, c, testEPS(0))

	item := sdkListed(t, s, s.token(q.ProjectID), id)
	if item == nil {
		t.Fatalf("instance %s is not in the list", id)
	}
	if item["status"] != 2.0 || item["order_id"] != orderID {
		t.Errorf("listed status %v order %v, want 2 and %s", item["status"], item["order_id"], orderID)
	}

	// V3's ListDataArtsStudioInstancesResponse names the array
	// commodity_orders in v0.1.207 (the version in go.mod), as docs/contract.md §4
	// does. Earlier Go releases, and the V3 SDKs of other languages, call it
	// commodity_order_lists, which Dayu deliberately does not serve (one
	// array only: GSDK's pager concatenates every array it sees): with
	// those, count decodes and the array stays empty. With this release the
	// array decodes.
	limit := int32(100)
	list, err := c.ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{Limit: &limit})
	if err != nil {
		t.Fatalf("ListDataArtsStudioInstances: %v", err)
	}
	if list.Count == nil || *list.Count != 1 {
		t.Fatalf("count = %v, want 1", list.Count)
	}
	if list.CommodityOrders == nil || len(*list.CommodityOrders) != 1 {
		t.Fatalf("commodity_orders not decoded by the SDK: %+v", list.CommodityOrders)
	}
	got := (*list.CommodityOrders)[0]
	for _, f := range []struct{ name, got, want string }{
		{"resource_id", sdkStr(got.ResourceId), id},
		{"order_id", sdkStr(got.OrderId), orderID},
		{"resource_name", sdkStr(got.ResourceName), "dgc-sdk"},
		{"resource_spec_code", sdkStr(got.ResourceSpecCode), q.ResourceSpecCode},
		{"vpc_id", sdkStr(got.VpcId), q.VpcID},
		{"security_group_id", sdkStr(got.SecurityGroupId), q.SecurityGroupID},
		{"eps_id", sdkStr(got.EpsId), testEPS(0)},
		{"project_id", sdkStr(got.ProjectId), q.ProjectID},
		{"region_id", sdkStr(got.RegionId), q.RegionID},
		{"domain_id", sdkStr(got.DomainId), sdkDomainID},
		{"resource_type", sdkStr(got.ResourceType), "hws.resource.type.dayu"},
	} {
		if f.got != f.want {
			t.Errorf("SDK item %s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if sdkI32(got.Status) != 2 || sdkI32(got.IsAutoRenew) != 0 || sdkI32(got.IsTrialOrder) != 0 {
		t.Errorf("SDK item status %d is_auto_renew %d is_trial_order %d, want 2 0 0", sdkI32(got.Status), sdkI32(got.IsAutoRenew), sdkI32(got.IsTrialOrder))
	}
	if got.ExpireDays == nil || *got.ExpireDays == "" {
		t.Error("SDK item expire_days is empty")
	}
	// V3 declares effective_time, expire_time and create_time as float32:
	// epoch milliseconds (~1.8e12) keep only 24 bits there, so the SDK's
	// values are off by up to 2^16 ms (about a minute). The wire is right
	// (plain int64 literals, docs/contract.md §4); the loss is the SDK's.
	raw := item["effective_time"].(float64)
	if d := math.Abs(float64(got.EffectiveTime) - raw); d > 1<<16 {
		t.Errorf("SDK effective_time %v is %v ms away from the wire's %v", got.EffectiveTime, d, raw)
	}
	if got.ExpireTime <= got.EffectiveTime || got.CreateTime <= 0 {
		t.Errorf("SDK times: effective %v expire %v create %v", got.EffectiveTime, got.ExpireTime, got.CreateTime)
	}
}

// sdkOrderFlow runs the Terraform provider's create and destroy flow with
// the SDK's BSS client: the order until completed, the resource query, the
// unsubscribe, and the list until the instance is gone.
func sdkOrderFlow(t *testing.T, s *server, c *dgc.DataArtsStudioClient, b *bss.BssClient, eps string) {
	t.Helper()
	orderID, id := sdkPurchase(t, c, eps)

	details, err := b.ShowCustomerOrderDetails(&bssmodel.ShowCustomerOrderDetailsRequest{OrderId: orderID})
	if err != nil {
		t.Fatalf("ShowCustomerOrderDetails: %v", err)
	}
	info := details.OrderInfo
	if info == nil {
		t.Fatal("ShowCustomerOrderDetails: no order_info decoded")
	}
	// The harness provisions instantly: the order is completed at once.
	if sdkStr(info.OrderId) != orderID || sdkI32(info.Status) != 5 || sdkI32(info.OrderType) != 1 || sdkStr(info.CustomerId) != sdkDomainID {
		t.Errorf("order_info: id %s status %d type %d customer %s; want %s 5 1 %s",
			sdkStr(info.OrderId), sdkI32(info.Status), sdkI32(info.OrderType), sdkStr(info.CustomerId), orderID, sdkDomainID)
	}
	if sdkI32(details.TotalCount) != 1 || details.OrderLineItems == nil || len(*details.OrderLineItems) != 1 {
		t.Fatalf("total_count %d, order_line_items %+v; want one", sdkI32(details.TotalCount), details.OrderLineItems)
	}
	line := (*details.OrderLineItems)[0]
	if sdkI32(line.PeriodType) != 2 || sdkI32(line.PeriodNum) != 1 || sdkStr(line.ProductSpecDesc) != q.ResourceSpecCode {
		t.Errorf("order line: period %d x %d, spec %s", sdkI32(line.PeriodType), sdkI32(line.PeriodNum), sdkStr(line.ProductSpecDesc))
	}

	one := int32(1)
	res, err := b.ListPayPerUseCustomerResources(&bssmodel.ListPayPerUseCustomerResourcesRequest{
		Body: &bssmodel.QueryResourcesReq{OrderId: &orderID, OnlyMainResource: &one},
	})
	if err != nil {
		t.Fatalf("ListPayPerUseCustomerResources: %v", err)
	}
	if sdkI32(res.TotalCount) != 1 || res.Data == nil || len(*res.Data) != 1 {
		t.Fatalf("resource query: total_count %d, data %+v; want one", sdkI32(res.TotalCount), res.Data)
	}
	r := (*res.Data)[0]
	if sdkStr(r.ResourceId) != id || sdkI32(r.Status) != 2 || sdkI32(r.IsMainResource) != 1 || sdkStr(r.ProjectId) != q.ProjectID {
		t.Errorf("data[0]: resource_id %s status %d main %d project %s; want %s 2 1 %s",
			sdkStr(r.ResourceId), sdkI32(r.Status), sdkI32(r.IsMainResource), sdkStr(r.ProjectId), id, q.ProjectID)
	}
	// is_auto_renew 0: the resource enters the grace period at expiry.
	if sdkI32(r.ExpirePolicy) != 0 {
		t.Errorf("data[0].expire_policy = %d, want 0", sdkI32(r.ExpirePolicy))
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", sdkStr(r.ExpireTime)); err != nil {
		t.Errorf("data[0].expire_time: %v", err)
	}

	un, err := b.CancelResourcesSubscription(&bssmodel.CancelResourcesSubscriptionRequest{
		Body: &bssmodel.UnsubscribeResourcesReq{ResourceIds: []string{id}, UnsubscribeType: 1},
	})
	if err != nil {
		t.Fatalf("CancelResourcesSubscription: %v", err)
	}
	if un.HttpStatusCode != http.StatusOK || un.OrderIds == nil || len(*un.OrderIds) != 1 || (*un.OrderIds)[0] == "" {
		t.Fatalf("unsubscribe: status %d, order_ids %v; want 200 and one order", un.HttpStatusCode, un.OrderIds)
	}
	if un.FailResourceInfos != nil && len(*un.FailResourceInfos) != 0 {
		t.Errorf("unsubscribe: fail_resource_infos %+v", *un.FailResourceInfos)
	}
	// The harness's deletion delay is 0: gone from the list at once.
	if item := sdkListed(t, s, s.token(q.ProjectID), id); item != nil {
		t.Errorf("after the unsubscribe the instance is still listed with status %v", item["status"])
	}
	list, err := c.ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{})
	if err != nil {
		t.Fatalf("ListDataArtsStudioInstances: %v", err)
	}
	if list.CommodityOrders != nil {
		for _, o := range *list.CommodityOrders {
			if sdkStr(o.ResourceId) == id {
				t.Errorf("the SDK still lists %s with status %d", id, sdkI32(o.Status))
			}
		}
	}
	// The unsubscribe order is an order of the caller's too.
	uo, err := b.ShowCustomerOrderDetails(&bssmodel.ShowCustomerOrderDetailsRequest{OrderId: (*un.OrderIds)[0]})
	if err != nil {
		t.Fatalf("ShowCustomerOrderDetails(unsubscribe order): %v", err)
	}
	if uo.OrderInfo == nil || sdkI32(uo.OrderInfo.OrderType) != 4 {
		t.Errorf("unsubscribe order: %+v, want order_type 4", uo.OrderInfo)
	}
}

// TestSDKBSSOrderFlow: BSS's ShowCustomerOrderDetails,
// ListPayPerUseCustomerResources (the POST to .../suscriptions/resources/query)
// and CancelResourcesSubscription, with AK/SK.
func TestSDKBSSOrderFlow(t *testing.T) {
	s := newServer(t)
	c, b := sdkDev(t, s)
	sdkOrderFlow(t, s, c, b, testEPS(1))
}

// TestSDKOrderLineServiceType: V3's OrderLineItemEntityV2, the model of
// order_line_items (generated from Huawei's API definition, like every
// V3 model), names the line's cloud service type "service_type_code";
// http/wire.go's orderLineItem sends it as "cloud_service_type_code" (and
// adds a "resource_type_code" the model does not have), so the SDK decodes
// no service type for the line. This test fails until the server sends
// service_type_code.
func TestSDKOrderLineServiceType(t *testing.T) {
	s := newServer(t)
	c, b := sdkDev(t, s)
	orderID, _ := sdkPurchase(t, c, testEPS(5))
	details, err := b.ShowCustomerOrderDetails(&bssmodel.ShowCustomerOrderDetailsRequest{OrderId: orderID})
	if err != nil {
		t.Fatalf("ShowCustomerOrderDetails: %v", err)
	}
	if details.OrderLineItems == nil || len(*details.OrderLineItems) != 1 {
		t.Fatalf("order_line_items %+v, want one", details.OrderLineItems)
	}
	if got := (*details.OrderLineItems)[0].ServiceTypeCode; got == nil || *got != "hws.service.type.dayu" {
		t.Errorf("order_line_items[0].service_type_code decoded by V3 = %s, want hws.service.type.dayu: the server sends cloud_service_type_code, which V3's OrderLineItemEntityV2 does not know", sdkStr(got))
	}
}

// TestSDKBSSDeletionDelay: with a deletion delay (admin API), the
// unsubscribed instance is listed with status 6 until it passes.
func TestSDKBSSDeletionDelay(t *testing.T) {
	s := newServer(t)
	admin := []string{"Authorization", "Bearer " + adminToken}
	r := s.do("PUT", "/_dayu/timings?project_id="+q.ProjectID, map[string]any{
		"provisioning_seconds": 0, "deletion_seconds": 60, "grace_seconds": 864000, "retention_seconds": 1728000,
	}, admin...)
	if r.status != http.StatusOK {
		t.Fatalf("timings: %d %s", r.status, r.body)
	}
	c, b := sdkDev(t, s)
	_, id := sdkPurchase(t, c, testEPS(2))
	un, err := b.CancelResourcesSubscription(&bssmodel.CancelResourcesSubscriptionRequest{
		Body: &bssmodel.UnsubscribeResourcesReq{ResourceIds: []string{id}, UnsubscribeType: 1},
	})
	if err != nil || un.OrderIds == nil || len(*un.OrderIds) != 1 {
		t.Fatalf("CancelResourcesSubscription: %v %+v", err, un)
	}
	tok := s.token(q.ProjectID)
	if item := sdkListed(t, s, tok, id); item == nil || item["status"] != 6.0 {
		t.Fatalf("right after the unsubscribe: %v, want status 6 (deleting)", item)
	}
	// The harness checks signatures against its dev clock (startServer sets
	// SigningClock): a jump within the 15 minutes of allowed skew keeps the
	// SDK's signatures, made with the wall clock, valid.
	if r := s.do("POST", "/_dayu/clock", map[string]any{"advance_seconds": 61}, admin...); r.status != http.StatusOK {
		t.Fatalf("clock: %d %s", r.status, r.body)
	}
	if item := sdkListed(t, s, tok, id); item != nil {
		t.Errorf("after the deletion delay the instance is still listed with status %v", item["status"])
	}
	list, err := c.ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{})
	if err != nil {
		t.Fatalf("ListDataArtsStudioInstances after the clock moved: %v", err)
	}
	if list.Count == nil || *list.Count != 0 {
		t.Errorf("SDK count = %v after the deletion, want 0", list.Count)
	}
}

// TestSDKTokenAuth: the V3 SDK has no IAM-token credential for DataArts
// Studio or BSS. Its credentials are AK/SK (basic.Credentials,
// global.Credentials; optionally with a temporary security token, sent as
// X-Security-Token) or a federated id token exchanged for temporary AK/SK;
// iam/v3.IamCredentials (X-Auth-Token) is accepted by the IAM client only
// (its type is checked by the client builder, and it does not fill the
// {project_id} of DataArts paths). What the SDK does have is a
// client-level custom header option, HcHttpClient.WithExtraHeaders: here
// every request carries X-Auth-Token through it. The clients still sign
// with an access key the server does not know, so the token alone is what
// authenticates them (the gateway checks X-Auth-Token first); without the
// header the same clients get 401.
func TestSDKTokenAuth(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	const ak, sk = "NOTANACCESSKEY000000", "not-a-secret-key"
	hc := sdkBuild(t, s, dgc.DataArtsStudioClientBuilder(), sdkBasic(t, ak, sk))
	bc := sdkBuild(t, s, bss.BssClientBuilder(), sdkGlobal(t, ak, sk))

	_, err := dgc.NewDataArtsStudioClient(hc).ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{})
	if se := sdkError(t, err); se.StatusCode != http.StatusUnauthorized || se.ErrorCode != "APIGW.0301" {
		t.Fatalf("without the token: %d %s, want 401 APIGW.0301", se.StatusCode, se.ErrorCode)
	}

	withToken := map[string]string{"X-Auth-Token": tok}
	c := dgc.NewDataArtsStudioClient(hc.WithExtraHeaders(withToken))
	b := bss.NewBssClient(bc.WithExtraHeaders(withToken))
	sdkOrderFlow(t, s, c, b, testEPS(3))
}

// TestSDKErrors: the SDK parses Dayu's errors into ServiceResponseError.
func TestSDKErrors(t *testing.T) {
	s := newServer(t)

	bad := sdkDataArts(t, s, sdkBasic(t, q.AccessKey, q.SecretKey+"x"))
	_, err := bad.PayForDgcOneKey(&dgcmodel.PayForDgcOneKeyRequest{Body: sdkOrder(testEPS(4))})
	se := sdkError(t, err)
	if se.StatusCode != http.StatusUnauthorized || se.ErrorCode != "APIGW.0301" || se.RequestId == "" || se.ErrorMessage == "" {
		t.Errorf("bad secret key: status %d code %q request id %q message %q; want 401 APIGW.0301 with a request id",
			se.StatusCode, se.ErrorCode, se.RequestId, se.ErrorMessage)
	}
	_, err = sdkBSS(t, s, sdkGlobal(t, q.AccessKey, q.SecretKey+"x")).ShowCustomerOrderDetails(&bssmodel.ShowCustomerOrderDetailsRequest{OrderId: "CS0000000001"})
	if se := sdkError(t, err); se.StatusCode != http.StatusUnauthorized || se.ErrorCode != "APIGW.0301" {
		t.Errorf("BSS, bad secret key: %d %q, want 401 APIGW.0301", se.StatusCode, se.ErrorCode)
	}

	// IAM answers in Keystone's format, {"error": {"code": 401, ...}}: its
	// code is a number, which the SDK's parser (sdkerr, string error_code
	// or code only) leaves out, keeping the raw body as the message.
	ic := iam.NewIamClient(sdkBuild(t, s, iam.IamClientBuilder(), sdkGlobal(t, q.AccessKey, q.SecretKey)))
	_, err = ic.KeystoneCreateUserTokenByPassword(&iammodel.KeystoneCreateUserTokenByPasswordRequest{
		Body: &iammodel.KeystoneCreateUserTokenByPasswordRequestBody{Auth: &iammodel.PwdAuth{
			Identity: &iammodel.PwdIdentity{
				Methods: []iammodel.PwdIdentityMethods{iammodel.GetPwdIdentityMethodsEnum().PASSWORD},
				Password: &iammodel.PwdPassword{User: &iammodel.PwdPasswordUser{
					Domain: &iammodel.PwdPasswordUserDomain{Name: q.DomainName}, Name: q.UserName, Password: "wrong",
				}},
			},
		}},
	})
	if se := sdkError(t, err); se.StatusCode != http.StatusUnauthorized || se.RequestId == "" {
		t.Errorf("wrong password: status %d request id %q, want 401 with a request id", se.StatusCode, se.RequestId)
	}

	c, b := sdkDev(t, s)
	order := sdkOrder(testEPS(4))
	order.PeriodType = 4
	_, err = c.PayForDgcOneKey(&dgcmodel.PayForDgcOneKeyRequest{Body: order})
	se = sdkError(t, err)
	if se.StatusCode != http.StatusBadRequest || se.ErrorCode != "DAYU.4402" || se.RequestId == "" {
		t.Errorf("period_type 4: status %d code %q request id %q; want 400 DAYU.4402", se.StatusCode, se.ErrorCode, se.RequestId)
	}

	_, err = b.ShowCustomerOrderDetails(&bssmodel.ShowCustomerOrderDetailsRequest{OrderId: "CS0000000001"})
	if se := sdkError(t, err); se.StatusCode != http.StatusNotFound || se.ErrorCode != "CBC.0101" {
		t.Errorf("unknown order: %d %q, want 404 CBC.0101", se.StatusCode, se.ErrorCode)
	}
	_, err = b.CancelResourcesSubscription(&bssmodel.CancelResourcesSubscriptionRequest{
		Body: &bssmodel.UnsubscribeResourcesReq{ResourceIds: []string{"x"}, UnsubscribeType: 3},
	})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "CBC.0100" {
		t.Errorf("unsubscribe_type 3: %d %q, want 400 CBC.0100", se.StatusCode, se.ErrorCode)
	}
	// An unknown resource is not an error: 200 with it in fail_resource_infos.
	un, err := b.CancelResourcesSubscription(&bssmodel.CancelResourcesSubscriptionRequest{
		Body: &bssmodel.UnsubscribeResourcesReq{ResourceIds: []string{"no-such-resource"}, UnsubscribeType: 1},
	})
	if err != nil {
		t.Fatalf("unsubscribe of an unknown resource: %v", err)
	}
	if un.FailResourceInfos == nil || len(*un.FailResourceInfos) != 1 || sdkStr((*un.FailResourceInfos)[0].ResourceId) != "no-such-resource" ||
		sdkStr((*un.FailResourceInfos)[0].ErrorCode) != "CBC.0100" || un.OrderIds == nil || len(*un.OrderIds) != 0 {
		t.Errorf("unsubscribe of an unknown resource: order_ids %v, fail_resource_infos %+v", un.OrderIds, un.FailResourceInfos)
	}
}

// TestSDKResolvesProjectAndDomain: without a project id (or a domain id)
// and with a region, the SDK finds them itself with GET
// /v3/projects?name={region} (or GET /v3/auth/domains) at the IAM endpoint
// given by WithIamEndpointOverride. The SDK caches what it found per
// process (per access key and region), so a second run in one process
// may not ask again.
func TestSDKResolvesProjectAndDomain(t *testing.T) {
	s := newServer(t)
	pc, err := basic.NewCredentialsBuilder().WithAk(q.AccessKey).WithSk(q.SecretKey).WithIamEndpointOverride(s.URL).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc := sdkClient(t, dgc.DataArtsStudioClientBuilder().WithCredential(pc).
		WithRegion(region.NewRegion(q.RegionID, s.URL)).WithHttpConfig(sdkHTTPConfig(t)))
	if pc.ProjectId != q.ProjectID {
		t.Errorf("resolved project id %q, want %s", pc.ProjectId, q.ProjectID)
	}
	if _, err := dgc.NewDataArtsStudioClient(hc).ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{}); err != nil {
		t.Errorf("ListDataArtsStudioInstances with the resolved project: %v", err)
	}

	gc, err := global.NewCredentialsBuilder().WithAk(q.AccessKey).WithSk(q.SecretKey).WithIamEndpointOverride(s.URL).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	bc := sdkClient(t, bss.BssClientBuilder().WithCredential(gc).
		WithRegion(region.NewRegion(q.RegionID, s.URL)).WithHttpConfig(sdkHTTPConfig(t)))
	if gc.DomainId != sdkDomainID {
		t.Errorf("resolved domain id %q, want %s", gc.DomainId, sdkDomainID)
	}
	one := int32(1)
	res, err := bss.NewBssClient(bc).ListPayPerUseCustomerResources(&bssmodel.ListPayPerUseCustomerResourcesRequest{
		Body: &bssmodel.QueryResourcesReq{OnlyMainResource: &one},
	})
	if err != nil {
		t.Fatalf("ListPayPerUseCustomerResources with the resolved domain: %v", err)
	}
	if sdkI32(res.TotalCount) != 0 {
		t.Errorf("a fresh world has %d resources", sdkI32(res.TotalCount))
	}
}
