package consent

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/photovet/photovet/msg"
)

// RegisterEnv names the environment variable that chooses the register:
// a postgres:// URL for a shared register, or nothing for the SQLite file
// in the data directory.
const RegisterEnv = "PHOTOVET_REGISTER"

// ErrPasswordInURL refuses a register URL that holds a password: a URL
// ends up on command lines, in settings files and in logs. The password
// goes in a passfile (PGPASSFILE, ~/.pgpass or the URL's passfile
// parameter) or in PGPASSWORD.
var ErrPasswordInURL = errors.New("the register URL holds a password: put it in a passfile (PGPASSFILE or ~/.pgpass) or PGPASSWORD instead")

// ErrUnreachable is matched by every error that says the shared register
// could not be reached; see UnreachableError.
var ErrUnreachable = errors.New("register unreachable")

// UnreachableError says that the shared register could not be reached,
// and since when: then nothing is exported and every face is hidden (R4).
type UnreachableError struct {
	Register string    // the register's URL, without any password
	Since    time.Time // the first failure since the register was last reached
	Cause    error
}

func (e *UnreachableError) Error() string { return e.words().String() }

// words tells the failure in words for staff.
func (e *UnreachableError) words() msg.Text {
	return msg.New("the shared register {{.Register}} cannot be reached (since {{.Since}}): nothing is exported and every face stays hidden until it can be (detail: {{.Detail}})",
		"Register", e.Register, "Since", e.Since.Local().Format("2006-01-02 15:04:05"), "Detail", e.Cause.Error())
}

// Unwrap gives ErrUnreachable, the words as a *msg.Error (for the app to
// translate) and the cause.
func (e *UnreachableError) Unwrap() []error {
	return []error{ErrUnreachable, &msg.Error{Text: e.words()}, e.Cause}
}

// IsPostgresURL reports whether register names a PostgreSQL register
// rather than a SQLite file.
func IsPostgresURL(register string) bool {
	return strings.HasPrefix(register, "postgres://") || strings.HasPrefix(register, "postgresql://")
}

// RegisterChoice returns the register to open: flagValue when not empty
// (the --register flag), else $PHOTOVET_REGISTER.
func RegisterChoice(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(RegisterEnv)
}

// OpenRegister opens the register that register names: a postgres:// URL
// opens the shared register on that server (see OpenPostgres); a path or
// nothing opens the SQLite file in the data directory dataDir (see Open),
// a path being a data directory of its own.
func OpenRegister(ctx context.Context, register, dataDir string) (*Store, error) {
	switch {
	case IsPostgresURL(register):
		return OpenPostgres(ctx, register, dataDir)
	case register != "":
		return Open(ctx, register)
	}
	return Open(ctx, dataDir)
}

// pgMaxConns bounds the connections one PhotoVet opens to the server: a
// city's server is shared by every laptop.
const pgMaxConns = 8

// redactURL returns the register URL without password or parameters, to
// name it in messages and logs.
func redactURL(register string) string {
	u, err := url.Parse(register)
	if err != nil {
		return "(unreadable register URL)"
	}
	u.User = url.User(u.User.Username())
	if u.User.Username() == "" {
		u.User = nil
	}
	u.RawQuery = ""
	return u.String()
}

