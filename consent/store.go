package consent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DataEnv names the environment variable that overrides the data directory.
const DataEnv = "PHOTOVET_DATA"

// RegisterFile is the name of the register's database in the data directory.
const RegisterFile = "register.db"

// DataDir returns the data directory and creates it (mode 0700) when it is
// missing: flagValue when not empty (the --data flag), else $PHOTOVET_DATA,
// else the user config directory + "photovet". An existing directory keeps
// its mode: it may be one the user chose for other things too.
func DataDir(flagValue string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv(DataEnv)
	}
	if dir == "" {
		config, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find data directory: %w", err)
		}
		dir = filepath.Join(config, "photovet")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	return dir, nil
}

// Store is the consent register: a SQLite file in the data directory, or
// the shared register on a PostgreSQL server (see OpenRegister). Its
// methods are safe for concurrent use; every method that changes the
// register does so in one transaction, so a failure or a killed process
// leaves it as it was.
type Store struct {
	db      *sql.DB
	dialect dialect
	// lockWait is how long a SQLite connection waits for another one to
	// finish with the register before it gives up: busyTimeout, shorter in
	// tests.
	lockWait time.Duration
	// dir is the laptop's data directory.
	dir string
	// name names the register in messages: its file, or its URL without
	// password.
	name string
	// reach remembers since when a shared register cannot be reached; nil
	// for a SQLite file.
	reach *reachability
	// host names this computer in the export claims of a shared register.
	host string
	// faces is the laptop's own file of face descriptors (FacesFile) for
	// a shared register that does not share them (R9); nil otherwise.
	faces *sql.DB
}

// dialect is what differs between the register's two databases: the
// statements of the store are written once, in SQLite's placeholders, and
// rebound for PostgreSQL (see rebind).
type dialect interface {
	// migrations returns the schema changes in order: migration i brings
	// the schema from version i to i+1.
	migrations() []string
	schemaVersion(ctx context.Context, q queryRower) (int, error)
	setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error
	// lockSchema makes concurrent migrations wait for each other.
	lockSchema(ctx context.Context, tx *sql.Tx) error
	// lockLedger makes a withdrawal and a publication wait for each other.
	lockLedger(ctx context.Context, tx *sql.Tx) error
	// inWords tells the failures staff can act on in words.
	inWords(s *Store, err error) error
}

// queryRower is a *sql.DB, *sql.Conn or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// busyTimeout is how long a connection to the register waits for another
// (the app and the command line at once, two windows) to finish its change
// before it gives up and says so: long enough for a school's roster (on a
// two-core machine an import of 20,000 people holds the register for about
// 4 seconds, of 60,000 for 9 to 12), short enough that a teacher is not
// left waiting without a word.
const busyTimeout = 10 * time.Second

// Open opens the register in dir (see DataDir), creating it with mode 0600
// when it does not exist, and brings its schema up to date.
func Open(ctx context.Context, dir string) (*Store, error) {
	return open(ctx, dir, busyTimeout)
}

// open is Open with the time a connection waits for another to finish.
func open(ctx context.Context, dir string, busy time.Duration) (*Store, error) {
	path := filepath.Join(dir, RegisterFile)
	db, err := openSQLite(path, busy)
	if err != nil {
		return nil, fmt.Errorf("open register: %w", err)
	}
	host, _ := os.Hostname()
	s := &Store{db: db, dialect: sqliteDialect{}, lockWait: busy, dir: dir, name: path, host: host}
	if err := s.migrateWhenFree(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open register %s: %w", path, s.inWords(err))
	}
	return s, nil
}

// openSQLite opens the SQLite file at path, creating it with mode 0600
// when it does not exist, with the settings every connection to it needs.
func openSQLite(path string, busy time.Duration) (*sql.DB, error) {
	// Create the file ourselves so that it, and the -wal and -shm files
	// SQLite derives from it, get mode 0600 whatever the umask.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	chmodErr := f.Chmod(0o600)
	if err := errors.Join(chmodErr, f.Close()); err != nil {
		return nil, err
	}
	// The driver runs these on every connection it opens, busy_timeout
	// first.
	pragmas := url.Values{"_pragma": {
		// Two processes on one register wait for each other.
		"busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")",
		"foreign_keys(1)",
		"journal_mode(wal)",
		// A withdrawal, once confirmed, must survive a power cut.
		"synchronous(full)",
		// Deleted descriptors are overwritten, not merely unlinked (R9);
		// see wipe for the write-ahead log.
		"secure_delete(1)",
	}, "_txlock": {"immediate"}}
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath() + "?" + pragmas.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}

