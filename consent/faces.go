package consent

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// FacesFile is the SQLite file in the laptop's data directory that keeps
// the face descriptors it enrolled for the people of a shared register
// (R9): biometric data stays where it was made unless the register's owner
// shares it (see ShareFacesKey).
const FacesFile = "faces.db"

// ShareFacesKey is the register-wide setting that shares face
// descriptors through a shared register: "on" keeps them on the server,
// for every laptop of the unit; anything else (the default) keeps each
// laptop's on that laptop. Only the register's owner can change it:
//
//	INSERT INTO settings (key, value) VALUES ('share_face_descriptors', 'on')
//	ON CONFLICT (key) DO UPDATE SET value = excluded.value;
const ShareFacesKey = "share_face_descriptors"

// openFaces opens (creating it when missing) the laptop's own file of face
// descriptors in dir.
func openFaces(ctx context.Context, dir string, busy time.Duration) (*sql.DB, error) {
	if dir == "" {
		return nil, errors.New("no data directory for the face descriptors kept on this laptop")
	}
	path := filepath.Join(dir, FacesFile)
	db, err := openSQLite(path, busy)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The same table as the register's, without its foreign key: the
	// opt-ins are on the server (see syncFaces).
	_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS descriptors (
	id         INTEGER PRIMARY KEY,
	person_id  TEXT NOT NULL,
	descriptor BLOB NOT NULL CHECK (length(descriptor) = 512),
	source     TEXT NOT NULL DEFAULT 'portrait' CHECK (source IN ('portrait', 'confirmed'))
) STRICT;
CREATE INDEX IF NOT EXISTS descriptors_person ON descriptors (person_id);`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// sharesFaces reads whether the shared register keeps face descriptors on
// the server.
func sharesFaces(ctx context.Context, db *sql.DB) (bool, error) {
	var value string
	err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", ShareFacesKey).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return value == "on", err
}

// descriptorDB is where the descriptors are: the laptop's own file for a
// shared register that does not share them, else the register.
func (s *Store) descriptorDB() *sql.DB {
	if s.faces != nil {
		return s.faces
	}
	return s.db
}

// descriptorTx runs fn in a transaction where the descriptors are: the
// register's own transaction tx, or one on the laptop's own file for a
// shared register that does not share them. That one commits before tx, so
// fn runs while tx still holds what it checked (the person, the opt-in);
// an opt-in withdrawn on another laptop meanwhile is caught by syncFaces
// before the descriptor is used.
func (s *Store) descriptorTx(ctx context.Context, tx *sql.Tx, fn func(*sql.Tx) error) error {
	if s.faces == nil {
		return fn(tx)
	}
	local, err := s.faces.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(local); err != nil {
		return errors.Join(err, local.Rollback())
	}
	return local.Commit()
}

// syncFaces deletes, from the laptop's own descriptors, those of people
// who have no biometric opt-in in the register (any more): withdrawn or
// removed, on this laptop or another (R9). It returns how many it deleted
// and wipes their bytes. A register whose descriptors are its own has
// nothing to sync: its foreign keys delete them with the opt-in.
func (s *Store) syncFaces(ctx context.Context) (int64, error) {
	if s.faces == nil {
		return 0, nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT person_id FROM biometric_opt_ins")
	if err != nil {
		return 0, fmt.Errorf("read biometric opt-ins: %w", s.inWords(err))
	}
	optIns := []string{}
	err = scanRows(rows, func() error {
		var id string
		err := rows.Scan(&id)
		optIns = append(optIns, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read biometric opt-ins: %w", s.inWords(err))
	}
	ids, err := json.Marshal(optIns)
	if err != nil {
		return 0, err
	}
	res, err := s.faces.ExecContext(ctx, "DELETE FROM descriptors WHERE person_id NOT IN (SELECT value FROM json_each(?1))", string(ids))
	if err != nil {
		return 0, fmt.Errorf("delete face descriptors without opt-in: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return n, err
	}
	return n, wipeSQLite(ctx, s.faces, s.lockWait)
}