// OpenPostgres opens the shared register at a postgres:// URL and brings
// its schema up to date (once, under an advisory lock, whoever opens it
// first). The password comes from a passfile or PGPASSWORD, never from the
// URL (ErrPasswordInURL); sslmode and the other libpq settings of the URL
// and the PG* environment variables are honoured. dataDir is the laptop's
// own data directory, which keeps the face descriptors unless the register
// shares them (R9).
func OpenPostgres(ctx context.Context, register, dataDir string) (*Store, error) {
	name := redactURL(register)
	if u, err := url.Parse(register); err != nil {
		return nil, fmt.Errorf("open register: unreadable URL: %w", errors.New(name))
	} else if _, hasPassword := u.User.Password(); hasPassword || u.Query().Has("password") {
		return nil, fmt.Errorf("open register %s: %w", name, ErrPasswordInURL)
	}
	config, err := pgx.ParseConfig(register)
	if err != nil {
		return nil, fmt.Errorf("open register %s: %w", name, err)
	}
	reach := &reachability{}
	db := sql.OpenDB(rebindConnector{Connector: stdlib.GetConnector(*config), register: name, reach: reach})
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	host, _ := os.Hostname()
	s := &Store{db: db, dialect: postgresDialect{}, lockWait: busyTimeout, dir: dataDir, name: name, reach: reach, host: host}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open register %s: %w", name, s.inWords(err))
	}
	shared, err := sharesFaces(ctx, db)
	if err == nil && !shared {
		s.faces, err = openFaces(ctx, dataDir, busyTimeout)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open register %s: %w", name, s.inWords(err))
	}
	return s, nil
}

// reachability remembers since when the shared register could not be
// reached.
type reachability struct {
	mu    sync.Mutex
	since time.Time
}

// failed records a failure to reach the register and returns the time of
// the first one since it was last reached.
func (r *reachability) failed() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.since.IsZero() {
		r.since = time.Now()
	}
	return r.since
}

// reached records that the register answered.
func (r *reachability) reached() {
	r.mu.Lock()
	r.since = time.Time{}
	r.mu.Unlock()
}

// isConnectionLoss reports whether err says that the server could not be
// reached or went away, rather than refusing a statement.
func isConnectionLoss(err error) bool {
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		// 08: connection exception; 57P01-57P03: the server is shutting
		// down or cannot accept connections now.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.Timeout(err) || strings.Contains(err.Error(), "conn closed")
}

// postgresDialect is the shared register on a PostgreSQL server.
type postgresDialect struct{}

// schemaLock is the advisory lock key PhotoVet's processes take to migrate
// the schema, one at a time.
const schemaLock = 0x50686f746f566574 // "PhotoVet"

// ledgerLock is the advisory lock key that serialises withdrawals and
// publications: a withdrawal and an export published at the same moment
// on two laptops would each miss the other's row under PostgreSQL's
// snapshots, and the export would get no take-down task.
const ledgerLock = schemaLock + 1

func (postgresDialect) lockSchema(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+strconv.FormatInt(schemaLock, 10)+")")
	return err
}

func (postgresDialect) lockLedger(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+strconv.FormatInt(ledgerLock, 10)+")")
	return err
}

