package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dayu-emu/dayu"
)

// Paging of the order list (ListCustomerOrders).
const (
	defaultOrderLimit = 10
	maxOrderLimit     = 100
)

// toOrderInfo is an order as BSS describes it, in its details and its list.
func toOrderInfo(o *dayu.Order, now time.Time) orderInfo {
	info := orderInfo{
		OrderID: o.ID, CustomerID: o.DomainID, ServiceTypeCode: serviceTypeDayu, ServiceTypeName: "DataArts Studio",
		SourceType: 1, Status: int(o.Status(now)), OrderType: int(o.Type), MeasureID: 1, Currency: "CNY",
		CreateTime: o.CreatedAt.Format(bssTime),
	}
	if paid, ok := o.PaymentTime(now); ok {
		info.PaymentTime = paid.Format(bssTime)
	}
	return info
}

// ordersAndFailures is the answer of a BSS request that places an order
// per resource: the orders and the resources it could not act on.
func ordersAndFailures(orders []string, failed []dayu.ResourceFailure) unsubscribeResponse {
	out := unsubscribeResponse{OrderIDs: orders, FailResourceInfos: make([]failedResourceInfo, 0, len(failed))}
	if out.OrderIDs == nil {
		out.OrderIDs = []string{}
	}
	for _, f := range failed {
		out.FailResourceInfos = append(out.FailResourceInfos, failedResourceInfo{ResourceID: f.ResourceID, ErrorCode: errorTable[dayu.EINVALID].bss, ErrorMsg: f.Message})
	}
	return out
}

// enterpriseProjectName is the name of one of the caller's enterprise
// projects, as BSS shows it with a resource.
func (s *Server) enterpriseProjectName(caller dayu.Caller, id string) string {
	if d := s.Service.World.DomainByID(caller.DomainID); d != nil {
		return d.EnterpriseProjectName(id)
	}
	return ""
}

// listOrders is GET /v2/orders/customer-orders: the caller's orders of
// every type, newest first.
func (s *Server) listOrders(c *call) (int, any, error) {
	q, selectsNothing, err := parseOrderQuery(c.r.URL.Query(), c.caller)
	if err != nil {
		return 0, nil, err
	}
	out := orderList{OrderInfos: []orderInfo{}}
	if selectsNothing {
		return http.StatusOK, out, nil
	}
	page, err := s.Service.ListOrders(c.r.Context(), c.caller, q)
	if err != nil {
		return 0, nil, err
	}
	out.TotalCount = page.Total
	for _, o := range page.Orders {
		out.OrderInfos = append(out.OrderInfos, toOrderInfo(o, page.At))
	}
	return http.StatusOK, out, nil
}

// parseOrderQuery reads the order list's query. selectsNothing is true for
// a filter no order of Dayu's matches: another customer, another cloud
// service, or orders paid for sub-customers.
func parseOrderQuery(v url.Values, caller dayu.Caller) (q dayu.OrderQuery, selectsNothing bool, err error) {
	q.Page = dayu.Page{Limit: defaultOrderLimit}
	var status, typ int
	if err := parseInts(v,
		intParam{"limit", &q.Page.Limit, 1, maxOrderLimit},
		intParam{"offset", &q.Page.Offset, 0, maxOffset},
		intParam{"status", &status, 1, 99},
		intParam{"order_type", &typ, 1, 99},
	); err != nil {
		return q, false, err
	}
	q.Status, q.Type = dayu.OrderStatus(status), dayu.OrderType(typ)
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{
		{"create_time_begin", &q.CreatedFrom}, {"create_time_end", &q.CreatedTo},
		{"payment_time_begin", &q.PaidFrom}, {"payment_time_end", &q.PaidTo},
	} {
		if s := v.Get(t.name); s != "" {
			at, err := time.Parse(bssTime, s)
			if err != nil {
				return q, false, dayu.Errorf(dayu.EINVALID, "%s: must be a UTC time like 2019-05-06T08:05:01Z, got %q", t.name, s)
			}
			*t.dst = at
		}
	}
	switch by := strings.ToLower(v.Get("order_by")); by {
	case "", "-createtime":
	case "createtime":
		q.OldestFirst = true
	default:
		return q, false, dayu.Errorf(dayu.EINVALID, "order_by: must be createTime or -createTime, got %q", v.Get("order_by"))
	}
	switch m := v.Get("method"); m {
	case "", "oneself":
	case "sub_customer":
		selectsNothing = true
	default:
		return q, false, dayu.Errorf(dayu.EINVALID, "method: must be oneself or sub_customer, got %q", m)
	}
	q.OrderID = v.Get("order_id")
	if id := v.Get("customer_id"); id != "" && id != caller.DomainID {
		selectsNothing = true
	}
	if code := v.Get("service_type_code"); code != "" && !strings.EqualFold(code, serviceTypeDayu) {
		selectsNothing = true
	}
	return q, selectsNothing, nil
}

// payOrder is POST /v3/orders/customer-orders/pay: 204.
func (s *Server) payOrder(c *call) (int, any, error) {
	id, err := decodeOrderID(c.body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Service.PayOrder(c.r.Context(), c.caller, id)
}

// cancelOrder is PUT /v2/orders/customer-orders/cancel: 204.
func (s *Server) cancelOrder(c *call) (int, any, error) {
	id, err := decodeOrderID(c.body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Service.CancelOrder(c.r.Context(), c.caller, id)
}

// intParam is an integer query parameter and its range.
type intParam struct {
	name     string
	dst      *int
	min, max int
}

// maxOffset bounds the offset of any list.
const maxOffset = 1 << 30

// parseInts reads the integer query parameters that are present.
func parseInts(v url.Values, params ...intParam) error {
	for _, p := range params {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < p.min || n > p.max {
			return dayu.Errorf(dayu.EINVALID, "%s: must be an integer from %d to %d, got %q", p.name, p.min, p.max, s)
		}
		*p.dst = n
	}
	return nil
}

func decodeOrderID(body []byte) (string, error) {
	var req orderIDRequest
	if err := decodeObject(body, &req); err != nil {
		return "", err
	}
	if req.OrderID == nil {
		return "", dayu.Errorf(dayu.EINVALID, "order_id: is required")
	}
	return *req.OrderID, nil
}
