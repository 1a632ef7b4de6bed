package http

import (
	"net/http"
	"time"

	"github.com/dayu-emu/dayu"
)

// BSS answers for the caller's domain: orders and resources of other
// domains do not exist for it.

// orderDetails is GET /v2/orders/customer-orders/details/{order_id}.
func (s *Server) orderDetails(c *call) (int, any, error) {
	d, err := s.Service.Order(c.r.Context(), c.caller, c.r.PathValue("order_id"))
	if err != nil {
		return 0, nil, err
	}
	o, i, now := d.Order, d.Resource, d.At
	exp, _ := i.Term(now)
	spec, product := i.SpecAt(now)
	pt, pn := i.PeriodType, i.PeriodNum
	if o.PeriodNum > 0 { // a renewal: what it renewed by
		pt, pn = o.PeriodType, o.PeriodNum
	}
	if o.SpecCode != "" { // a spec change: the edition it moves to
		spec = o.SpecCode
	}
	line := orderLineItem{
		OrderLineItemID: o.ID + "-000001", ServiceTypeCode: serviceTypeDayu, ServiceTypeName: "DataArts Studio",
		ProductID: product, ProductSpecDesc: spec,
		PeriodType: int(pt), PeriodNum: pn, SubscriptionNum: 1, Currency: "CNY",
		EffectiveTime: i.EffectiveAt.Format(bssTime), ExpireTime: exp.Format(bssTime),
	}
	return http.StatusOK, orderDetails{TotalCount: 1, OrderInfo: toOrderInfo(o, now), OrderLineItems: []orderLineItem{line}}, nil
}

// Limits of the resource query (QueryResourcesReq of huaweicloud-sdk-go-v3
// gives the default page and the most ids; the largest page is ours).
const (
	resourcesDefaultLimit = 10
	resourcesMaxLimit     = 500
	resourcesMaxIDs       = 50
)

// queryResources is POST /v2/orders/suscriptions/resources/query (sic):
// every filter given narrows the answer; none selects every resource of
// the caller's domain.
func (s *Server) queryResources(c *call) (int, any, error) {
	var req resourceQueryRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	q, err := req.query()
	if err != nil {
		return 0, nil, err
	}
	out := resourceQueryResponse{Data: []resourceItem{}}
	if req.ServiceTypeCode != nil && *req.ServiceTypeCode != serviceTypeDayu {
		return http.StatusOK, out, nil // Dayu has the resources of one service
	}
	l, err := s.Service.QueryResources(c.r.Context(), c.caller, q)
	if err != nil {
		return 0, nil, err
	}
	now := l.At
	out.TotalCount = l.Total
	for _, i := range l.Instances {
		st, _ := dayu.ResourceStatusOf(i.Status(now))
		exp, _ := i.Term(now)
		spec, product := i.SpecAt(now)
		item := resourceItem{
			ID: i.ID, ResourceID: i.ID, ResourceName: i.Name, RegionCode: i.RegionID,
			ServiceTypeCode: serviceTypeDayu, ResourceTypeCode: resourceTypeDayu, ResourceSpecCode: spec,
			ProjectID: i.ProjectID, ProductID: product, ParentResourceID: i.ParentID, IsMainResource: 1,
			Status: int(st), EffectiveTime: i.EffectiveAt.Format(bssTime), ExpireTime: exp.Format(bssTime),
			ExpirePolicy:      expirePolicyGrace,
			EnterpriseProject: idAndName{ID: i.EpsID, Name: s.enterpriseProjectName(c.caller, i.EpsID)},
		}
		if i.IsPackage() {
			item.IsMainResource = 0
		}
		if i.AutoRenews(now) {
			item.ExpirePolicy = expirePolicyRenew
		}
		out.Data = append(out.Data, item)
	}
	return http.StatusOK, out, nil
}

// query checks the request and turns it into the domain's query.
func (req *resourceQueryRequest) query() (dayu.ResourceQuery, error) {
	q := dayu.ResourceQuery{Page: dayu.Page{Limit: resourcesDefaultLimit}}
	q.OrderID, q.ResourceIDs = req.OrderID, req.ResourceIDs
	if n := len(req.ResourceIDs); n > resourcesMaxIDs {
		return q, dayu.Errorf(dayu.EINVALID, "resource_ids: at most %d ids, got %d", resourcesMaxIDs, n)
	}
	if m := req.OnlyMainResource; m != nil {
		if *m != 0 && *m != 1 {
			return q, dayu.Errorf(dayu.EINVALID, "only_main_resource: must be 0 (with the packages) or 1 (main resources only), got %d", *m)
		}
		q.OnlyMain = *m == 1
	}
	for _, st := range req.StatusList {
		if st < int(dayu.ResourceInUse) || st > int(dayu.ResourceExpired) {
			return q, dayu.Errorf(dayu.EINVALID, "status_list: each status must be 2 (in use), 3 (closed), 4 (frozen) or 5 (expired), got %d", st)
		}
		q.Statuses = append(q.Statuses, dayu.ResourceStatus(st))
	}
	for _, b := range []struct {
		name, value string
		dst         *time.Time
	}{{"expire_time_begin", req.ExpireTimeBegin, &q.ExpireFrom}, {"expire_time_end", req.ExpireTimeEnd, &q.ExpireTo}} {
		if b.value == "" {
			continue
		}
		t, err := time.Parse(bssTime, b.value)
		if err != nil {
			return q, dayu.Errorf(dayu.EINVALID, "%s: must be a UTC time like 2019-05-06T08:05:01Z, got %q", b.name, b.value)
		}
		*b.dst = t
	}
	if req.ServiceTypeCode != nil && *req.ServiceTypeCode == "" {
		return q, dayu.Errorf(dayu.EINVALID, "service_type_code: must not be empty (leave it out to query every service)")
	}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > resourcesMaxLimit {
			return q, dayu.Errorf(dayu.EINVALID, "limit: must be 1-%d, got %d", resourcesMaxLimit, *req.Limit)
		}
		q.Page.Limit = *req.Limit
	}
	if req.Offset != nil {
		if *req.Offset < 0 {
			return q, dayu.Errorf(dayu.EINVALID, "offset: must not be negative, got %d", *req.Offset)
		}
		q.Page.Offset = *req.Offset
	}
	return q, nil
}

// unsubscribe is POST /v2/orders/subscriptions/resources/unsubscribe: 200
// only, with the resources it could not end in fail_resource_infos.
func (s *Server) unsubscribe(c *call) (int, any, error) {
	var req unsubscribeRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	if req.UnsubscribeType == nil {
		return 0, nil, dayu.Errorf(dayu.EINVALID, "unsubscribe_type: is required")
	}
	orders, failed, err := s.Service.Unsubscribe(c.r.Context(), c.caller, req.ResourceIDs, dayu.UnsubscribeType(*req.UnsubscribeType))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ordersAndFailures(orders, failed), nil
}
