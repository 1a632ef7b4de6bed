package http_test

// The official V3 SDK's typed clients for the instance's life after its
// purchase: BSS auto-renew, renewals, orders, pay and cancel; DataArts
// Studio's change-resource and workspaces; EPS's migrate and resource
// query. Like sdk_test.go, through a real listener and apitest.Transport.

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	bssmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/bss/v2/model"
	dgc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	dgcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
	eps "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/eps/v1"
	epsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/eps/v1/model"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
)

// wallSigning checks AK/SK signatures against the wall clock, as dayu
// serve does: the SDK signs with it, so moving the dev clock by months
// keeps its requests valid.
func wallSigning(c *node.Config) { c.SigningClock = dayu.WallClock{} }

func sdkEPS(t *testing.T, s *server) *eps.EpsClient {
	return eps.NewEpsClient(sdkBuild(t, s, eps.EpsClientBuilder(), sdkGlobal(t, q.AccessKey, q.SecretKey)))
}

// sdkResource is the BSS resource query's view of one resource.
func sdkResource(t *testing.T, s *server, id string) bssmodel.OrderInstanceV2 {
	t.Helper()
	onlyMain := int32(1) // an instance's packages come with it otherwise
	_, b := sdkDev(t, s)
	res, err := b.ListPayPerUseCustomerResources(&bssmodel.ListPayPerUseCustomerResourcesRequest{
		Body: &bssmodel.QueryResourcesReq{ResourceIds: &[]string{id}, OnlyMainResource: &onlyMain},
	})
	if err != nil {
		t.Fatalf("ListPayPerUseCustomerResources(%s): %v", id, err)
	}
	if res.Data == nil || len(*res.Data) != 1 {
		t.Fatalf("ListPayPerUseCustomerResources(%s): %+v, want one resource", id, res.Data)
	}
	return (*res.Data)[0]
}

// sdkOrderStatus is an order's status and type as V3 decodes them.
func sdkOrderStatus(t *testing.T, s *server, id string) (status, typ int32) {
	t.Helper()
	_, b := sdkDev(t, s)
	d, err := b.ShowCustomerOrderDetails(&bssmodel.ShowCustomerOrderDetailsRequest{OrderId: id})
	if err != nil {
		t.Fatalf("ShowCustomerOrderDetails(%s): %v", id, err)
	}
	return sdkI32(d.OrderInfo.Status), sdkI32(d.OrderInfo.OrderType)
}

// sdkItem is the instance's item in V3's ListDataArtsStudioInstances; it
// fails the test when the instance is not listed.
func sdkItem(t *testing.T, c *dgc.DataArtsStudioClient, id string) dgcmodel.ApigCommodityOrder {
	t.Helper()
	limit := int32(100)
	resp, err := c.ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{Limit: &limit})
	if err != nil {
		t.Fatalf("ListDataArtsStudioInstances: %v", err)
	}
	for _, o := range *resp.CommodityOrders {
		if sdkStr(o.ResourceId) == id {
			return o
		}
	}
	t.Fatalf("instance %s is not listed", id)
	return dgcmodel.ApigCommodityOrder{}
}

