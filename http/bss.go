package http

import (
	"net/http"

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
	o, i := d.Order, d.Resource
	status := o.Status(d.At)
	info := orderInfo{
		OrderID: o.ID, CustomerID: o.DomainID, ServiceTypeCode: serviceTypeDayu, ServiceTypeName: "DataArts Studio",
		SourceType: 1, Status: int(status), OrderType: int(o.Type), MeasureID: 1, Currency: "CNY",
		CreateTime: o.CreatedAt.Format(bssTime),
	}
	if status != dayu.OrderPendingPayment {
		info.PaymentTime = o.CreatedAt.Format(bssTime)
	}
	exp, _ := i.Term(d.At)
	line := orderLineItem{
		OrderLineItemID: o.ID + "-000001", ServiceTypeCode: serviceTypeDayu, ServiceTypeName: "DataArts Studio",
		ProductID: i.ProductID, ProductSpecDesc: i.SpecCode,
		PeriodType: int(i.PeriodType), PeriodNum: i.PeriodNum, SubscriptionNum: 1, Currency: "CNY",
		EffectiveTime: i.EffectiveAt.Format(bssTime), ExpireTime: exp.Format(bssTime),
	}
	return http.StatusOK, orderDetails{TotalCount: 1, OrderInfo: info, OrderLineItems: []orderLineItem{line}}, nil
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
	l, err := s.Service.QueryResources(c.r.Context(), c.caller, q)
	if err != nil {
		return 0, nil, err
	}
	out := resourceQueryResponse{TotalCount: l.Total, Data: make([]resourceItem, 0, len(l.Instances))}
	for _, i := range l.Instances {
		st, _ := dayu.ResourceStatusOf(i.Status(l.At))
		exp, _ := i.Term(l.At)
		item := resourceItem{
			ID: i.ID, ResourceID: i.ID, ResourceName: i.Name, RegionCode: i.RegionID,
			ServiceTypeCode: serviceTypeDayu, ResourceTypeCode: resourceTypeDayu, ResourceSpecCode: i.SpecCode,
			ProjectID: i.ProjectID, ProductID: i.ProductID, ParentResourceID: i.ParentID, IsMainResource: 1,
			Status: int(st), EffectiveTime: i.EffectiveAt.Format(bssTime), ExpireTime: exp.Format(bssTime),
			ExpirePolicy: expirePolicyGrace,
		}
		if i.IsPackage() {
			item.IsMainResource = 0
		}
		if i.AutoRenewUntil.IsZero() {
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
	out := unsubscribeResponse{OrderIDs: orders, FailResourceInfos: make([]failedResourceInfo, 0, len(failed))}
	for _, f := range failed {
		out.FailResourceInfos = append(out.FailResourceInfos, failedResourceInfo{ResourceID: f.ResourceID, ErrorCode: errorTable[dayu.EINVALID].bss, ErrorMsg: f.Message})
	}
	return http.StatusOK, out, nil
}
