package consent

import (
	"database/sql"
	"errors"
	"strconv"

	"github.com/photovet/photovet/msg"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// wordsError is a failure of the register told in words for the teacher
// (which the app translates: see msg.FromError) with the error beneath it,
// SQLite's own text, kept as the detail: inside the words, as their
// {{.Detail}}, and in the chain for errors.Is and errors.As. kind, when not
// nil, is the sentinel error callers tell the case by.
type wordsError struct {
	words *msg.Error
	kind  error
	cause error
}

func (e *wordsError) Error() string { return e.words.Error() }

func (e *wordsError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.words, e.cause}
	}
	return []error{e.words, e.kind, e.cause}
}

// inWords returns err told in words when staff can act on it (see the
// dialects' inWords); any other error as it is. A nil error says that a
// shared register answered.
func (s *Store) inWords(err error) error {
	if err == nil {
		if s.reach != nil {
			s.reach.reached()
		}
		return nil
	}
	return s.dialect.inWords(s, err)
}

// inWords returns err told in words when SQLite reports that another
// connection kept the register locked for longer than the busy timeout,
// that the disk is full or that the file could not be read or written; any
// other error as it is.
func (sqliteDialect) inWords(s *Store, err error) error {
	if _, told := errors.AsType[*wordsError](err); told {
		return err
	}
	sqliteErr, ok := errors.AsType[*sqlite.Error](err)
	if !ok {
		return err
	}
	var words msg.Text
	switch {
	case isBusy(err):
		words = msg.New("another PhotoVet (or another program) was using the register and did not finish in time (waited {{.Seconds}} s): try again when it has finished (detail: {{.Detail}})",
			"Seconds", strconv.FormatFloat(s.lockWait.Seconds(), 'f', -1, 64), "Detail", err.Error())
	case sqliteErr.Code()&0xff == sqlite3.SQLITE_FULL:
		words = msg.New("the disk is full, so the register could not be saved: make room on the disk and try again (detail: {{.Detail}})", "Detail", err.Error())
	case sqliteErr.Code()&0xff == sqlite3.SQLITE_IOERR:
		words = msg.New("the register's file could not be read or written: check that the disk has room and is still connected, then try again (detail: {{.Detail}})", "Detail", err.Error())
	default:
		return err
	}
	return &wordsError{words: &msg.Error{Text: words}, cause: err}
}

// isBusy reports whether err is SQLite saying that another connection
// holds a lock this one needs.
func isBusy(err error) bool {
	sqliteErr, ok := errors.AsType[*sqlite.Error](err)
	return ok && (sqliteErr.Code()&0xff == sqlite3.SQLITE_BUSY || sqliteErr.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

// alreadyRolledBack reports whether err, from rolling back a transaction
// after a failure, only says that there was nothing left to roll back:
// SQLite undoes the whole transaction itself after some failures (a full
// disk, an I/O error), and database/sql after its context ends. That is no
// news for the teacher; any other failure to roll back is.
func alreadyRolledBack(err error) bool {
	if errors.Is(err, sql.ErrTxDone) {
		return true
	}
	// ROLLBACK fails with the generic code only for "cannot rollback - no
	// transaction is active"; a rollback that could not write says IOERR.
	sqliteErr, ok := errors.AsType[*sqlite.Error](err)
	return ok && sqliteErr.Code() == sqlite3.SQLITE_ERROR
}