func (postgresDialect) schemaVersion(ctx context.Context, q queryRower) (int, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_version')").Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var version int
	if err := q.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

func (postgresDialect) setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error {
	_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
		DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (`+fmt.Sprint(version)+`)`)
	return err
}

// migrations are SQLite's (see sqliteDialect.migrations) in PostgreSQL's
// words, version for version; a register on a new server has no rows
// from before a migration to move.
func (postgresDialect) migrations() []string {
	return []string{
		// 1: the register, the ledger and the settings.
		`
CREATE TABLE people (
	id         TEXT PRIMARY KEY CHECK (id <> ''),
	name       TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('child', 'staff')),
	grp        TEXT NOT NULL DEFAULT '',
	unit       TEXT NOT NULL CHECK (unit IN ('early_childhood', 'school', 'upper_secondary')),
	birth_date TEXT
);
CREATE TABLE consents (
	person_id   TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	purpose     TEXT NOT NULL CHECK (purpose IN ('photo', 'work')),
	giver       TEXT NOT NULL CHECK (giver IN ('guardian', 'pupil', 'staff')),
	channel     TEXT NOT NULL,
	valid_from  TEXT,
	valid_until TEXT,
	PRIMARY KEY (person_id, purpose, giver, channel)
);
CREATE TABLE withdrawals (
	id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	channel      TEXT NOT NULL,
	withdrawn_on TEXT NOT NULL,
	recorded_at  TEXT NOT NULL
);
CREATE INDEX withdrawals_person ON withdrawals (person_id);
CREATE TABLE biometric_opt_ins (
	person_id   TEXT PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
	recorded_on TEXT NOT NULL
);
CREATE TABLE descriptors (
	id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id  TEXT NOT NULL REFERENCES biometric_opt_ins (person_id) ON DELETE CASCADE,
	descriptor BYTEA NOT NULL CHECK (octet_length(descriptor) = 512)
);
CREATE INDEX descriptors_person ON descriptors (person_id);
CREATE TABLE photographer_permissions (
	photographer TEXT NOT NULL CHECK (photographer <> ''),
	channel      TEXT NOT NULL,
	recorded_on  TEXT NOT NULL,
	PRIMARY KEY (photographer, channel)
);
CREATE TABLE publications (
	id                    BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	original_sha256       TEXT NOT NULL,
	export_name           TEXT NOT NULL,
	channel               TEXT NOT NULL,
	published_on          TEXT NOT NULL,
	vetted_by             TEXT NOT NULL,
	photographer          TEXT NOT NULL,
	photographer_channels TEXT NOT NULL,
	recorded_at           TEXT NOT NULL
);
CREATE TABLE publication_faces (
	publication_id BIGINT NOT NULL REFERENCES publications (id),
	face_index     INTEGER NOT NULL,
	person_id      TEXT NOT NULL,
	visible        BOOLEAN NOT NULL,
	PRIMARY KEY (publication_id, face_index)
);
CREATE INDEX publication_faces_visible ON publication_faces (person_id) WHERE visible;
CREATE TABLE takedowns (
	id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	publication_id BIGINT NOT NULL REFERENCES publications (id),
	person_id      TEXT NOT NULL,
	withdrawn_on   TEXT NOT NULL,
	done_on        TEXT,
	UNIQUE (publication_id, person_id)
);
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
`,
		// 2: review state.
		`
CREATE TABLE photo_reviews (
	original_sha256 TEXT NOT NULL CHECK (length(original_sha256) = 64),
	channel         TEXT NOT NULL,
	path            TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (CAST(state AS json) IS NOT NULL),
	updated_at      TEXT NOT NULL,
	PRIMARY KEY (original_sha256, channel)
);
`,
		// 3: exports claimed in the register.
		`
ALTER TABLE publications ADD COLUMN folder TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE publications ADD COLUMN republishes BIGINT REFERENCES publications (id);
CREATE UNIQUE INDEX publications_first ON publications (original_sha256, channel) WHERE republishes IS NULL AND NOT pending;
CREATE UNIQUE INDEX publications_export_name ON publications (export_name) WHERE folder <> '';
CREATE TABLE export_sequences (
	published_on  TEXT NOT NULL,
	channel       TEXT NOT NULL,
	last_sequence INTEGER NOT NULL CHECK (last_sequence > 0),
	PRIMARY KEY (published_on, channel)
);
CREATE TABLE export_claims (
	publication_id BIGINT PRIMARY KEY REFERENCES publications (id),
	temp_name      TEXT NOT NULL CHECK (temp_name <> ''),
	republish      BOOLEAN NOT NULL,
	claimed_at     TEXT NOT NULL
);
`,
		// 4: references added from review.
		migrationReferenceSource,
		// 5: review versions and export hosts.
		migrationReviewVersions,
		// 6: units kept apart.
		postgresMigrationUnits,
		// 7: the original's name and a thumbnail of the export.
		`
ALTER TABLE publications ADD COLUMN original_name TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN thumbnail BYTEA;
`,
		// 8: each person's registration key.
		`
ALTER TABLE people ADD COLUMN registration_key TEXT NOT NULL DEFAULT '';
UPDATE people SET registration_key = replace(gen_random_uuid()::text, '-', '');
`,
		// 9: withdrawals outlive the person.
		`
ALTER TABLE withdrawals DROP CONSTRAINT withdrawals_person_id_fkey;
ALTER TABLE withdrawals ADD CHECK (person_id <> '');
`,
	}
}

// unitTables are the tables whose rows belong to one unit of the register
// (a school, a daycare centre): row-level security shows and lets change
// a role's rows of its own units only.
var unitTables = []string{"people", "consents", "withdrawals", "biometric_opt_ins", "descriptors",
	"photographer_permissions", "publications", "publication_faces", "takedowns", "export_claims", "photo_reviews"}

// StaffRole is the PostgreSQL role every staff member's login role is
// granted (see GrantUnit): it may use the register's tables, and row-level
// security limits it to the rows of its units.
const StaffRole = "photovet_staff"

// postgresMigrationUnits keeps a shared register's units apart, in the
// database itself: every row of unitTables belongs to a unit (owner_unit,
// by default the one unit of the role that wrote it, or the session's
// photovet.unit setting for a role of several), and row-level security
// lets a role see and change only the rows of the units unit_members
// grants it. The register's owner (the administrator, who migrates it)
// sees every row. Settings, the schema version and the unit list are read
// by staff and changed by the owner; export numbering (export_sequences)
// is shared, so that an export name is one file across the city.
var postgresMigrationUnits = func() string {
	var b strings.Builder
	b.WriteString(`
CREATE TABLE unit_members (
	unit      TEXT NOT NULL CHECK (unit <> ''),
	role_name TEXT NOT NULL CHECK (role_name <> ''),
	PRIMARY KEY (unit, role_name)
);

-- The units the connected role works for, through any role it is a member of.
CREATE FUNCTION photovet_my_units() RETURNS SETOF TEXT LANGUAGE sql STABLE AS $$
	SELECT m.unit FROM unit_members m JOIN pg_roles r ON r.rolname = m.role_name
	WHERE pg_has_role(current_user, r.oid, 'MEMBER')
$$;

-- The unit a new row belongs to: the session's photovet.unit, else the
-- role's only unit, else none ('', which no staff role can write).
CREATE FUNCTION photovet_unit() RETURNS TEXT LANGUAGE plpgsql STABLE AS $$
DECLARE
	chosen TEXT := nullif(current_setting('photovet.unit', true), '');
	units  INTEGER;
BEGIN
	IF chosen IS NOT NULL THEN
		RETURN chosen;
	END IF;
	SELECT count(*), min(u) INTO units, chosen FROM photovet_my_units() u;
	IF units = 1 THEN
		RETURN chosen;
	END IF;
	RETURN '';
END
$$;

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '` + StaffRole + `') THEN
		CREATE ROLE ` + StaffRole + ` NOLOGIN;
	END IF;
