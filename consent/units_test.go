package consent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/photovet/photovet/msg"
)

// asRole returns the register's URL for another login role.
func asRole(t testing.TB, register, role string) string {
	t.Helper()
	u, err := url.Parse(register)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	return u.String()
}

// TestUnitsKeptApart sets up a shared register with two units, each with
// its staff role, and checks with plain SQL, connected as unit A's role,
// that A cannot read, add, change or delete unit B's rows: the database
// enforces it, whatever the program does.
func TestUnitsKeptApart(t *testing.T) {
	ctx := context.Background()
	server := postgresServer(t)
	for _, role := range []string{"unit_a_staff", "unit_b_staff", "register_owner"} {
		if err := server.CreateRole(ctx, role); err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Fatal(err)
		}
	}
	// As the README tells the administrator: an owner who is no
	// superuser, with CREATEROLE, owns the database.
	database := fmt.Sprintf("units_%d", testPG.databases.Add(1))
	if err := server.Exec(ctx, "postgres", "ALTER ROLE register_owner CREATEROLE", "CREATE DATABASE "+database+" OWNER register_owner"); err != nil {
		t.Fatal(err)
	}
	register := server.URL(database, "register_owner")
	admin := openAt(t, register)
	if err := admin.GrantUnit(ctx, "school-a", "unit_a_staff"); err != nil {
		t.Fatal(err)
	}
	if err := admin.GrantUnit(ctx, "school-b", "unit_b_staff"); err != nil {
		t.Fatal(err)
	}
	a := openAt(t, asRole(t, register, "unit_a_staff"))
	b := openAt(t, asRole(t, register, "unit_b_staff"))

	// Each unit imports its roster, publishes a photo of a child and
	// records a withdrawal: people, consents, ledger and take-downs.
	importTemplate(t, a)
	if _, err := b.ImportRoster(ctx, bytes.NewReader(bigRoster(5, " (B)", 0, nil)), ImportOptions{Today: templateDay}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		s     *Store
		child string
		sum   string
	}{{a, "S-1001", strings.Repeat("aa", 32)}, {b, "G-00001", strings.Repeat("bb", 32)}} {
		p := testPublication("facebook", "2026-09-10", PublishedFace{u.child, true})
		p.OriginalSHA256 = u.sum
		if _, err := record(ctx, u.s, p); err != nil {
			t.Fatal(err)
		}
		if _, err := u.s.Withdraw(ctx, u.child, "facebook", NewDate(2026, 10, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// Through the program: each unit sees its own.
	if reg, err := a.Register(ctx); err != nil || len(reg.People) != 10 || reg.People["G-00001"] != nil {
		t.Fatalf("unit A's register: %d people, %v; want its 10", len(reg.People), err)
	}
	if tasks, err := b.Takedowns(ctx, true); err != nil || len(tasks) != 1 || tasks[0].PersonID != "G-00001" {
		t.Fatalf("unit B's take-downs: %+v, %v; want its one", tasks, err)
	}

	// Plain SQL as unit A's role.
	conn, err := pgx.Connect(ctx, asRole(t, register, "unit_a_staff"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	for table, where := range map[string]string{
		"people":            "id LIKE 'G-%'",
		"consents":          "person_id LIKE 'G-%'",
		"withdrawals":       "person_id LIKE 'G-%'",
		"biometric_opt_ins": "person_id LIKE 'G-%'",
		"publications":      "original_sha256 = repeat('bb', 32)",
		"publication_faces": "person_id LIKE 'G-%'",
		"takedowns":         "person_id LIKE 'G-%'",
	} {
		if n := count("SELECT count(*) FROM " + table + " WHERE " + where); n != 0 {
			t.Errorf("unit A reads %d of unit B's rows in %s", n, table)
		}
		if n := count("SELECT count(*) FROM " + table + " WHERE owner_unit = 'school-b'"); n != 0 {
			t.Errorf("unit A reads %d rows of school-b in %s", n, table)
		}
		if n := count("SELECT count(*) FROM " + table); n == 0 {
			t.Errorf("unit A reads none of its own rows in %s: the check above proves nothing", table)
		}
		for _, change := range []string{
			"UPDATE " + table + " SET owner_unit = owner_unit WHERE " + where,
			"DELETE FROM " + table + " WHERE " + where,
		} {
			tag, err := conn.Exec(ctx, change)
			if err != nil || tag.RowsAffected() != 0 {
				t.Errorf("as unit A: %s: %d rows, %v; want none", change, tag.RowsAffected(), err)
			}
		}
	}
	// A's own rows cannot be given to B, and nothing can be added as B's.
	isPolicyViolation := func(err error) bool {
		pgErr, ok := errors.AsType[*pgconn.PgError](err)
		return ok && pgErr.Code == "42501" // insufficient_privilege: the row violates the policy
	}
	if _, err := conn.Exec(ctx, "UPDATE people SET owner_unit = 'school-b' WHERE id = 'S-1001'"); !isPolicyViolation(err) {
		t.Errorf("unit A moving its child to school-b: %v, want a row-level security violation", err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO people (id, name, role, unit, owner_unit) VALUES ('X-1', 'Planted', 'child', 'school', 'school-b')"); !isPolicyViolation(err) {
		t.Errorf("unit A adding a child to school-b: %v, want a row-level security violation", err)
	}
	if _, err := conn.Exec(ctx, "SET photovet.unit = 'school-b'"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO withdrawals (person_id, channel, withdrawn_on, recorded_at) VALUES ('S-1002', 'all', '2026-10-01', 'now')"); !isPolicyViolation(err) {
		t.Errorf("unit A writing as school-b through photovet.unit: %v, want a row-level security violation", err)
	}
	// Nor can it grant itself another unit, or change the settings.
	if _, err := conn.Exec(ctx, "INSERT INTO unit_members (unit, role_name) VALUES ('school-b', 'unit_a_staff')"); err == nil {
		t.Error("unit A's role granted itself school-b")
	}
	if _, err := conn.Exec(ctx, "UPDATE settings SET value = '99' WHERE key = 'own_consent_age'"); err == nil {
		t.Error("unit A's role changed the register-wide settings")
	}
	// Through the program, staff are told so in words they can act on.
	set, err := a.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.OwnConsentAge = 16
	if err := a.SetSettings(ctx, set); !strings.HasPrefix(msg.FromError(err).String(), "your login to the shared register") {
		t.Errorf("unit A saving the settings: %q, want words saying only the administrator can", msg.FromError(err))
	}
	// B's rows are all still there, as B sees them.
	if reg, err := b.Register(ctx); err != nil || len(reg.People) != 5 || len(reg.People["G-00001"].Withdrawals) != 1 {
		t.Errorf("unit B's register after A's attempts: %d people, %v", len(reg.People), err)
	}
}

// TestTestRegister checks the settings' connection test: a working URL
// passes; a password in the URL, a server that does not answer and a
// wrong role fail, each saying why.
func TestTestRegister(t *testing.T) {
	ctx := context.Background()
	register := newPostgresRegister(t)
	openAt(t, register) // migrated
	if err := TestRegister(ctx, register); err != nil {
		t.Errorf("a working register: %v", err)
	}
	u, _ := url.Parse(register)
	withPassword := *u
	withPassword.User = url.UserPassword(u.User.Username(), "s3cret-pw")
	nobody := *u
	nobody.Host = "127.0.0.1:1"
	for name, c := range map[string]struct {
		register string
		want     error
	}{
		"password in the URL": {withPassword.String(), ErrPasswordInURL},
		"no server there":     {nobody.String(), ErrUnreachable},
		"unknown role":        {asRole(t, register, "nobody_here"), nil},
	} {
		err := TestRegister(ctx, c.register)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("%s: %v, want an error matching %v, without the password", name, err, c.want)
		}
	}
}
