package http

import (
	"net/http"

	"github.com/dayu-emu/dayu"
)

// BSS answers for the caller's domain: orders and resources of other
// domains do not exist for it.

// orderDetails is GET /v2/orders/customer-orders/details/{order_id}.
func (s *Server) orderDetails(c *call) (int, any, error) {
	o, i, err := s.Service.Order(c.r.Context(), c.caller, c.r.PathValue("order_id"))
	if err != nil {
		return 0, nil, err
	}
	now := s.Service.Clock.Now()
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

// queryResources is POST /v2/orders/suscriptions/resources/query (sic).
func (s *Server) queryResources(c *call) (int, any, error) {
	var req resourceQueryRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	q := dayu.ResourceQuery{OrderID: req.OrderID, ResourceIDs: req.ResourceIDs, Page: dayu.Page{Limit: 10}}
	if req.OnlyMainResource != nil {
		q.OnlyMain = *req.OnlyMainResource == 1
	}
	for _, st := range req.StatusList {
		q.Statuses = append(q.Statuses, dayu.ResourceStatus(st))
	}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > 500 {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "limit: must be 1-500, got %d", *req.Limit)
		}
		q.Page.Limit = *req.Limit
	}
	if req.Offset != nil {
		if *req.Offset < 0 {
			return 0, nil, dayu.Errorf(dayu.EINVALID, "offset: must not be negative, got %d", *req.Offset)
		}
		q.Page.Offset = *req.Offset
	}
	list, total, err := s.Service.QueryResources(c.r.Context(), c.caller, q)
	if err != nil {
		return 0, nil, err
	}
	now := s.Service.Clock.Now()
	out := resourceQueryResponse{TotalCount: total, Data: make([]resourceItem, 0, len(list))}
	for _, i := range list {
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
