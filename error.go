package dayu

import (
	"errors"
	"fmt"
)

// ErrorCode says what kind of failure an Error is. The HTTP layer maps each
// code to a status and a wire code in one table; nothing else decides that.
type ErrorCode string

// The error codes of the domain.
const (
	EINVALID      ErrorCode = "invalid"       // bad input from the caller
	ECONFLICT     ErrorCode = "conflict"      // a business rule refused the request (one instance per enterprise project)
	EUNAUTHORIZED ErrorCode = "unauthorized"  // missing or bad credentials
	ETOKENEXPIRED ErrorCode = "token_expired" // credentials were good once but have expired
	EFORBIDDEN    ErrorCode = "forbidden"     // valid credentials for another project
	EKEYREUSED    ErrorCode = "key_reused"    // an idempotency key sent again with another request
	ENOTFOUND     ErrorCode = "not_found"     // no such API or resource
	EINTERNAL     ErrorCode = "internal"      // a fault on our side
	EUNAVAILABLE  ErrorCode = "unavailable"   // the store cannot be reached
	ETIMEOUT      ErrorCode = "timeout"       // the store did not answer in time
	ETHROTTLED    ErrorCode = "throttled"     // the caller sent more than its rate allows
	EINUSE        ErrorCode = "in_use"        // the resource is in use by another (a VPC's subnets, an instance's network)
)

// Errors a Store returns when it refuses a write or finds no record. Each
// has a code, so it is answered right even unworded, but the Service words
// it for the caller with the request's own fields: the store knows rows, not
// requests.
var (
	ErrEnterpriseProjectTaken = &Error{ECONFLICT, "the enterprise project already has an instance"}
	ErrNoBindingInstance      = &Error{EINVALID, "the binding instance is not an active instance of the project"}
	ErrIdempotencyKeyReused   = &Error{EKEYREUSED, "the idempotency key holds another purchase"}
	ErrOrderNotFound          = &Error{ENOTFOUND, "no such order"}
	ErrFaultRuleNotFound      = &Error{ENOTFOUND, "no such fault rule"}
	ErrClockChanged           = &Error{ECONFLICT, "the test clock changed meanwhile"}
	ErrResourceChanged        = &Error{ECONFLICT, "the resource changed meanwhile; try again"}
	ErrOrderNotPending        = &Error{ECONFLICT, "the order is no longer pending payment"}
	ErrResourceNotFound       = &Error{ENOTFOUND, "no such resource"}
	ErrWorkspaceNameTaken     = &Error{ECONFLICT, "the workspace name is taken"}
	ErrWorkspaceNotFound      = &Error{ENOTFOUND, "no such workspace"}
)

// Error is the one error type that crosses package boundaries. Message is
// safe to show to the caller; it never carries secrets.
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("dayu error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of err, EINTERNAL for anything that is not an *Error.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessageOf returns the caller-safe message of err. Errors that are not
// an *Error are internal: their text may hold details we do not show.
func ErrorMessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
