package consent

import (
	"context"
	"database/sql/driver"
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
// the store's statements serve both databases.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &rebindConn{conn: conn}, nil
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
type rebindConn struct{ conn driver.Conn }

func (c *rebindConn) inner() pgxConn { return c.conn.(pgxConn) }

func (c *rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.conn.Prepare(rebind(query))
}
func (c *rebindConn) Close() error { return c.conn.Close() }

//nolint:staticcheck // driver.Conn requires Begin; BeginTx is what database/sql calls.
func (c *rebindConn) Begin() (driver.Tx, error) {
	return c.inner().BeginTx(context.Background(), driver.TxOptions{})
}
func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, opts)
}
func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner().PrepareContext(ctx, rebind(query))
}
func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.inner().ExecContext(ctx, rebind(query), args)
}
func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.inner().QueryContext(ctx, rebind(query), args)
}
func (c *rebindConn) Ping(ctx context.Context) error             { return c.inner().Ping(ctx) }
func (c *rebindConn) ResetSession(ctx context.Context) error     { return c.inner().ResetSession(ctx) }
func (c *rebindConn) CheckNamedValue(v *driver.NamedValue) error { return c.inner().CheckNamedValue(v) }
