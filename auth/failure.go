package auth

import (
	"errors"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth/signature"
)

// FailureKind is the credential a failed authentication presented.
type FailureKind string

// The kinds of credentials.
const (
	KindToken     FailureKind = "token"     // an X-Auth-Token, or no credentials at all
	KindSignature FailureKind = "signature" // an SDK-HMAC-SHA256 signature
	KindPassword  FailureKind = "password"  // a password login
)

// FailureReason says why an authentication failed. The reasons are a small
// fixed set, so that they can label metrics: never the credential, the
// user or the access key.
type FailureReason string

// The reasons.
const (
	ReasonMissing          FailureReason = "missing"           // no token and no signature
	ReasonInvalid          FailureReason = "invalid"           // a token Dayu did not issue, or tampered with
	ReasonExpired          FailureReason = "expired"           // a token past its expiry
	ReasonUserGone         FailureReason = "user_gone"         // a token whose user left the world
	ReasonMalformed        FailureReason = "malformed"         // an Authorization header that does not parse
	ReasonUnknownKey       FailureReason = "unknown_key"       // an access key the world does not hold
	ReasonDate             FailureReason = "date"              // X-Sdk-Date missing or too far from the clock
	ReasonMismatch         FailureReason = "mismatch"          // a signature that does not match the request
	ReasonForbiddenProject FailureReason = "forbidden_project" // an access key used for another domain's project
	ReasonBadCredentials   FailureReason = "bad_credentials"   // a wrong user name or password
	ReasonBusy             FailureReason = "busy"              // every password check slot taken until the deadline
	ReasonLockedOut        FailureReason = "locked_out"        // too many failed logins from the client or for the user
)

// Failures are the reasons each kind of credential fails for: every
// (kind, reason) pair the Authority reports.
var Failures = map[FailureKind][]FailureReason{
	KindToken:     {ReasonMissing, ReasonInvalid, ReasonExpired, ReasonUserGone},
	KindSignature: {ReasonMalformed, ReasonUnknownKey, ReasonDate, ReasonMismatch, ReasonForbiddenProject},
	KindPassword:  {ReasonBadCredentials, ReasonBusy, ReasonLockedOut},
}

// Failed tells OnFailure, if set, of a failed authentication and returns
// err: callers write return a.Failed(kind, reason, err).
func (a *Authority) Failed(kind FailureKind, reason FailureReason, err error) error {
	if a.OnFailure != nil {
		a.OnFailure(kind, reason)
	}
	return err
}

// tokenFailure is the reason OpenToken refused a token for.
func tokenFailure(err error) FailureReason {
	if dayu.ErrorCodeOf(err) == dayu.ETOKENEXPIRED {
		return ReasonExpired
	}
	return ReasonInvalid
}

// signatureFailure is the reason signature.Verify refused a request for.
func signatureFailure(err error) FailureReason {
	switch {
	case errors.Is(err, signature.ErrMismatch):
		return ReasonMismatch
	case errors.Is(err, signature.ErrSkew), errors.Is(err, signature.ErrMissingDate):
		return ReasonDate
	}
	return ReasonMalformed
}
