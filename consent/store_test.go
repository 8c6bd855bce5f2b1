package consent

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// openTestStore opens a new register in a temporary directory.
func openTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// templateCSV returns the roster template shipped in package assets.
func templateCSV(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "assets", "roster_template.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// templateDay is the day the template roster is imported on in tests.
var templateDay = NewDate(2026, 11, 21)

func importTemplate(t testing.TB, s *Store) {
	t.Helper()
	if _, err := s.ImportRoster(context.Background(), bytes.NewReader(templateCSV(t)), ImportOptions{Today: templateDay}); err != nil {
		t.Fatal(err)
	}
}

// dumpStore renders every row of every table and the schema version, to
// compare a whole register before and after.
func dumpStore(t testing.TB, s *Store) string {
	t.Helper()
	return dumpDB(t, s.db)
}

func dumpDB(t testing.TB, db *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "user_version %d\n", version)
	tables := queryNames(t, db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	for _, table := range tables {
		dumpTable(t, db, &b, table, "1, 2")
	}
	return b.String()
}

// queryNames returns the names query selects, in its order.
func queryNames(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// dumpTable renders table's columns and every row, in order, into b.
func dumpTable(t testing.TB, db *sql.DB, b *strings.Builder, table, order string) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT * FROM "+table+" ORDER BY "+order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	fmt.Fprintf(b, "table %s %v\n", table, cols)
	for rows.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "  %v\n", values)
	}
}

func countRows(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDataDir(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(base, "config"))
	t.Setenv("HOME", filepath.Join(base, "home"))

	t.Setenv(DataEnv, "")
	got, err := DataDir("")
	if want := filepath.Join(base, "config", "photovet"); err != nil || got != want {
		t.Fatalf("DataDir default = %q, %v; want %q", got, err, want)
	}
	t.Setenv(DataEnv, filepath.Join(base, "env"))
	if got, err = DataDir(""); err != nil || got != filepath.Join(base, "env") {
		t.Fatalf("DataDir with $%s = %q, %v", DataEnv, got, err)
	}
	if got, err = DataDir(filepath.Join(base, "flag", "nested")); err != nil || got != filepath.Join(base, "flag", "nested") {
		t.Fatalf("DataDir with the flag = %q, %v", got, err)
	}
	for _, dir := range []string{"config/photovet", "env", "flag/nested"} {
		info, err := os.Stat(filepath.Join(base, dir))
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o700 {
			t.Errorf("%s: mode %o, want 700", dir, mode)
		}
	}
}

func TestOpenPrivateFilesAndMigrations(t *testing.T) {
	ctx := context.Background()
	// A folder name a school might choose, with characters URIs treat specially.
	dir, err := DataDir(filepath.Join(t.TempDir(), "Foto's 2026 ?#% klas"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	importTemplate(t, s) // writes, so the -wal and -shm files exist
	for _, name := range []string{RegisterFile, RegisterFile + "-wal", RegisterFile + "-shm"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: mode %o", name, info.Mode().Perm())
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %o, want 600", name, mode)
		}
	}
	var journal string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil || journal != "wal" {
		t.Errorf("journal mode %q, %v; want wal", journal, err)
	}
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != len(sqliteDialect{}.migrations()) {
		t.Fatalf("schema version %d, %v; want %d", version, err, len(sqliteDialect{}.migrations()))
	}
	before := dumpStore(t, s)
	s.Close()

	// Opening again applies nothing and changes nothing.
	s2, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if after := dumpStore(t, s2); after != before {
		t.Errorf("reopening changed the register:\n%s\nwant\n%s", after, before)
	}
	// A register written by a newer PhotoVet is refused, not damaged.
	if _, err := s2.db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(sqliteDialect{}.migrations())+1)); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if s3, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), "newer") {
		if s3 != nil {
			s3.Close()
		}
		t.Fatalf("Open of a newer schema: %v, want an error saying it is newer", err)
	}
}

