package consent

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"strconv"
	"strings"
)

// rebind rewrites the register's SQL, written with SQLite's placeholders
// (? and ?N), into PostgreSQL's ($N): a plain ? takes the number after the
// highest one so far, as in SQLite. Quoted strings, quoted names and
// comments are left alone.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	highest := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			highest = max(highest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// rebindConnector opens connections through pgx's database/sql driver
// that take the register's SQL as SQLite writes it (see rebind), so that
// the store's statements serve both databases. Every failure to reach the
// server, from whichever statement of the store, comes back as an
// *UnreachableError, with since when.
type rebindConnector struct {
	driver.Connector
	register string // the URL without password, for the words
	reach    *reachability
}

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, c.unreachable(err)
	}
	c.reach.reached()
	return &rebindConn{conn: conn, c: c}, nil
}

// unreachable returns err as an *UnreachableError when it says that the
// server cannot be reached or went away, else as it is. database/sql still
// finds driver.ErrBadConn in it, to retry on another connection.
func (c rebindConnector) unreachable(err error) error {
	if err == nil || !isConnectionLoss(err) {
		return err
	}
	if _, told := errors.AsType[*UnreachableError](err); told {
		return err
	}
	return &UnreachableError{Register: c.register, Since: c.reach.failed(), Cause: err}
}

// pgxConn is what pgx's database/sql connection implements and the store
// uses.
type pgxConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.NamedValueChecker
}

// rebindConn is a pgx connection that rebinds every statement.
type rebindConn struct {
	conn driver.Conn
	c    rebindConnector
}

func (c *rebindConn) inner() pgxConn { return c.conn.(pgxConn) }

func (c *rebindConn) Prepare(query string) (driver.Stmt, error) {
	stmt, err := c.conn.Prepare(rebind(query))
	return stmt, c.c.unreachable(err)
}
func (c *rebindConn) Close() error { return c.conn.Close() }

//nolint:staticcheck // driver.Conn requires Begin; BeginTx is what database/sql calls.
func (c *rebindConn) Begin() (driver.Tx, error) {
	tx, err := c.inner().BeginTx(context.Background(), driver.TxOptions{})
	return tx, c.c.unreachable(err)
}
func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.inner().BeginTx(ctx, opts)
	return tx, c.c.unreachable(err)
}
func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	stmt, err := c.inner().PrepareContext(ctx, rebind(query))
	return stmt, c.c.unreachable(err)
}
func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.inner().ExecContext(ctx, rebind(query), args)
	return res, c.c.unreachable(err)
}
func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.inner().QueryContext(ctx, rebind(query), args)
	if err != nil {
		return nil, c.c.unreachable(err)
	}
	return rebindRows{Rows: rows, c: c.c}, nil
}
func (c *rebindConn) Ping(ctx context.Context) error             { return c.c.unreachable(c.inner().Ping(ctx)) }
func (c *rebindConn) ResetSession(ctx context.Context) error     { return c.inner().ResetSession(ctx) }
func (c *rebindConn) CheckNamedValue(v *driver.NamedValue) error { return c.inner().CheckNamedValue(v) }

// rebindRows are a query's rows, whose reading may find the server gone.
type rebindRows struct {
	driver.Rows
	c rebindConnector
}

func (r rebindRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == io.EOF {
		return err // after the last row: no failure
	}
	return r.c.unreachable(err)
}
