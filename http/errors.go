package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dayu-emu/dayu"
)

// Errors that only the HTTP layer raises.
const (
	ENOROUTE  dayu.ErrorCode = "no_route"  // no API at this path
	EMETHOD   dayu.ErrorCode = "method"    // the path exists, the method does not
	ETOOLARGE dayu.ErrorCode = "too_large" // the body is over the limit
)

// service is the cloud service an endpoint belongs to: their error bodies
// differ.
type service int

const (
	dataArts service = iota // {"error_code", "error_msg"}, DAYU.* codes
	bss                     // {"error_code", "error_msg"}, CBC.* codes
	iam                     // Keystone's {"error": {"code", "message", "title"}}
	eps                     // {"error": {"error_code", "error_msg"}}, EPS.* codes
	vpc                     // {"code", "message"}, VPC.* codes (ECS's zones answer in it too)
)

// wireError is how one error code goes on the wire: the status and the
// error_code of DataArts, of BSS and of EPS. Codes starting APIGW. are the
// API gateway's, the same for all three, and their bodies carry request_id.
// IAM has no gateway in front and no error_code: it answers in Keystone's
// format.
type wireError struct {
	status                  int
	dataArts, bss, eps, vpc string
}

// errorTable is the one place where an error becomes a status and a code.
var errorTable = map[dayu.ErrorCode]wireError{
	dayu.EINVALID:      {http.StatusBadRequest, "DAYU.4402", "CBC.0100", "EPS.0002", "VPC.0002"},
	dayu.ECONFLICT:     {http.StatusBadRequest, "DAYU.4402", "CBC.0100", "EPS.0002", "VPC.0002"},
	dayu.EUNAUTHORIZED: {http.StatusUnauthorized, "APIGW.0301", "APIGW.0301", "APIGW.0301", "APIGW.0301"},
	dayu.ETOKENEXPIRED: {http.StatusUnauthorized, "APIGW.0307", "APIGW.0307", "APIGW.0307", "APIGW.0307"},
	dayu.EFORBIDDEN:    {http.StatusForbidden, "APIGW.0302", "APIGW.0302", "APIGW.0302", "APIGW.0302"},
	dayu.EKEYREUSED:    {http.StatusUnprocessableEntity, "DAYU.4402", "CBC.0100", "EPS.0002", "VPC.0002"},
	dayu.ENOTFOUND:     {http.StatusNotFound, "DAYU.4404", "CBC.0101", "EPS.0005", "VPC.0202"},
	ENOROUTE:           {http.StatusNotFound, "APIGW.0101", "APIGW.0101", "APIGW.0101", "APIGW.0101"},
	EMETHOD:            {http.StatusMethodNotAllowed, "APIGW.0101", "APIGW.0101", "APIGW.0101", "APIGW.0101"},
	ETOOLARGE:          {http.StatusRequestEntityTooLarge, "APIGW.0201", "APIGW.0201", "APIGW.0201", "APIGW.0201"},
	dayu.ETHROTTLED:    {http.StatusTooManyRequests, "APIGW.0308", "APIGW.0308", "APIGW.0308", "APIGW.0308"},
	dayu.EUNAVAILABLE:  {http.StatusInternalServerError, "DAYU.3531", "CBC.0999", "EPS.0001", "VPC.0001"},
	dayu.ETIMEOUT:      {http.StatusInternalServerError, "DAYU.3531", "CBC.0999", "EPS.0001", "VPC.0001"},
	dayu.EINTERNAL:     {http.StatusInternalServerError, "DAYU.3531", "CBC.0999", "EPS.0001", "VPC.0001"},
	// Only the VPC service refuses with it: a 409, which GSDK's deleters retry.
	dayu.EINUSE: {http.StatusConflict, "DAYU.4402", "CBC.0100", "EPS.0002", "VPC.0106"},
}

// messageFormats wraps a message the way the service words it (the seed's
// "detail msg {0}" and "Internal server error: {0}").
var messageFormats = map[string]string{
	"DAYU.4402": "The operation failed, detail msg %s",
	"DAYU.3531": "Internal server error: %s",
}

// errorBody is the DataArts, BSS and gateway error format.
type errorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id,omitempty"`
}

// epsErrorBody is the EPS error format: the code and message in "error".
type epsErrorBody struct {
	Error errorBody `json:"error"`
}

// vpcErrorBody is the VPC service's error format.
type vpcErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// keystoneError is IAM's error format.
type keystoneError struct {
	Error keystoneErrorDetail `json:"error"`
}

type keystoneErrorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title"`
}

// answer is a response ready to write: its status and JSON body, and the
// error code in it, "" for a success.
type answer struct {
	status int
	body   []byte
	code   string
}

// write sends the answer. Content-Type is always application/json: GSDK's
// pager parses a page only then.
func (a answer) write(w http.ResponseWriter) {
	if a.status == http.StatusNoContent {
		w.WriteHeader(a.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// jsonAnswer encodes v as the answer; an encodedJSON is the answer as it is.
func jsonAnswer(status int, v any) answer {
	if status == http.StatusNoContent {
		return answer{status: status}
	}
	if b, ok := v.(encodedJSON); ok {
		return answer{status: status, body: b}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return answer{http.StatusInternalServerError, []byte(`{"error_code":"DAYU.3531","error_msg":"Internal server error: encoding the response"}`), "DAYU.3531"}
	}
	return answer{status: status, body: b}
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) { jsonAnswer(status, v).write(w) }

// writeError answers with err in the format of the service.
func writeError(w http.ResponseWriter, r *http.Request, svc service, err error) {
	errorAnswer(w.Header(), r, svc, err).write(w)
}

// errorAnswer is err in the format of the service; h is the response's
// header, which holds the request id.
func errorAnswer(h http.Header, r *http.Request, svc service, err error) answer {
	status, wire, msg := describeError(svc, err)
	var fe *faultError
	if status >= http.StatusInternalServerError && !errors.As(err, &fe) {
		logFrom(r).Error("request failed", "class", string(dayu.ErrorCodeOf(err)), "err", err)
	}
	if svc == iam {
		return jsonAnswer(status, keystoneError{keystoneErrorDetail{status, msg, http.StatusText(status)}})
	}
	body := errorBody{ErrorCode: wire, ErrorMsg: msg}
	var a answer
	switch {
	case strings.HasPrefix(wire, "APIGW."):
		body.RequestID = h.Get(headerRequestID)
		a = jsonAnswer(status, body)
	case svc == eps:
		a = jsonAnswer(status, epsErrorBody{body})
	case svc == vpc:
		a = jsonAnswer(status, vpcErrorBody{wire, msg})
	default:
		a = jsonAnswer(status, body)
	}
	a.code = wire
	return a
}

// describeError is how err goes on the wire in svc's format: the status,
// the error code and the message (for IAM, which has no code, the
// DataArts one). The API and the console show the same.
func describeError(svc service, err error) (status int, wire, msg string) {
	code := dayu.ErrorCodeOf(err)
	var fe *faultError
	if errors.As(err, &fe) {
		code = faultCode(fe.rule.Error.Status)
	}
	we, ok := errorTable[code]
	if !ok {
		we = errorTable[dayu.EINTERNAL]
	}
	msg = dayu.ErrorMessageOf(err)
	wire = we.dataArts
	switch svc {
	case bss:
		wire = we.bss
	case eps:
		wire = we.eps
	case vpc:
		wire = we.vpc
	}
	switch f, ok := messageFormats[wire]; {
	case fe != nil:
		we.status, msg = fe.rule.Error.Status, fe.message()
		if fe.rule.Error.Code != "" {
			wire = fe.rule.Error.Code
		}
	case ok:
		msg = fmt.Sprintf(f, msg)
	}
	return we.status, wire, msg
}

// faultError is the answer a fault rule's error action puts in place of
// the call's: its status, and the service's code for that status unless
// the rule names one.
type faultError struct{ rule *dayu.FaultRule }

func (e *faultError) Error() string { return "fault rule " + e.rule.ID }

// message is the rule's error message, or one that names the rule.
func (e *faultError) message() string {
	if e.rule.Error.Message != "" {
		return e.rule.Error.Message
	}
	return "fault injected by Dayu's fault rule " + e.rule.ID
}

// faultCode is the error code whose wire code a rule's error answers with,
// by its status, unless the rule names one.
func faultCode(status int) dayu.ErrorCode {
	switch {
	case status >= 500:
		return dayu.EUNAVAILABLE
	case status == http.StatusTooManyRequests:
		return dayu.ETHROTTLED
	case status == http.StatusUnauthorized:
		return dayu.EUNAUTHORIZED
	case status == http.StatusForbidden:
		return dayu.EFORBIDDEN
	case status == http.StatusNotFound:
		return dayu.ENOTFOUND
	}
	return dayu.EINVALID
}
