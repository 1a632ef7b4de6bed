package http

import (
	"bytes"
	"net/http"

	"github.com/dayu-emu/dayu"
)

// enableAutoRenew is POST
// /v2/orders/subscriptions/resources/autorenew/{resource_id}: 204 only,
// the one status GSDK accepts. The body is optional.
func (s *Server) enableAutoRenew(c *call) (int, any, error) {
	a := dayu.AutoRenew{On: true}
	if b := bytes.TrimSpace(c.body); len(b) > 0 && !bytes.Equal(b, []byte("null")) {
		var req autoRenewRequest
		if err := decodeObject(b, &req); err != nil {
			return 0, nil, err
		}
		if req.AutoRenewTimes != nil {
			a.Times = *req.AutoRenewTimes
		}
		if req.PeriodType != nil {
			switch *req.PeriodType {
			case "MONTH":
				a.PeriodType = dayu.PeriodMonth
			case "YEAR":
				a.PeriodType = dayu.PeriodYear
			default:
				return 0, nil, dayu.Errorf(dayu.EINVALID, "period_type: must be MONTH or YEAR, got %q", *req.PeriodType)
			}
		}
	}
	return http.StatusNoContent, nil, s.Service.SetAutoRenew(c.r.Context(), c.caller, c.r.PathValue("resource_id"), a)
}

// disableAutoRenew is DELETE
// /v2/orders/subscriptions/resources/autorenew/{resource_id}: 204 only.
func (s *Server) disableAutoRenew(c *call) (int, any, error) {
	return http.StatusNoContent, nil, s.Service.SetAutoRenew(c.r.Context(), c.caller, c.r.PathValue("resource_id"), dayu.AutoRenew{})
}

// renew is POST /v2/orders/subscriptions/resources/renew: 200 with one
// renewal order per resource renewed and the others in fail_resource_infos.
func (s *Server) renew(c *call) (int, any, error) {
	var req renewRequest
	if err := decodeObject(c.body, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case req.PeriodType == nil:
		return 0, nil, dayu.Errorf(dayu.EINVALID, "period_type: is required")
	case req.PeriodNum == nil:
		return 0, nil, dayu.Errorf(dayu.EINVALID, "period_num: is required")
	}
	r := dayu.Renewal{ResourceIDs: req.ResourceIDs, PeriodType: dayu.PeriodType(*req.PeriodType), PeriodNum: *req.PeriodNum}
	if req.IsAutoPay != nil {
		switch *req.IsAutoPay {
		case 0:
		case 1:
			r.AutoPay = true
		default:
			return 0, nil, dayu.Errorf(dayu.EINVALID, "is_auto_pay: must be 0 or 1, got %d", *req.IsAutoPay)
		}
	}
	orders, failed, err := s.Service.Renew(c.r.Context(), c.caller, r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ordersAndFailures(orders, failed), nil
}