// migrateWhenFree migrates, trying again for up to the busy timeout while
// SQLite reports the register busy. The first connection to a new register
// turns it to WAL, and SQLite refuses a connection opening it at that
// moment at once, without its busy timeout: the second window or command
// opened on the first day would fail otherwise.
func (s *Store) migrateWhenFree(ctx context.Context) error {
	deadline := time.Now().Add(s.lockWait)
	for {
		err := s.migrate(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close closes the register.
func (s *Store) Close() error {
	if s.faces != nil {
		return errors.Join(s.db.Close(), s.faces.Close())
	}
	return s.db.Close()
}

// sqliteDialect is the register in a SQLite file.
type sqliteDialect struct{}

// migrations returns the schema changes in order; migration i brings the
// schema (PRAGMA user_version) from version i to i+1. To change the schema,
// append a migration here and its equivalent to postgresDialect's: never
// edit one that has shipped.
func (sqliteDialect) migrations() []string {
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
) STRICT;

CREATE TABLE consents (
	person_id   TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	purpose     TEXT NOT NULL CHECK (purpose IN ('photo', 'work')),
	giver       TEXT NOT NULL CHECK (giver IN ('guardian', 'pupil', 'staff')),
	channel     TEXT NOT NULL,
	valid_from  TEXT,
	valid_until TEXT,
	PRIMARY KEY (person_id, purpose, giver, channel)
) STRICT;

-- Withdrawals are kept apart from consents so that re-importing a roster
-- that still lists a consent cannot undo its withdrawal.
CREATE TABLE withdrawals (
	id           INTEGER PRIMARY KEY,
	person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	channel      TEXT NOT NULL,
	withdrawn_on TEXT NOT NULL,
	recorded_at  TEXT NOT NULL
) STRICT;
CREATE INDEX withdrawals_person ON withdrawals (person_id);

CREATE TABLE biometric_opt_ins (
	person_id   TEXT PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
	recorded_on TEXT NOT NULL
) STRICT;

-- A descriptor cannot exist without its opt-in (R9): removing the opt-in
-- or the person deletes it.
CREATE TABLE descriptors (
	id         INTEGER PRIMARY KEY,
	person_id  TEXT NOT NULL REFERENCES biometric_opt_ins (person_id) ON DELETE CASCADE,
	descriptor BLOB NOT NULL CHECK (length(descriptor) = 512)
) STRICT;
CREATE INDEX descriptors_person ON descriptors (person_id);

CREATE TABLE photographer_permissions (
	photographer TEXT NOT NULL CHECK (photographer <> ''),
	channel      TEXT NOT NULL,
	recorded_on  TEXT NOT NULL,
	PRIMARY KEY (photographer, channel)
) STRICT;

CREATE TABLE publications (
	id                    INTEGER PRIMARY KEY,
	original_sha256       TEXT NOT NULL,
	export_name           TEXT NOT NULL,
	channel               TEXT NOT NULL,
	published_on          TEXT NOT NULL,
	vetted_by             TEXT NOT NULL,
	photographer          TEXT NOT NULL,
	photographer_channels TEXT NOT NULL,
	recorded_at           TEXT NOT NULL
) STRICT;

-- person_id is '' for a face nobody was identified as. It is no foreign
-- key: the ledger outlives the removal of a child from the register.
CREATE TABLE publication_faces (
	publication_id INTEGER NOT NULL REFERENCES publications (id),
	face_index     INTEGER NOT NULL,
	person_id      TEXT NOT NULL,
	visible        INTEGER NOT NULL CHECK (visible IN (0, 1)),
	PRIMARY KEY (publication_id, face_index)
) STRICT;
CREATE INDEX publication_faces_visible ON publication_faces (person_id) WHERE visible = 1;

CREATE TABLE takedowns (
	id             INTEGER PRIMARY KEY,
	publication_id INTEGER NOT NULL REFERENCES publications (id),
	person_id      TEXT NOT NULL,
	withdrawn_on   TEXT NOT NULL,
	done_on        TEXT,
	UNIQUE (publication_id, person_id)
) STRICT;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
`,
		// 2: review state, so a batch under review survives a restart. It
		// is keyed by the original's SHA-256 and the target channel; state
		// is the pipeline's JSON, which never holds face descriptors (R9).
		`
CREATE TABLE photo_reviews (
	original_sha256 TEXT NOT NULL CHECK (length(original_sha256) = 64),
	channel         TEXT NOT NULL,
	path            TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (json_valid(state)),
	updated_at      TEXT NOT NULL,
	PRIMARY KEY (original_sha256, channel)
) STRICT;
`,
		// 3: exports claimed in the register (see ClaimExport). An export
		// is recorded pending, under a name the register allocates, before
		// its file is written; it joins the ledger once the file is
		// complete; its claim, naming its temporary file, goes when that
		// file is gone. Rows recorded before have no folder.
		`
ALTER TABLE publications ADD COLUMN folder TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
ALTER TABLE publications ADD COLUMN republishes INTEGER REFERENCES publications (id);

-- Until now every export of a photo published it again: the later rows
-- of an original and channel are re-publications of its first.
UPDATE publications SET republishes = (
	SELECT min(e.id) FROM publications e
	WHERE e.original_sha256 = publications.original_sha256 AND e.channel = publications.channel)
WHERE id > (
	SELECT min(e.id) FROM publications e
	WHERE e.original_sha256 = publications.original_sha256 AND e.channel = publications.channel);

-- A photo's first publication to a channel is one row; so is a name.
CREATE UNIQUE INDEX publications_first ON publications (original_sha256, channel) WHERE republishes IS NULL AND pending = 0;
CREATE UNIQUE INDEX publications_export_name ON publications (export_name) WHERE folder <> '';

-- The last sequence number given to an export of the day and channel,
-- whatever the folder. Numbering goes on after the names already
-- recorded (2026-11-21_instagram_007.jpg: 7).
CREATE TABLE export_sequences (
	published_on  TEXT NOT NULL,
	channel       TEXT NOT NULL,
	last_sequence INTEGER NOT NULL CHECK (last_sequence > 0),
	PRIMARY KEY (published_on, channel)
) STRICT;
INSERT INTO export_sequences (published_on, channel, last_sequence)
SELECT published_on, channel, max(CAST(substr(export_name, length(published_on) + length(channel) + 3,
	length(export_name) - length(published_on) - length(channel) - 6) AS INTEGER))
FROM publications
WHERE export_name LIKE published_on || '\_' || channel || '\_%.jpg' ESCAPE '\'
GROUP BY published_on, channel
HAVING max(CAST(substr(export_name, length(published_on) + length(channel) + 3,
	length(export_name) - length(published_on) - length(channel) - 6) AS INTEGER)) > 0;

-- An export being written: its temporary file in the publication's
-- folder, and whether the reviewer asked to publish the photo again.
CREATE TABLE export_claims (
	publication_id INTEGER PRIMARY KEY REFERENCES publications (id),
	temp_name      TEXT NOT NULL CHECK (temp_name <> ''),
	republish      INTEGER NOT NULL CHECK (republish IN (0, 1)),
	claimed_at     TEXT NOT NULL
) STRICT;
`,
		// 4: references added from review (see AddConfirmedReference). A
		// person's references were their enrolled portraits; a face a
		// reviewer assigned to an opted-in person may join them, marked
		// so that they can be capped and deleted apart. They live in the
		// same table, so every deletion of R9 takes them too.
		migrationReferenceSource,
		// 5: review versions and export hosts, for registers shared by
		// several laptops (see migrationReviewVersions).
		migrationReviewVersions,
		// 6: units kept apart: a shared register's matter (see
		// postgresMigrationUnits); a laptop's register is one unit's.
		"",
		// 7: what staff need to find a post to take down: the name of the
		// photo they chose and a small picture of the export as published
		// (redacted: never the original). Exports recorded before have
		// neither.
		`
ALTER TABLE publications ADD COLUMN original_name TEXT NOT NULL DEFAULT '';
ALTER TABLE publications ADD COLUMN thumbnail BLOB;
`,
		// 8: each person's registration key (Person.RegistrationKey),
		// so that a review naming someone removed cannot pass to whoever
		// is given their id later.
		`
ALTER TABLE people ADD COLUMN registration_key TEXT NOT NULL DEFAULT '';
UPDATE people SET registration_key = lower(hex(randomblob(16)));
`,
		// 9: withdrawals outlive the person (see RemovePerson): SQLite
		// drops a foreign key only with its table.
		`
CREATE TABLE withdrawals_kept (
	id           INTEGER PRIMARY KEY,
	person_id    TEXT NOT NULL CHECK (person_id <> ''),
	channel      TEXT NOT NULL,
	withdrawn_on TEXT NOT NULL,
	recorded_at  TEXT NOT NULL
) STRICT;
INSERT INTO withdrawals_kept (id, person_id, channel, withdrawn_on, recorded_at)
	SELECT id, person_id, channel, withdrawn_on, recorded_at FROM withdrawals;
DROP TABLE withdrawals;
ALTER TABLE withdrawals_kept RENAME TO withdrawals;
CREATE INDEX withdrawals_person ON withdrawals (person_id);
`,
	}
}

// migrationReferenceSource, the same on both databases: see migration 4
// in sqliteDialect.migrations.
const migrationReferenceSource = `
ALTER TABLE descriptors ADD COLUMN source TEXT NOT NULL DEFAULT 'portrait' CHECK (source IN ('portrait', 'confirmed'));
`

// migrationReviewVersions, the same on both databases: review state
// carries a version, so that a review saved on one laptop is not silently
// overwritten by one made from an older copy on another (see ErrReviewChanged); an export
// claim names the computer whose folder holds its temporary file, so that
// recovery on one laptop leaves another's exports alone.
const migrationReviewVersions = `
ALTER TABLE photo_reviews ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE export_claims ADD COLUMN host TEXT NOT NULL DEFAULT '';
`

// migrate applies the migrations the register has not had yet, each in its
// own transaction together with the version bump. Another process may be
// opening the same new register at the same moment: each transaction
// first takes the schema lock (SQLite's write lock, PostgreSQL's advisory
// lock) and reads the version again, so a migration that process applied
// first is not applied twice. An up-to-date register is only read, so it
// opens while another user is writing.
func (s *Store) migrate(ctx context.Context) error {
	all := s.dialect.migrations()
	version, err := s.dialect.schemaVersion(ctx, s.db)
	if err != nil {
		return err
	}
	for version < len(all) {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.dialect.lockSchema(ctx, tx); err != nil {
				return err
			}
			current, err := s.dialect.schemaVersion(ctx, tx)
			if err != nil || current >= len(all) {
				version = current
				return err
			}
			if all[current] != "" {
				if _, err := tx.ExecContext(ctx, all[current]); err != nil {
					return fmt.Errorf("migrate schema to version %d: %w", current+1, err)
				}
			}
			if err := s.dialect.setSchemaVersion(ctx, tx, current+1); err != nil {
				return fmt.Errorf("migrate schema to version %d: %w", current+1, err)
			}
			version = current + 1
			return nil
		})
		if err != nil {
			return err
		}
	}
	if version > len(all) {
		return fmt.Errorf("schema version %d is newer than this PhotoVet knows (%d): update PhotoVet", version, len(all))
	}
	return nil
}

func (sqliteDialect) schemaVersion(ctx context.Context, q queryRower) (int, error) {
	var version int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

func (sqliteDialect) setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error {
	_, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(version))
	return err
}

// lockSchema needs nothing on SQLite: every transaction takes the write
// lock as it begins (_txlock=immediate).
func (sqliteDialect) lockSchema(context.Context, *sql.Tx) error { return nil }

// lockLedger needs nothing on SQLite: see lockSchema.
func (sqliteDialect) lockLedger(context.Context, *sql.Tx) error { return nil }

// inTx runs fn in one transaction and commits it when fn returns nil.
// SQLite's reports of a busy register or a full disk come back in words
// (see inWords).
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.inWords(err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !alreadyRolledBack(rbErr) {
			return errors.Join(s.inWords(err), rbErr)
		}
		return s.inWords(err)
	}
	return s.inWords(tx.Commit())
}

// Setting keys in the settings table.
const (
	keyOwnConsentAge  = "own_consent_age"
	keyMatchThreshold = "match_threshold"
	keyMatchMargin    = "match_margin"
	keyRedactionStyle = "redaction_style"
	keyDefaultUnit    = "default_unit"
	keyChannels       = "channels"
)

// Settings returns the stored settings, with DefaultSettings for those
// never set.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	set, err := readSettings(ctx, s.db)
	return set, s.inWords(err)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readSettings(ctx context.Context, q querier) (Settings, error) {
	set := DefaultSettings()
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM settings")
	if err != nil {
		return set, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return set, fmt.Errorf("read settings: %w", err)
		}
		var perr error
		switch key {
		case keyOwnConsentAge:
			set.OwnConsentAge, perr = strconv.Atoi(value)
		case keyMatchThreshold:
			set.MatchThreshold, perr = strconv.ParseFloat(value, 64)
		case keyMatchMargin:
			set.MatchMargin, perr = strconv.ParseFloat(value, 64)
		case keyRedactionStyle:
			set.RedactionStyle = value
		case keyDefaultUnit:
			set.DefaultUnit = Unit(value)
		case keyChannels:
			set.Channels = strings.Split(value, ",")
		}
		if perr != nil {
			return set, fmt.Errorf("read setting %s: %w", key, perr)
		}
	}
	if err := rows.Err(); err != nil {
		return set, fmt.Errorf("read settings: %w", err)
	}
	if err := set.Validate(); err != nil {
		return set, fmt.Errorf("stored settings: %w", err)
	}
	return set, nil
}

// SetSettings validates and stores every setting.
func (s *Store) SetSettings(ctx context.Context, set Settings) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	values := map[string]string{
		keyOwnConsentAge:  strconv.Itoa(set.OwnConsentAge),
		keyMatchThreshold: strconv.FormatFloat(set.MatchThreshold, 'g', -1, 64),
		keyMatchMargin:    strconv.FormatFloat(set.MatchMargin, 'g', -1, 64),
		keyRedactionStyle: set.RedactionStyle,
		keyDefaultUnit:    string(set.DefaultUnit),
		keyChannels:       strings.Join(set.Channels, ","),
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for key, value := range values {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// timestamp is how the register records when something was written.
func timestamp() string { return time.Now().UTC().Format(time.RFC3339) }
