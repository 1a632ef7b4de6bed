package http

import (
	"encoding/json"
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
)

// wireError is how one error code goes on the wire: the status and the
// error_code of DataArts, of BSS and of EPS. Codes starting APIGW. are the
// API gateway's, the same for all three, and their bodies carry request_id.
// IAM has no gateway in front and no error_code: it answers in Keystone's
// format.
type wireError struct {
	status             int
	dataArts, bss, eps string
}

// errorTable is the one place where an error becomes a status and a code.
var errorTable = map[dayu.ErrorCode]wireError{
	dayu.EINVALID:      {http.StatusBadRequest, "DAYU.4402", "CBC.0100", "EPS.0002"},
	dayu.ECONFLICT:     {http.StatusBadRequest, "DAYU.4402", "CBC.0100", "EPS.0002"},
	dayu.EUNAUTHORIZED: {http.StatusUnauthorized, "APIGW.0301", "APIGW.0301", "APIGW.0301"},
	dayu.ETOKENEXPIRED: {http.StatusUnauthorized, "APIGW.0307", "APIGW.0307", "APIGW.0307"},
	dayu.EFORBIDDEN:    {http.StatusForbidden, "APIGW.0302", "APIGW.0302", "APIGW.0302"},
	dayu.EKEYREUSED:    {http.StatusUnprocessableEntity, "DAYU.4402", "CBC.0100", "EPS.0002"},
	dayu.ENOTFOUND:     {http.StatusNotFound, "DAYU.4404", "CBC.0101", "EPS.0005"},
	ENOROUTE:           {http.StatusNotFound, "APIGW.0101", "APIGW.0101", "APIGW.0101"},
	EMETHOD:            {http.StatusMethodNotAllowed, "APIGW.0101", "APIGW.0101", "APIGW.0101"},
	ETOOLARGE:          {http.StatusRequestEntityTooLarge, "APIGW.0201", "APIGW.0201", "APIGW.0201"},
	ETHROTTLED:         {http.StatusTooManyRequests, "APIGW.0308", "APIGW.0308", "APIGW.0308"},
	dayu.EUNAVAILABLE:  {http.StatusInternalServerError, "DAYU.3531", "CBC.0999", "EPS.0001"},
	dayu.EINTERNAL:     {http.StatusInternalServerError, "DAYU.3531", "CBC.0999", "EPS.0001"},
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

// keystoneError is IAM's error format.
type keystoneError struct {
	Error keystoneErrorDetail `json:"error"`
}

type keystoneErrorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title"`
}

// writeError answers with err in the format of the service.
func writeError(w http.ResponseWriter, r *http.Request, svc service, err error) {
	code := dayu.ErrorCodeOf(err)
	we, ok := errorTable[code]
	if !ok {
		we = errorTable[dayu.EINTERNAL]
	}
	msg := dayu.ErrorMessageOf(err)
	if code == dayu.EINTERNAL || code == dayu.EUNAVAILABLE {
		logFrom(r).Error("request failed", "err", err)
	}
	if svc == iam {
		writeJSON(w, we.status, keystoneError{keystoneErrorDetail{we.status, msg, http.StatusText(we.status)}})
		return
	}
	wire := we.dataArts
	switch svc {
	case bss:
		wire = we.bss
	case eps:
		wire = we.eps
	}
	if f, ok := messageFormats[wire]; ok {
		msg = fmt.Sprintf(f, msg)
	}
	body := errorBody{ErrorCode: wire, ErrorMsg: msg}
	switch {
	case strings.HasPrefix(wire, "APIGW."):
		body.RequestID = w.Header().Get(headerRequestID)
	case svc == eps:
		writeJSON(w, we.status, epsErrorBody{body})
		return
	}
	writeJSON(w, we.status, body)
}

// writeJSON answers with v as JSON. Content-Type is always
// application/json: GSDK's pager parses a page only then.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error_code":"DAYU.3531","error_msg":"Internal server error: encoding the response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
