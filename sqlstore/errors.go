package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/dayu-emu/dayu"
)

// The failures of the database itself, told apart so that logs, answers
// and operators can tell a slow database from a lost one from a bug.
var (
	errTimeout     = dayu.Errorf(dayu.ETIMEOUT, "the store did not answer in time")
	errUnavailable = dayu.Errorf(dayu.EUNAVAILABLE, "the store is unavailable")
	errInternal    = dayu.Errorf(dayu.EINTERNAL, "the store failed")
)

// fail classifies a database failure and wraps it in the error of its
// class, keeping the cause in the chain for the log. A *dayu.Error (a
// refused write) passes through as it is.
func (s *Store) fail(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var e *dayu.Error
	if errors.As(err, &e) {
		return err
	}
	class := errInternal
	code := s.classify(err)
	switch code {
	case dayu.ETIMEOUT:
		class = errTimeout
	case dayu.EUNAVAILABLE:
		class = errUnavailable
	}
	// Counted here, once per failure: the wrapped error passes through
	// fail again as a *dayu.Error.
	s.countFailure(code, err)
	return fmt.Errorf("%w: %w", class, err)
}

// classify says which class err is of: the engine's view first (it knows
// its error codes), then what any connection failure looks like.
func (s *Store) classify(err error) dayu.ErrorCode {
	if s.dialect.Classify != nil {
		if code := s.dialect.Classify(err); code != "" {
			return code
		}
	}
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return dayu.ETIMEOUT
	case errors.As(err, &netErr) && netErr.Timeout():
		return dayu.ETIMEOUT
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return dayu.EUNAVAILABLE
	}
	return dayu.EINTERNAL
}