// sdkExpiry is the resource's expiry as BSS gives it (V3 decodes the
// list's expire_time into a float32, too coarse to compare).
func sdkExpiry(t *testing.T, s *server, id string) time.Time {
	t.Helper()
	at, err := time.Parse("2006-01-02T15:04:05Z", sdkStr(sdkResource(t, s, id).ExpireTime))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestSDKAutoRenew: AutoRenewalResources and CancelAutoRenewalResources
// answer 204, change the list's is_auto_renew and BSS's expire_policy, and
// the next expiry renews or lapses accordingly.
func TestSDKAutoRenew(t *testing.T) {
	s := newServer(t, wallSigning)
	c, b := sdkDev(t, s)
	orderID, id := sdkPurchase(t, c, testEPS(10)) // is_auto_renew 0
	if r := sdkResource(t, s, id); sdkI32(r.ExpirePolicy) != 0 || sdkI32(sdkItem(t, c, id).IsAutoRenew) != 0 {
		t.Fatalf("before: expire_policy %d, is_auto_renew %v; want 0, 0", sdkI32(r.ExpirePolicy), sdkI32(sdkItem(t, c, id).IsAutoRenew))
	}
	for range 2 { // the second switch is a retry: the same answer, nothing changes
		on, err := b.AutoRenewalResources(&bssmodel.AutoRenewalResourcesRequest{ResourceId: id})
		if err != nil || on.HttpStatusCode != http.StatusNoContent {
			t.Fatalf("AutoRenewalResources: %v %+v, want 204", err, on)
		}
	}
	if r := sdkResource(t, s, id); sdkI32(r.ExpirePolicy) != 3 {
		t.Errorf("after switching on: expire_policy %d, want 3", sdkI32(r.ExpirePolicy))
	}
	if got := sdkI32(sdkItem(t, c, id).IsAutoRenew); got != 1 {
		t.Errorf("after switching on: is_auto_renew %v, want 1", got)
	}
	s.advance(32 * 24 * time.Hour) // past the first expiry: renewed
	if st := sdkI32(sdkItem(t, c, id).Status); st != 2 {
		t.Errorf("status %v after the expiry with auto-renew on, want 2", st)
	}
	if st, typ := sdkOrderStatus(t, s, orderID+"-R1"); st != 5 || typ != 2 {
		t.Errorf("renewal order %s-R1: status %d type %d, want 5 2", orderID, st, typ)
	}

	off, err := b.CancelAutoRenewalResources(&bssmodel.CancelAutoRenewalResourcesRequest{ResourceId: id})
	if err != nil || off.HttpStatusCode != http.StatusNoContent {
		t.Fatalf("CancelAutoRenewalResources: %v %+v, want 204", err, off)
	}
	if r := sdkResource(t, s, id); sdkI32(r.ExpirePolicy) != 0 {
		t.Errorf("after switching off: expire_policy %d, want 0", sdkI32(r.ExpirePolicy))
	}
	s.advance(31 * 24 * time.Hour) // past the renewed term: grace
	if st := sdkI32(sdkItem(t, c, id).Status); st != 5 {
		t.Errorf("status %v after the expiry with auto-renew off, want 5 (grace)", st)
	}

	// Switching on in grace renews at once (ours): in effect again.
	if _, err := b.AutoRenewalResources(&bssmodel.AutoRenewalResourcesRequest{ResourceId: id}); err != nil {
		t.Fatalf("AutoRenewalResources in grace: %v", err)
	}
	if st := sdkI32(sdkItem(t, c, id).Status); st != 2 {
		t.Errorf("status %v after switching on in grace, want 2", st)
	}
	if st, _ := sdkOrderStatus(t, s, orderID+"-R2"); st != 5 {
		t.Errorf("the renewal made by switching on in grace: status %d, want 5", st)
	}

	_, err = b.AutoRenewalResources(&bssmodel.AutoRenewalResourcesRequest{ResourceId: "no-such-resource"})
	if se := sdkError(t, err); se.StatusCode != http.StatusNotFound || se.ErrorCode != "CBC.0101" {
		t.Errorf("unknown resource: %d %s, want 404 CBC.0101", se.StatusCode, se.ErrorCode)
	}
	times := int32(100)
	_, err = b.AutoRenewalResources(&bssmodel.AutoRenewalResourcesRequest{ResourceId: id, Body: &bssmodel.AutoRenewalResourcesReq{AutoRenewTimes: &times}})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "CBC.0100" {
		t.Errorf("auto_renew_times 100: %d %s, want 400 CBC.0100", se.StatusCode, se.ErrorCode)
	}
}

// TestSDKRenewalAndOrders: RenewalResources with and without auto-pay,
// PayOrders, CancelCustomerOrder and ListCustomerOrders.
func TestSDKRenewalAndOrders(t *testing.T) {
	s := newServer(t, wallSigning)
	c, b := sdkDev(t, s)
	purchaseOrder, id := sdkPurchase(t, c, testEPS(11))
	first := sdkExpiry(t, s, id)

	renew := func(autoPay int32, ids ...string) *bssmodel.RenewalResourcesResponse {
		t.Helper()
		resp, err := b.RenewalResources(&bssmodel.RenewalResourcesRequest{Body: &bssmodel.RenewalResourcesReq{
			ResourceIds: ids, PeriodType: 2, PeriodNum: 2, IsAutoPay: &autoPay,
		}})
		if err != nil {
			t.Fatalf("RenewalResources: %v", err)
		}
		return resp
	}
	paid := renew(1, id, "no-such-resource")
	if paid.OrderIds == nil || len(*paid.OrderIds) != 1 || paid.FailResourceInfos == nil || len(*paid.FailResourceInfos) != 1 ||
		sdkStr((*paid.FailResourceInfos)[0].ResourceId) != "no-such-resource" {
		t.Fatalf("auto-paid renewal: order_ids %v, fail_resource_infos %+v; want one of each", paid.OrderIds, paid.FailResourceInfos)
	}
	twoMonths := dayu.AddPeriod(first, dayu.PeriodMonth, 2)
	if got := sdkExpiry(t, s, id); !got.Equal(twoMonths) {
		t.Errorf("after the auto-paid renewal: expire_time %s, want %s", got, twoMonths)
	}
	if st, typ := sdkOrderStatus(t, s, (*paid.OrderIds)[0]); st != 5 || typ != 2 {
		t.Errorf("auto-paid renewal order: status %d type %d, want 5 2", st, typ)
	}

	pending := (*renew(0, id).OrderIds)[0]
	if st, _ := sdkOrderStatus(t, s, pending); st != 6 {
		t.Errorf("unpaid renewal order: status %d, want 6", st)
	}
	if got := sdkExpiry(t, s, id); !got.Equal(twoMonths) {
		t.Errorf("an unpaid renewal extended the term to %s", got)
	}
	for range 2 { // paying again is a retry: nothing more happens
		pay, err := b.PayOrders(&bssmodel.PayOrdersRequest{Body: &bssmodel.PayCustomerOrderV3Req{OrderId: pending, UseCoupon: "NO", UseDiscount: "NO"}})
		if err != nil || pay.HttpStatusCode != http.StatusNoContent {
			t.Fatalf("PayOrders: %v %+v, want 204", err, pay)
		}
	}
	fourMonths := dayu.AddPeriod(first, dayu.PeriodMonth, 4)
	if got := sdkExpiry(t, s, id); !got.Equal(fourMonths) {
		t.Errorf("after paying: expire_time %s, want %s", got, fourMonths)
	}
	if st, _ := sdkOrderStatus(t, s, pending); st != 5 {
		t.Errorf("paid renewal order: status %d, want 5", st)
	}

	cancelled := (*renew(0, id).OrderIds)[0]
	for range 2 {
		cancel, err := b.CancelCustomerOrder(&bssmodel.CancelCustomerOrderRequest{Body: &bssmodel.CancelCustomerOrderReq{OrderId: cancelled}})
		if err != nil || cancel.HttpStatusCode != http.StatusNoContent {
			t.Fatalf("CancelCustomerOrder: %v %+v, want 204", err, cancel)
		}
	}
	if st, _ := sdkOrderStatus(t, s, cancelled); st != 4 {
		t.Errorf("cancelled order: status %d, want 4", st)
	}
	_, err := b.PayOrders(&bssmodel.PayOrdersRequest{Body: &bssmodel.PayCustomerOrderV3Req{OrderId: cancelled}})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "CBC.0100" {
		t.Errorf("paying a cancelled order: %d %s, want 400 CBC.0100", se.StatusCode, se.ErrorCode)
	}
	_, err = b.CancelCustomerOrder(&bssmodel.CancelCustomerOrderRequest{Body: &bssmodel.CancelCustomerOrderReq{OrderId: pending}})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "CBC.0100" {
		t.Errorf("cancelling a paid order: %d %s, want 400 CBC.0100", se.StatusCode, se.ErrorCode)
	}
	if got := sdkExpiry(t, s, id); !got.Equal(fourMonths) {
		t.Errorf("the cancelled renewal moved expire_time to %s", got)
	}

	// The order list: every type, newest first, filtered and paged.
	un, err := b.CancelResourcesSubscription(&bssmodel.CancelResourcesSubscriptionRequest{
		Body: &bssmodel.UnsubscribeResourcesReq{ResourceIds: []string{id}, UnsubscribeType: 1},
	})
	if err != nil {
		t.Fatalf("CancelResourcesSubscription: %v", err)
	}
	list := func(r *bssmodel.ListCustomerOrdersRequest) (int32, []string) {
		t.Helper()
		resp, err := b.ListCustomerOrders(r)
		if err != nil {
			t.Fatalf("ListCustomerOrders: %v", err)
		}
		var ids []string
		for _, o := range *resp.OrderInfos {
			ids = append(ids, sdkStr(o.OrderId))
		}
		return sdkI32(resp.TotalCount), ids
	}
	newest := []string{(*un.OrderIds)[0], cancelled, pending, (*paid.OrderIds)[0], purchaseOrder}
	limit := int32(100)
	if total, got := list(&bssmodel.ListCustomerOrdersRequest{Limit: &limit}); total != 5 || !slices.Equal(got, newest) {
		t.Errorf("all orders: total %d, %v; want 5, %v", total, got, newest)
	}
	two, one := "2", int32(1)
	if total, got := list(&bssmodel.ListCustomerOrdersRequest{OrderType: &two, Limit: &one, Offset: &one}); total != 3 || !slices.Equal(got, newest[2:3]) {
		t.Errorf("renewals, page 2 of 1: total %d, %v; want 3, %v", total, got, newest[2:3])
	}
	four := int32(4)
	if total, got := list(&bssmodel.ListCustomerOrdersRequest{Status: &four}); total != 1 || !slices.Equal(got, []string{cancelled}) {
		t.Errorf("cancelled orders: total %d, %v; want only %s", total, got, cancelled)
	}
	if total, got := list(&bssmodel.ListCustomerOrdersRequest{OrderId: &purchaseOrder}); total != 1 || !slices.Equal(got, []string{purchaseOrder}) {
		t.Errorf("by order id: total %d, %v; want only %s", total, got, purchaseOrder)
	}
	bad := "createdAt"
	_, err = b.ListCustomerOrders(&bssmodel.ListCustomerOrdersRequest{OrderBy: &bad})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "CBC.0100" {
		t.Errorf("order_by createdAt: %d %s, want 400 CBC.0100", se.StatusCode, se.ErrorCode)
	}
}

// TestSDKChangeResource: ChangeResource upgrades after the provisioning
// delay, refuses a wrong direction, an unknown edition, a package and an
// expansion, and renews by one period with change_mode 40.
func TestSDKChangeResource(t *testing.T) {
	s := newServer(t, wallSigning)
	s.setTimings(q.ProjectID, dayu.Timings{Provisioning: time.Minute, Grace: time.Hour, Retention: time.Hour})
	c, _ := sdkDev(t, s)
	_, id := sdkPurchase(t, c, testEPS(12))
	s.advance(time.Minute)
	change := func(mode int32, spec, resource string) (*dgcmodel.ChangeResourceResponse, error) {
		return c.ChangeResource(&dgcmodel.ChangeResourceRequest{Body: &dgcmodel.ApigChangeResourceReq{
			ChangeMode: mode, ResourceId: resource, ResourceSpecCode: spec,
		}})
	}
	resp, err := change(10, "dayu.basic", id)
	if err != nil || resp.HttpStatusCode != http.StatusOK {
		t.Fatalf("upgrade: %v %+v", err, resp)
	}
	if got := sdkStr(sdkItem(t, c, id).ResourceSpecCode); got != "dayu.starter" {
		t.Errorf("during the change: resource_spec_code %v, want dayu.starter", got)
	}
	_, err = change(10, "dayu.advanced", id)
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "DAYU.4402" {
		t.Errorf("a second change during the first: %d %s, want 400 DAYU.4402", se.StatusCode, se.ErrorCode)
	}
	s.advance(time.Minute)
	if got := sdkStr(sdkItem(t, c, id).ResourceSpecCode); got != "dayu.basic" {
		t.Errorf("after the provisioning delay: resource_spec_code %v, want dayu.basic", got)
	}
	if r := sdkResource(t, s, id); sdkStr(r.ResourceSpecCode) != "dayu.basic" {
		t.Errorf("BSS resource_spec_code %s, want dayu.basic", sdkStr(r.ResourceSpecCode))
	}

	pkg := purchaseBody(testEPS(12))
	pkg["extesion_package_type"], pkg["binding_instance_id"] = "dayu.package.cdm", id
	pkgID := s.call(http.StatusOK, "POST", purchasePath(q.ProjectID), pkg).json(t)["resource_id"].(string)
	s.advance(time.Minute)
	for _, tc := range []struct {
		name     string
		mode     int32
		spec, id string
		want     string
	}{
		{"an upgrade to a lower edition", 10, "dayu.starter", id, "upgrade"},
		{"a downgrade to a higher edition", 30, "dayu.advanced", id, "downgrade"},
		{"the same edition", 10, "dayu.basic", id, "upgrade"},
		{"an unknown edition", 10, "dayu.huge", id, "resource_spec_code"},
		{"a package", 10, "dayu.advanced", pkgID, "incremental package"},
		{"an expansion", 60, "dayu.basic", id, "expansion"},
		{"change_mode 70", 70, "dayu.basic", id, "change_mode"},
		{"a renewal of another edition", 40, "dayu.advanced", id, "renewal"},
	} {
		_, err := change(tc.mode, tc.spec, tc.id)
		if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "DAYU.4402" || !strings.Contains(se.ErrorMessage, tc.want) {
			t.Errorf("%s: %d %s %q, want 400 DAYU.4402 naming %q", tc.name, se.StatusCode, se.ErrorCode, se.ErrorMessage, tc.want)
		}
	}
	if got := sdkStr(sdkItem(t, c, id).ResourceSpecCode); got != "dayu.basic" {
		t.Errorf("after the refused changes: resource_spec_code %v, want dayu.basic", got)
	}

	before := sdkExpiry(t, s, id)
	if _, err := change(40, "dayu.basic", id); err != nil {
		t.Fatalf("renewal by change_mode 40: %v", err)
	}
	if got, want := sdkExpiry(t, s, id), dayu.AddPeriod(before, dayu.PeriodMonth, 1); !got.Equal(want) {
		t.Errorf("after change_mode 40: expire_time %s, want %s", got, want)
	}
	if _, err := change(30, "dayu.starter", id); err != nil {
		t.Fatalf("downgrade: %v", err)
	}
	s.advance(time.Minute)
	if got := sdkStr(sdkItem(t, c, id).ResourceSpecCode); got != "dayu.starter" {
		t.Errorf("after the downgrade: resource_spec_code %v, want dayu.starter", got)
	}
}

// sdkWorkspaceAt is the V3 request of the workspace-level operations the
// SDK has no typed client for (update and delete): the SDK's own request
// definition and client, the path of ShowWorkSpace.
type sdkWorkspaceAt struct {
	InstanceId  string                          `json:"instance_id"`
	WorkspaceId string                          `json:"workspace_id"`
	Body        *dgcmodel.CreateWorkspaceParams `json:"body,omitempty"`
}

type sdkActionResponse struct {
	IsSuccess      *bool `json:"is_success,omitempty"`
	HttpStatusCode int   `json:"-"`
}

func sdkWorkspaceCall(t *testing.T, c *dgc.DataArtsStudioClient, method string, req *sdkWorkspaceAt) (*sdkActionResponse, error) {
	t.Helper()
	b := def.NewHttpRequestDefBuilder().WithMethod(method).
		WithPath("/v1/{project_id}/workspaces/{instance_id}/{workspace_id}").
		WithResponse(new(sdkActionResponse)).WithContentType("application/json;charset=UTF-8")
	b.WithRequestField(def.NewFieldDef().WithName("InstanceId").WithJsonTag("instance_id").WithLocationType(def.Path))
	b.WithRequestField(def.NewFieldDef().WithName("WorkspaceId").WithJsonTag("workspace_id").WithLocationType(def.Path))
	if req.Body != nil {
		b.WithRequestField(def.NewFieldDef().WithName("Body").WithLocationType(def.Body))
	}
	resp, err := c.HcClient.Sync(req, b.Build())
	if err != nil {
		return nil, err
	}
	return resp.(*sdkActionResponse), nil
}

// TestSDKWorkspaces: an instance comes with its default workspace;
// ListManagerWorkSpaces, CreateManagerWorkSpace and ShowWorkSpace (typed),
// update and delete (the SDK's client with its own request definitions);
// the default workspace stays, and workspaces go with their instance.
func TestSDKWorkspaces(t *testing.T) {
	s := newServer(t, wallSigning)
	c, b := sdkDev(t, s)
	_, id := sdkPurchase(t, c, testEPS(13))
	list := func() *dgcmodel.ListManagerWorkSpacesResponse {
		t.Helper()
		resp, err := c.ListManagerWorkSpaces(&dgcmodel.ListManagerWorkSpacesRequest{InstanceId: id})
		if err != nil {
			t.Fatalf("ListManagerWorkSpaces: %v", err)
		}
		return resp
	}
	ws := list()
	if sdkI32(ws.Count) != 1 || sdkI32(ws.TotalPage) != 1 || ws.Data == nil || len(*ws.Data) != 1 {
		t.Fatalf("a new instance's workspaces: count %d, total_page %d, %+v; want its default one", sdkI32(ws.Count), sdkI32(ws.TotalPage), ws.Data)
	}
	def0 := (*ws.Data)[0]
	if sdkI32(def0.IsDefault) != 1 || sdkStr(def0.InstanceId) != id || sdkStr(def0.EpsId) != testEPS(13) || def0.CreateTime <= 0 || def0.UpdateTime <= 0 {
		t.Errorf("default workspace %+v: want is_default 1, instance %s, eps %s, times as numbers", def0, id, testEPS(13))
	}

	created, err := c.CreateManagerWorkSpace(&dgcmodel.CreateManagerWorkSpaceRequest{InstanceId: id, Body: &dgcmodel.CreateWorkspaceParams{
		Name: "analytics", EpsId: testEPS(13), Description: strPtr("数据分析"),
	}})
	if err != nil || created.HttpStatusCode != http.StatusOK {
		t.Fatalf("CreateManagerWorkSpace: %v %+v", err, created)
	}
	_, err = c.CreateManagerWorkSpace(&dgcmodel.CreateManagerWorkSpaceRequest{InstanceId: id, Body: &dgcmodel.CreateWorkspaceParams{Name: "analytics", EpsId: "0"}})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "DAYU.4402" || !strings.Contains(se.ErrorMessage, "name") {
		t.Errorf("a second workspace named analytics: %d %s %q, want 400 DAYU.4402 naming the name", se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	ws = list()
	if sdkI32(ws.Count) != 2 || len(*ws.Data) != 2 || sdkStr((*ws.Data)[1].Name) != "analytics" {
		t.Fatalf("after the create: %+v, want the default one and analytics", ws.Data)
	}
	wid := sdkStr((*ws.Data)[1].Id)
	one, err := c.ShowWorkSpace(&dgcmodel.ShowWorkSpaceRequest{InstanceId: id, WorkspaceId: wid})
	if err != nil || sdkStr(one.Name) != "analytics" || sdkStr(one.Description) != "数据分析" || sdkI32(one.IsDefault) != 0 || sdkStr(one.CreateUser) != q.UserName {
		t.Fatalf("ShowWorkSpace: %v %+v", err, one)
	}

	upd, err := sdkWorkspaceCall(t, c, http.MethodPut, &sdkWorkspaceAt{InstanceId: id, WorkspaceId: wid,
		Body: &dgcmodel.CreateWorkspaceParams{Name: "reporting", EpsId: "0"}})
	if err != nil || upd.HttpStatusCode != http.StatusOK || upd.IsSuccess == nil || !*upd.IsSuccess {
		t.Fatalf("update: %v %+v", err, upd)
	}
	if one, err := c.ShowWorkSpace(&dgcmodel.ShowWorkSpaceRequest{InstanceId: id, WorkspaceId: wid}); err != nil || sdkStr(one.Name) != "reporting" || sdkStr(one.EpsId) != "0" {
		t.Errorf("after the update: %v %+v, want reporting in enterprise project 0", err, one)
	}
	// The default workspace's name is taken until it is renamed.
	_, err = c.CreateManagerWorkSpace(&dgcmodel.CreateManagerWorkSpaceRequest{InstanceId: id, Body: &dgcmodel.CreateWorkspaceParams{Name: "default", EpsId: "0"}})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || !strings.Contains(se.ErrorMessage, "name") {
		t.Errorf("a workspace named default beside the default one: %d %q, want 400 naming the name", se.StatusCode, se.ErrorMessage)
	}
	if _, err := sdkWorkspaceCall(t, c, http.MethodPut, &sdkWorkspaceAt{InstanceId: id, WorkspaceId: sdkStr(def0.Id),
		Body: &dgcmodel.CreateWorkspaceParams{Name: "main", EpsId: testEPS(13)}}); err != nil {
		t.Fatalf("renaming the default workspace: %v", err)
	}
	if ws := list(); sdkStr((*ws.Data)[0].Id) != sdkStr(def0.Id) || sdkStr((*ws.Data)[0].Name) != "main" || sdkI32((*ws.Data)[0].IsDefault) != 1 {
		t.Errorf("after renaming the default workspace the list starts with %+v, want it named main", (*ws.Data)[0])
	}
	if _, err := c.CreateManagerWorkSpace(&dgcmodel.CreateManagerWorkSpaceRequest{InstanceId: id, Body: &dgcmodel.CreateWorkspaceParams{Name: "default", EpsId: "0"}}); err != nil {
		t.Errorf("a workspace named default once the default one is renamed: %v", err)
	}
	_, err = sdkWorkspaceCall(t, c, http.MethodDelete, &sdkWorkspaceAt{InstanceId: id, WorkspaceId: sdkStr(def0.Id)})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || !strings.Contains(se.ErrorMessage, "default") {
		t.Errorf("deleting the default workspace: %d %q, want 400 naming the default workspace", se.StatusCode, se.ErrorMessage)
	}
	if del, err := sdkWorkspaceCall(t, c, http.MethodDelete, &sdkWorkspaceAt{InstanceId: id, WorkspaceId: wid}); err != nil || del.HttpStatusCode != http.StatusOK {
		t.Fatalf("delete: %v %+v", err, del)
	}
	_, err = c.ShowWorkSpace(&dgcmodel.ShowWorkSpaceRequest{InstanceId: id, WorkspaceId: wid})
	if se := sdkError(t, err); se.StatusCode != http.StatusNotFound || se.ErrorCode != "DAYU.4404" {
		t.Errorf("a deleted workspace: %d %s, want 404 DAYU.4404", se.StatusCode, se.ErrorCode)
	}

	// The workspaces go with their instance (the harness deletes at once).
	if _, err := b.CancelResourcesSubscription(&bssmodel.CancelResourcesSubscriptionRequest{
		Body: &bssmodel.UnsubscribeResourcesReq{ResourceIds: []string{id}, UnsubscribeType: 1},
	}); err != nil {
		t.Fatalf("CancelResourcesSubscription: %v", err)
	}
	_, err = c.ListManagerWorkSpaces(&dgcmodel.ListManagerWorkSpacesRequest{InstanceId: id})
	if se := sdkError(t, err); se.StatusCode != http.StatusNotFound || se.ErrorCode != "DAYU.4404" {
		t.Errorf("the workspaces of a gone instance: %d %s, want 404 DAYU.4404", se.StatusCode, se.ErrorCode)
	}
}

func strPtr(s string) *string { return &s }

// TestSDKEnterpriseProjectMove: EPS MigrateResource answers 204, moves the
// instance in the list, in BSS and in ShowResourceBindEnterpriseProject;
// moving into an enterprise project that holds an instance is a 400 in the
// EPS format and changes nothing; moving to where it is is a 204.
func TestSDKEnterpriseProjectMove(t *testing.T) {
	s := newServer(t, wallSigning)
	c, _ := sdkDev(t, s)
	e := sdkEPS(t, s)
	_, id := sdkPurchase(t, c, testEPS(14))
	_, other := sdkPurchase(t, c, testEPS(15))
	migrate := func(target, resource string) (*epsmodel.MigrateResourceResponse, error) {
		return e.MigrateResource(&epsmodel.MigrateResourceRequest{EnterpriseProjectId: target, Body: &epsmodel.MigrateResource{
			ResourceId: resource, ResourceType: "dayu-instance", ProjectId: strPtr(q.ProjectID), RegionId: strPtr(q.RegionID),
		}})
	}
	for range 2 { // the second is a retry: 204, nothing changes
		resp, err := migrate(testEPS(16), id)
		if err != nil || resp.HttpStatusCode != http.StatusNoContent {
			t.Fatalf("MigrateResource: %v %+v, want 204", err, resp)
		}
	}
	if got := sdkStr(sdkItem(t, c, id).EpsId); got != testEPS(16) {
		t.Errorf("list eps_id %v after the move, want %s", got, testEPS(16))
	}
	if r := sdkResource(t, s, id); r.EnterpriseProject == nil || sdkStr(r.EnterpriseProject.Id) != testEPS(16) || sdkStr(r.EnterpriseProject.Name) != testEPS(16) {
		t.Errorf("BSS enterprise_project %+v after the move, want %s", r.EnterpriseProject, testEPS(16))
	}
	found, err := e.ShowResourceBindEnterpriseProject(&epsmodel.ShowResourceBindEnterpriseProjectRequest{EnterpriseProjectId: testEPS(16),
		Body: &epsmodel.ResqEpResouce{Projects: &[]string{q.ProjectID}, ResourceTypes: []string{"dayu-instance"}}})
	if err != nil || found.Resources == nil || len(*found.Resources) != 1 || (*found.Resources)[0].ResourceId != id || sdkI32(found.TotalCount) != 1 {
		t.Fatalf("ShowResourceBindEnterpriseProject: %v %+v, want only %s", err, found, id)
	}
	if got := (*found.Resources)[0]; got.ProjectName != q.ProjectName || got.ResourceType != "dayu-instance" || got.EnterpriseProjectId != testEPS(16) {
		t.Errorf("resource %+v", got)
	}

	_, err = migrate(testEPS(16), other)
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "EPS.0002" || !strings.Contains(se.ErrorMessage, "one instance per enterprise project") {
		t.Errorf("a move into an occupied enterprise project: %d %s %q, want 400 EPS.0002", se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	if got := sdkStr(sdkItem(t, c, other).EpsId); got != testEPS(15) {
		t.Errorf("the refused move changed eps_id to %v", got)
	}
	_, err = migrate("no-such-eps", other)
	if se := sdkError(t, err); se.StatusCode != http.StatusNotFound || se.ErrorCode != "EPS.0005" {
		t.Errorf("an unknown enterprise project: %d %s, want 404 EPS.0005", se.StatusCode, se.ErrorCode)
	}
	_, err = e.MigrateResource(&epsmodel.MigrateResourceRequest{EnterpriseProjectId: "0", Body: &epsmodel.MigrateResource{
		ResourceId: other, ResourceType: "ecs", ProjectId: strPtr(q.ProjectID)}})
	if se := sdkError(t, err); se.StatusCode != http.StatusBadRequest || se.ErrorCode != "EPS.0002" || !strings.Contains(se.ErrorMessage, "resource_type") {
		t.Errorf("an unknown resource type: %d %s %q, want 400 EPS.0002 naming resource_type", se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	// The enterprise project left is free for a purchase.
	sdkPurchase(t, c, testEPS(14))
}