END
$$;

-- A unit's photographer and a unit's first publication of a photo are its own.
ALTER TABLE photographer_permissions DROP CONSTRAINT photographer_permissions_pkey;
DROP INDEX publications_first;
`)
	for _, table := range unitTables {
		fmt.Fprintf(&b, `
ALTER TABLE %[1]s ADD COLUMN owner_unit TEXT NOT NULL DEFAULT photovet_unit();
CREATE INDEX %[1]s_owner_unit ON %[1]s (owner_unit);
ALTER TABLE %[1]s ENABLE ROW LEVEL SECURITY;
CREATE POLICY unit_rows ON %[1]s USING (owner_unit IN (SELECT photovet_my_units()))
	WITH CHECK (owner_unit IN (SELECT photovet_my_units()));
GRANT SELECT, INSERT, UPDATE, DELETE ON %[1]s TO %[2]s;
`, table, StaffRole)
	}
	b.WriteString(`
ALTER TABLE photographer_permissions ADD PRIMARY KEY (owner_unit, photographer, channel);
CREATE UNIQUE INDEX publications_first ON publications (owner_unit, original_sha256, channel) WHERE republishes IS NULL AND NOT pending;
GRANT SELECT ON settings, unit_members, schema_version TO ` + StaffRole + `;
GRANT SELECT, INSERT, UPDATE ON export_sequences TO ` + StaffRole + `;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ` + StaffRole + `;
GRANT EXECUTE ON FUNCTION photovet_my_units(), photovet_unit() TO ` + StaffRole + `;
`)
	return b.String()
}()

// ErrNoUnits reports a unit command on a register that has no units: a
// laptop's own SQLite register is one unit's.
var ErrNoUnits = errors.New("a register on this laptop has no units: units are for a shared register on a server")

// GrantUnit lets the PostgreSQL login role work for unit of a shared
// register: it is made a member of StaffRole and sees and changes the
// rows of unit (and of its other units), no others. The administrator
// runs it as the register's owner; the role must exist.
func (s *Store) GrantUnit(ctx context.Context, unit, role string) error {
	unit, role = strings.TrimSpace(unit), strings.TrimSpace(role)
	if _, ok := s.dialect.(postgresDialect); !ok {
		return fmt.Errorf("grant unit %q to %q: %w", unit, role, ErrNoUnits)
	}
	if unit == "" || role == "" {
		return fmt.Errorf("grant unit %q to %q: want a unit and a role", unit, role)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO unit_members (unit, role_name) VALUES (?, ?) ON CONFLICT DO NOTHING", unit, role); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "GRANT "+StaffRole+" TO "+pgx.Identifier{role}.Sanitize())
		return err
	})
	if err != nil {
		return fmt.Errorf("grant unit %q to %q: %w", unit, role, err)
	}
	return nil
}

// inWords returns err told in words when it says that the server could
// not be reached (an *UnreachableError, matching ErrUnreachable).
func (postgresDialect) inWords(s *Store, err error) error {
	if _, told := errors.AsType[*UnreachableError](err); told {
		return err
	}
	if _, told := errors.AsType[*wordsError](err); told {
		return err
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "42501" {
		// insufficient_privilege: a unit's role changing what only the
		// register's owner may (the settings), or another unit's rows.
		return &wordsError{words: &msg.Error{Text: msg.New("your login to the shared register {{.Register}} may not change this (only its administrator can, or it belongs to another school or daycare): ask your IT contact (detail: {{.Detail}})",
			"Register", s.name, "Detail", pgErr.Message)}, cause: err}
	}
	if !isConnectionLoss(err) {
		return err
	}
	return &UnreachableError{Register: s.name, Since: s.reach.failed(), Cause: err}
}

// testRegisterTimeout bounds TestRegister: a teacher waits for it.
const testRegisterTimeout = 10 * time.Second

// TestRegister checks that a shared register's URL can be used: no
// password in it, the server answers (within 10 seconds) and accepts the
// login, and its schema is one this PhotoVet knows (or not set up yet,
// which the first PhotoVet the administrator opens it with does). It
// changes nothing.
func TestRegister(ctx context.Context, register string) error {
	name := redactURL(register)
	if !IsPostgresURL(register) {
		return fmt.Errorf("test register %s: want a postgres:// URL", name)
	}
	if u, err := url.Parse(register); err != nil {
		return fmt.Errorf("test register: unreadable URL")
	} else if _, hasPassword := u.User.Password(); hasPassword || u.Query().Has("password") {
		return fmt.Errorf("test register %s: %w", name, ErrPasswordInURL)
	}
	config, err := pgx.ParseConfig(register)
	if err != nil {
		return fmt.Errorf("test register %s: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, testRegisterTimeout)
	defer cancel()
	reach := &reachability{}
	db := sql.OpenDB(rebindConnector{Connector: stdlib.GetConnector(*config), register: name, reach: reach})
	defer db.Close()
	s := &Store{db: db, dialect: postgresDialect{}, name: name, reach: reach}
	version, err := s.dialect.schemaVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("test register %s: %w", name, s.inWords(err))
	}
	if known := len(s.dialect.migrations()); version > known {
		return fmt.Errorf("test register %s: schema version %d is newer than this PhotoVet knows (%d): update PhotoVet", name, version, known)
	}
	return nil
}
