package http

import (
	"net/http"

	"github.com/dayu-emu/dayu"
)

// Paging of the instance list (docs/contract.md §4).
const (
	defaultLimit = 20
	maxLimit     = 100
)

// purchase is POST /v1/{project_id}/instances/onekey-purchase.
func (s *Server) purchase(c *call) (int, any, error) {
	p, err := decodePurchase(c.body)
	if err != nil {
		return 0, nil, err
	}
	p.IdempotencyKey = idempotencyKey(c.r.Header)
	o, _, err := s.Service.Purchase(c.r.Context(), c.caller, c.project, p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, purchaseResponse{OrderID: o.ID, ResourceID: o.ResourceID}, nil
}

// idempotencyKey is the purchase's idempotency key: X-Client-Token (Huawei
// Cloud's name) or the IETF's Idempotency-Key.
func idempotencyKey(h http.Header) string {
	if k := h.Get("X-Client-Token"); k != "" {
		return k
	}
	return h.Get("Idempotency-Key")
}

// listInstances is GET /v1/{project_id}/instances?limit=&offset=.
func (s *Server) listInstances(c *call) (int, any, error) {
	page, err := parsePage(c.r)
	if err != nil {
		return 0, nil, err
	}
	l, err := s.Service.ListInstances(c.r.Context(), c.project, page)
	if err != nil {
		return 0, nil, err
	}
	out := instanceList{Count: l.Total, CommodityOrders: make([]instanceItem, 0, len(l.Instances))}
	for _, i := range l.Instances {
		out.CommodityOrders = append(out.CommodityOrders, toInstanceItem(i, l.At))
	}
	return http.StatusOK, encodedJSON(out.appendJSON(make([]byte, 0, 64+1024*len(out.CommodityOrders)))), nil
}

// parsePage reads limit (1-100, default 20) and offset (>= 0, default 0).
func parsePage(r *http.Request) (dayu.Page, error) {
	p := dayu.Page{Limit: defaultLimit}
	err := parseInts(r.URL.Query(), intParam{"limit", &p.Limit, 1, maxLimit}, intParam{"offset", &p.Offset, 0, maxOffset})
	return p, err
}
