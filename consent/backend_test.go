package consent

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/photovet/photovet/internal/pgtest"
)

// testPostgres is the package's throw-away PostgreSQL server, started by
// the first test that needs it and stopped by TestMain.
type testPostgres struct {
	start     func() (*pgtest.Server, error)
	started   atomic.Bool
	databases atomic.Int64
}

var testPG = func() *testPostgres {
	p := &testPostgres{}
	p.start = sync.OnceValues(func() (*pgtest.Server, error) {
		p.started.Store(true)
		return pgtest.Start(context.Background())
	})
	return p
}()

func TestMain(m *testing.M) {
	code := m.Run()
	if !testPG.started.Load() {
		os.Exit(code) // no test needed the server
	}
	if server, err := testPG.start(); err == nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop test PostgreSQL:", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}

// postgresServer returns the test server; a test that needs it fails when
// it cannot be started.
func postgresServer(t testing.TB) *pgtest.Server {
	t.Helper()
	server, err := testPG.start()
	if err != nil {
		t.Fatalf("the test PostgreSQL server (needed, never skipped): %v", err)
	}
	return server
}

// newPostgresRegister creates a new database on the test server and
// returns its URL for the server's superuser.
func newPostgresRegister(t testing.TB) string {
	t.Helper()
	server := postgresServer(t)
	url, err := server.CreateDatabase(context.Background(), fmt.Sprintf("register_%d", testPG.databases.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// testBackend is one of the register's databases, for the store tests
// that run on both.
type testBackend struct {
	name string
	// newRegister returns where a new, empty register is: a data
	// directory or a postgres:// URL, for OpenRegister.
	newRegister func(t testing.TB) string
}

var testBackends = []testBackend{
	{"sqlite", func(t testing.TB) string { return t.TempDir() }},
	{"postgres", newPostgresRegister},
}

// forEachBackend runs test once per back end, as a subtest.
func forEachBackend(t *testing.T, test func(t *testing.T, b testBackend)) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

// open opens a new register on b.
func (b testBackend) open(t testing.TB) (*Store, string) {
	t.Helper()
	where := b.newRegister(t)
	return openAt(t, where), where
}

// openAt opens the register where is (see testBackend.newRegister), with
// a new data directory of its own, and closes it when the test ends.
func openAt(t testing.TB, where string) *Store {
	t.Helper()
	s, err := OpenRegister(context.Background(), where, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// dumpRegister renders every row of every table of a register on either
// back end, and its schema version, to compare a whole register before
// and after.
func dumpRegister(t testing.TB, s *Store) string {
	t.Helper()
	if _, ok := s.dialect.(postgresDialect); !ok {
		return dumpDB(t, s.db)
	}
	ctx := context.Background()
	var b strings.Builder
	version, err := s.dialect.schemaVersion(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "schema_version %d\n", version)
	tables := queryNames(t, s.db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
	for _, table := range tables {
		order := "1, 2"
		if table == "schema_version" {
			order = "1"
		}
		dumpTable(t, s.db, &b, table, order)
	}
	return b.String()
}

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT ?", "SELECT $1"},
		{"VALUES (?, ?, ?)", "VALUES ($1, $2, $3)"},
		{"WHERE a = ?1 AND b = ?2 OR c = ?1", "WHERE a = $1 AND b = $2 OR c = $1"},
		{"WHERE a = ?2 AND b = ?", "WHERE a = $2 AND b = $3"},
		{"WHERE a = '?' AND \"b?\" = ? -- why?\nAND c = ?", "WHERE a = '?' AND \"b?\" = $1 -- why?\nAND c = $2"},
		{"SELECT 'it''s' || ?", "SELECT 'it''s' || $1"},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