// TestUpgradeFromVersion7: a register an older PhotoVet left at schema
// version 7, with a person and a withdrawal, opens with a registration
// key for the person (migration 8), and the withdrawal stays in force
// once the person is removed and listed again (migration 9).
func TestUpgradeFromVersion7(t *testing.T) { forEachBackend(t, testUpgradeFromVersion7) }

func testUpgradeFromVersion7(t *testing.T, b testBackend) {
	ctx := context.Background()
	where := b.newRegister(t)
	old := oldRegister(t, b, where, 7)
	for _, stmt := range []string{
		"INSERT INTO people (id, name, role, unit) VALUES ('S-1001', 'Anna de Vries', 'child', 'school')",
		"INSERT INTO withdrawals (person_id, channel, withdrawn_on, recorded_at) VALUES ('S-1001', 'instagram', '2026-10-02', '2026-10-02T08:00:00Z')",
	} {
		if _, err := old.db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	old.Close()

	s := openAt(t, where)
	reg, err := s.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if anna := reg.People["S-1001"]; anna.RegistrationKey == "" || len(anna.Withdrawals) != 1 {
		t.Errorf("after the upgrade Anna has key %q and withdrawals %v; want a key and the withdrawal", anna.RegistrationKey, anna.Withdrawals)
	}
	if err := s.RemovePerson(ctx, "S-1001"); err != nil {
		t.Fatal(err)
	}
	importTemplate(t, s) // lists Anna with Instagram consent
	if reg, err = s.Register(ctx); err != nil {
		t.Fatal(err)
	}
	if got := Decide(confirmedFace("S-1001"), reg, Job{School, "instagram", templateDay}); got.Visible || got.Reason.String() != "consent withdrawn on 2026-10-02" {
		t.Errorf("Anna removed and listed again: %+v, want her Instagram consent withdrawn", got)
	}
}

// oldSchema is a register's dialect whose migrations stop at version n.
type oldSchema struct {
	dialect
	n int
}

func (o oldSchema) migrations() []string { return o.dialect.migrations()[:o.n] }

// oldRegister creates the register at where (see testBackend.newRegister)
// as a PhotoVet of schema version n left it.
func oldRegister(t *testing.T, b testBackend, where string, n int) *Store {
	t.Helper()
	var s *Store
	if b.name == "postgres" {
		config, err := pgx.ParseConfig(where)
		if err != nil {
			t.Fatal(err)
		}
		s = &Store{db: sql.OpenDB(stdlib.GetConnector(*config)), dialect: oldSchema{postgresDialect{}, n}}
	} else {
		db, err := openSQLite(filepath.Join(where, RegisterFile), busyTimeout)
		if err != nil {
			t.Fatal(err)
		}
		s = &Store{db: db, dialect: oldSchema{sqliteDialect{}, n}}
	}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

func TestSettings(t *testing.T) { forEachBackend(t, testSettings) }

func testSettings(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	got, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultSettings()
	if got.OwnConsentAge != 15 || got.MatchThreshold != 0.45 || got.MatchMargin != 0.06 || got.RedactionStyle != "blur" ||
		got.DefaultUnit != School || !slices.Equal(got.Channels, []string{"website", "facebook", "instagram", "x", "linkedin", "newsletter", "print"}) {
		t.Errorf("defaults = %+v", got)
	}
	want.OwnConsentAge, want.MatchThreshold, want.RedactionStyle, want.DefaultUnit = 16, 0.4, "solid", EarlyChildhood
	want.Channels = append(want.Channels, "schoolapp")
	if err := s.SetSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Settings(ctx); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("settings read back = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []func(*Settings){
		func(s *Settings) { s.OwnConsentAge = 0 },
		func(s *Settings) { s.MatchThreshold = math.NaN() },
		func(s *Settings) { s.RedactionStyle = "pixelate" },
		func(s *Settings) { s.DefaultUnit = "kindergarten" },
		func(s *Settings) { s.Channels = []string{"website", "website"} },
		func(s *Settings) { s.Channels = []string{"all"} },
		func(s *Settings) { s.Channels = nil },
	} {
		set := DefaultSettings()
		bad(&set)
		if err := s.SetSettings(ctx, set); err == nil {
			t.Errorf("SetSettings(%+v) accepted", set)
		}
	}
	if got, _ := s.Settings(ctx); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a refused change altered the settings: %+v", got)
	}
}

// descriptor returns a recognisable descriptor: every value is seed.
func descriptor(seed float32) []float32 {
	d := make([]float32, DescriptorLen)
	for i := range d {
		d[i] = seed + float32(i)/1000
	}
	return d
}

func TestR9_BiometricOptIn(t *testing.T) { forEachBackend(t, testR9_BiometricOptIn) }

func testR9_BiometricOptIn(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)

	// S-1003 (child) and T-9002 (staff) have no opt-in in the template.
	for _, id := range []string{"S-1003", "T-9002"} {
		err := s.SetDescriptors(ctx, id, [][]float32{descriptor(1)})
		if !errors.Is(err, ErrNoBiometricOptIn) {
			t.Errorf("SetDescriptors(%s) without opt-in: %v, want ErrNoBiometricOptIn", id, err)
		}
	}
	if err := s.SetDescriptors(ctx, "S-4040", [][]float32{descriptor(1)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetDescriptors of an unknown id: %v, want ErrNotFound", err)
	}
	for _, bad := range [][]float32{descriptor(1)[:127], append(descriptor(1)[:127], float32(math.NaN()))} {
		if err := s.SetDescriptors(ctx, "S-1001", [][]float32{bad}); err == nil {
			t.Errorf("SetDescriptors accepted a bad descriptor of %d values", len(bad))
		}
	}
	// S-1001, S-1002 (children) and T-9001 (staff) opted in.
	for i, id := range []string{"S-1001", "S-1002", "T-9001"} {
		if err := s.SetDescriptors(ctx, id, [][]float32{descriptor(float32(i)), descriptor(float32(i) + 0.5)}); err != nil {
			t.Fatal(err)
		}
	}
	// Enrolling again replaces the references.
	if err := s.SetDescriptors(ctx, "S-1002", [][]float32{descriptor(7)}); err != nil {
		t.Fatal(err)
	}
	refs, err := s.References(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range refs {
		ids = append(ids, r.PersonID)
	}
	if !slices.Equal(ids, []string{"S-1001", "S-1001", "S-1002", "T-9001", "T-9001"}) || !slices.Equal(refs[2].Descriptor, descriptor(7)) {
		t.Fatalf("references of %v, want S-1001 x2, S-1002 x1 (replaced), T-9001 x2", ids)
	}
	t.Logf("stored %d references; refused for people without opt-in", len(refs))

	// Removing the opt-in deletes the rows.
	if err := s.SetBiometricOptIn(ctx, "S-1001", false, templateDay); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1001'"); n != 0 {
		t.Errorf("after the opt-in was removed %d descriptor rows remain", n)
	}
	if err := s.SetDescriptors(ctx, "S-1001", [][]float32{descriptor(1)}); !errors.Is(err, ErrNoBiometricOptIn) {
		t.Errorf("SetDescriptors after the opt-in was removed: %v", err)
	}
	// Removing the child deletes them.
	if err := s.RemovePerson(ctx, "S-1002"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1002'"); n != 0 {
		t.Errorf("after the child was removed %d descriptor rows remain", n)
	}
	if err := s.RemovePerson(ctx, "S-1002"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v, want ErrNotFound", err)
	}
	// A roster saying biometric=no deletes them at import.
	if err := s.SetBiometricOptIn(ctx, "S-1003", true, templateDay); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDescriptors(ctx, "S-1003", [][]float32{descriptor(3)}); err != nil {
		t.Fatal(err)
	}
	sum, err := s.ImportRoster(ctx, bytes.NewReader(templateCSV(t)), ImportOptions{Today: templateDay})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OptInsRemoved != 1 || sum.DescriptorsDeleted != 1 || countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1003'") != 0 {
		t.Errorf("re-import with biometric=no: %+v, descriptors left %d", sum, countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1003'"))
	}
}

func TestR9_YearEndPurgeLeavesNoBytes(t *testing.T) {
	ctx := context.Background()
	s, dir := openTestStore(t)
	importTemplate(t, s)
	// A descriptor whose bytes are easy to find in the file.
	marker := make([]float32, DescriptorLen)
	for i := range marker {
		marker[i] = 1234.5678
	}
	markerBytes, _ := encodeDescriptor(marker)
	for _, id := range []string{"S-1001", "U-3001", "T-9001"} {
		if err := s.SetDescriptors(ctx, id, [][]float32{marker, descriptor(2)}); err != nil {
			t.Fatal(err)
		}
	}
	fileHolds := func() bool {
		for _, name := range []string{RegisterFile, RegisterFile + "-wal"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			if bytes.Contains(data, markerBytes) {
				return true
			}
		}
		return false
	}
	if !fileHolds() {
		t.Fatal("the marker descriptor is not in the files before the purge: the check would prove nothing")
	}
	n, err := s.PurgeDescriptors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("purged %d descriptors", n)
	if n != 6 || countRows(t, s, "SELECT count(*) FROM descriptors") != 0 {
		t.Errorf("purge deleted %d, %d rows left; want 6 and 0", n, countRows(t, s, "SELECT count(*) FROM descriptors"))
	}
	if fileHolds() {
		t.Error("the purged descriptor's bytes are still in the register files")
	}
	// The opt-ins stay for next year's enrolment.
	if err := s.SetDescriptors(ctx, "S-1001", [][]float32{descriptor(4)}); err != nil {
		t.Errorf("enrolling after the purge: %v", err)
	}
}

// TestEveryConnectionWaitsAndOverwrites checks the settings of several
// connections the store holds at once: each waits for other users of the
// register and overwrites what it deletes.
func TestEveryConnectionWaitsAndOverwrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	for i := range 4 {
		conn, err := s.db.Conn(ctx) // a new connection while the earlier ones are held
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var busyTimeoutMs, secureDelete, foreignKeys int
		var journal string
		for pragma, into := range map[string]any{"busy_timeout": &busyTimeoutMs, "secure_delete": &secureDelete, "foreign_keys": &foreignKeys, "journal_mode": &journal} {
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(into); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("connection %d: busy_timeout %d ms, secure_delete %d, foreign_keys %d, journal_mode %s", i, busyTimeoutMs, secureDelete, foreignKeys, journal)
		if busyTimeoutMs != int(busyTimeout.Milliseconds()) || secureDelete != 1 || foreignKeys != 1 || journal != "wal" {
			t.Errorf("connection %d: busy_timeout %d, secure_delete %d, foreign_keys %d, journal_mode %s", i, busyTimeoutMs, secureDelete, foreignKeys, journal)
		}
	}
}

// TestOpenNewRegisterConcurrently opens a register that does not exist yet
// from several stores at the same moment, as two windows or the app and the
// command line might on the first day, or every laptop of a school on a new
// shared register: each must find the schema complete.
func TestOpenNewRegisterConcurrently(t *testing.T) {
	forEachBackend(t, testOpenNewRegisterConcurrently)
}

func testOpenNewRegisterConcurrently(t *testing.T, b testBackend) {
	const stores = 6
	for round := range 5 {
		where := b.newRegister(t)
		errs := make(chan error, stores)
		start := make(chan struct{})
		for range stores {
			go func() {
				<-start
				s, err := OpenRegister(context.Background(), where, t.TempDir())
				if err == nil {
					var version int
					version, err = s.dialect.schemaVersion(context.Background(), s.db)
					if err == nil && version != len(s.dialect.migrations()) {
						err = fmt.Errorf("schema version %d, want %d", version, len(s.dialect.migrations()))
					}
					err = errors.Join(err, s.Close())
				}
				errs <- err
			}()
		}
		close(start)
		for range stores {
			if err := <-errs; err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
	}
}
