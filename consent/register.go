package consent

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/photovet/photovet/msg"
)

// ErrNotFound reports a person or take-down task id that is not in the
// register.
var ErrNotFound = errors.New("not found")

// ErrNoBiometricOptIn reports an attempt to store face descriptors of a
// person without a recorded biometric opt-in (R9).
var ErrNoBiometricOptIn = errors.New("no biometric opt-in recorded")

// ErrNotWiped reports that face descriptors were deleted from the register
// but their bytes are still in its files: another connection (a second
// PhotoVet) kept reading the register as it was before the deletion for
// longer than the busy timeout, and SQLite keeps what that reader may
// still read. The deletion itself stands, and the bytes go once no other
// PhotoVet has the register open. The error says so in words.
var ErrNotWiped = errors.New("deleted face descriptors not yet wiped from the register's files")

// DescriptorLen is the length of a face descriptor (dlib's ResNet model).
const DescriptorLen = 128

// Register loads the whole register (settings and every person) for the
// rules engine, as one consistent snapshot.
func (s *Store) Register(ctx context.Context) (*Register, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read register: %w", s.inWords(err))
	}
	defer tx.Rollback() // read-only: there is nothing to undo
	reg, err := readRegister(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("read register: %w", s.inWords(err))
	}
	return reg, s.inWords(nil)
}

func readRegister(ctx context.Context, tx *sql.Tx) (*Register, error) {
	set, err := readSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	reg := &Register{Settings: set, People: map[string]*Person{}}

	rows, err := tx.QueryContext(ctx, "SELECT id, name, role, grp, unit, birth_date, registration_key FROM people")
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func() error {
		p := &Person{}
		if err := rows.Scan(&p.ID, &p.Name, &p.Role, &p.Group, &p.Unit, &p.BirthDate, &p.RegistrationKey); err != nil {
			return err
		}
		reg.People[p.ID] = p
		return nil
	})
	if err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, "SELECT person_id, purpose, giver, channel, valid_from, valid_until FROM consents"+" ORDER BY person_id, purpose, giver, channel")
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func() error {
		var id, purpose string
		var c Consent
		if err := rows.Scan(&id, &purpose, &c.Giver, &c.Channel, &c.ValidFrom, &c.ValidUntil); err != nil {
			return err
		}
		p := reg.People[id]
		if purpose == "work" {
			p.WorkConsents = append(p.WorkConsents, c)
		} else {
			p.Consents = append(p.Consents, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, "SELECT person_id, channel, withdrawn_on FROM withdrawals"+" ORDER BY id")
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func() error {
		var id string
		var w Withdrawal
		if err := rows.Scan(&id, &w.Channel, &w.On); err != nil {
			return err
		}
		// A removed person's withdrawals wait for their id to come back.
		if p := reg.People[id]; p != nil {
			p.Withdrawals = append(p.Withdrawals, w)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, "SELECT person_id FROM biometric_opt_ins")
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func() error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		reg.People[id].BiometricOptIn = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reg, nil
}

// scanRows calls scan for every row and closes rows.
func scanRows(rows *sql.Rows, scan func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RemovePerson deletes a child or staff member with their consents,
// biometric opt-in and descriptors. The publication ledger and its
// take-down tasks keep the id: what was published stays on record. So do
// their withdrawals: a roster that lists the id again (the child back
// after a move, or the school office's file from before the withdrawal)
// cannot bring a withdrawn consent back, as a re-import cannot for a
// person who stayed. Should the id go to another child, the withdrawal
// hides them on its channels: a face hidden, never one shown.
// The descriptors' bytes are wiped from the register's files (see
// ErrNotWiped for when they cannot be yet).
func (s *Store) RemovePerson(ctx context.Context, id string) error {
	var descriptors int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if descriptors, err = countDescriptors(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM people WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, ErrNotFound)
		}
		return nil
	})
	if err == nil && descriptors > 0 {
		err = s.wipe(ctx)
	}
	if err == nil {
		_, err = s.syncFaces(ctx)
	}
	if err != nil {
		return fmt.Errorf("remove %q: %w", id, err)
	}
	return nil
}

// SetBiometricOptIn records (optIn true, dated on) or removes a person's
// biometric opt-in. Removing it deletes the person's descriptors (R9) and
// wipes their bytes from the register's files (see ErrNotWiped for when
// they cannot be yet).
func (s *Store) SetBiometricOptIn(ctx context.Context, id string, optIn bool, on Date) error {
	var descriptors int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := requirePerson(ctx, tx, id); err != nil {
			return err
		}
		if !optIn {
			var err error
			if descriptors, err = countDescriptors(ctx, tx, id); err != nil {
				return err
			}
		}
		return setOptIn(ctx, tx, id, optIn, on)
	})
	if err == nil && descriptors > 0 {
		err = s.wipe(ctx)
	}
	if err == nil {
		_, err = s.syncFaces(ctx)
	}
	if err != nil {
		return fmt.Errorf("biometric opt-in of %q: %w", id, err)
	}
	return nil
}

func setOptIn(ctx context.Context, tx *sql.Tx, id string, optIn bool, on Date) error {
	if optIn {
		_, err := tx.ExecContext(ctx, "INSERT INTO biometric_opt_ins (person_id, recorded_on) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING", id, on)
		return err
	}
	// The descriptors go with the opt-in (ON DELETE CASCADE).
	_, err := tx.ExecContext(ctx, "DELETE FROM biometric_opt_ins WHERE person_id = ?", id)
	return err
}

// countDescriptors returns how many descriptors of person id are stored.
func countDescriptors(ctx context.Context, tx *sql.Tx, id string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM descriptors WHERE person_id = ?", id).Scan(&n)
	return n, err
}

func requirePerson(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM people WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// SetDescriptors replaces the reference face descriptors of a person (the
// enrolment of R9) with the given portrait references; confirmed
// references (AddConfirmedReference) go too: a new enrolment starts
// afresh. It refuses with ErrNoBiometricOptIn when the person has
// no biometric opt-in: children and staff alike, since a face descriptor is
// biometric data whoever it belongs to. Each descriptor must have
// DescriptorLen finite values. The replaced descriptors are overwritten
// (secure_delete) but not wiped from the write-ahead log at once, as the
// deletions of R9 are: they are the same person's, still covered by the
// opt-in, and the next wipe (a withdrawal, a removal, the year-end purge)
// or the last connection's close takes them with it; waiting for other
// readers after every person would make enrolling a class crawl.
func (s *Store) SetDescriptors(ctx context.Context, id string, descriptors [][]float32) error {
	blobs := make([][]byte, len(descriptors))
	for i, d := range descriptors {
		blob, err := encodeDescriptor(d)
		if err != nil {
			return fmt.Errorf("store descriptors of %q: descriptor %d: %w", id, i, err)
		}
		blobs[i] = blob
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := requirePerson(ctx, tx, id); err != nil {
			return err
		}
		if err := requireOptIn(ctx, tx, id); err != nil {
			return err
		}
		return s.descriptorTx(ctx, tx, func(tx *sql.Tx) error {
			return replaceDescriptors(ctx, tx, id, blobs)
		})
	})
	if err != nil {
		return fmt.Errorf("store descriptors of %q: %w", id, err)
	}
	return nil
}

// replaceDescriptors replaces person id's descriptors in the register or
// in the laptop's own file.
func replaceDescriptors(ctx context.Context, tx *sql.Tx, id string, blobs [][]byte) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM descriptors WHERE person_id = ?", id); err != nil {
		return err
	}
	for _, blob := range blobs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO descriptors (person_id, descriptor) VALUES (?, ?)", id, blob); err != nil {
			return err
		}
	}
	return nil
}

// Reference is one stored face descriptor, whose it is and where it came
// from.
type Reference struct {
	PersonID   string
	Descriptor []float32 // DescriptorLen values
	Source     ReferenceSource
}

// References returns every stored reference descriptor, to build a
// matcher. Only people with a biometric opt-in have any (R9).
func (s *Store) References(ctx context.Context) ([]Reference, error) {
	// A laptop's own descriptors of people whose opt-in is gone (on
	// another laptop, say) go before any is used.
	if _, err := s.syncFaces(ctx); err != nil {
		return nil, fmt.Errorf("read descriptors: %w", err)
	}
	refs, err := readReferences(ctx, s.descriptorDB())
	if err != nil {
		return nil, fmt.Errorf("read descriptors: %w", s.inWords(err))
	}
	return refs, nil
}

// PurgeDescriptors deletes every stored face descriptor (the year-end
// purge of R9) and returns how many it deleted. The opt-ins stay, so next
// year's portraits can be enrolled again. The deleted bytes are wiped from
// the register's files, so the descriptors are gone from the disk, not just
// unlinked (see ErrNotWiped for when they cannot be yet: the count is
// returned then too).
func (s *Store) PurgeDescriptors(ctx context.Context) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM descriptors")
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && s.faces != nil {
		var res sql.Result
		if res, err = s.faces.ExecContext(ctx, "DELETE FROM descriptors"); err == nil {
			var local int64
			local, err = res.RowsAffected()
			n += local
		}
	}
	if err != nil {
		return 0, fmt.Errorf("purge descriptors: %w", err)
	}
	// Wiped even when there was nothing left to delete: the purge is also
	// how a school makes sure no earlier deletion left bytes behind.
	if err := s.wipe(ctx); err != nil {
		return n, fmt.Errorf("purge descriptors: %w", err)
	}
	return n, nil
}

// wipe removes the bytes of deleted rows from the register's files.
// secure_delete overwrites a deleted row in its page, but in write-ahead-log
// mode the overwritten page is only appended to the log: the database file
// keeps the old page, and so do the log's earlier frames, until the last
// connection closes. A TRUNCATE checkpoint copies the log into the database
// file and empties the log. It has to wait for every other connection that
// is in the middle of reading (SQLite keeps what such a reader may still
// read), up to the busy timeout; after that, or when ctx ends, wipe returns
// an error matching ErrNotWiped.
func (s *Store) wipe(ctx context.Context) error {
	var err error
	if _, ok := s.dialect.(sqliteDialect); ok {
		err = sqliteDialect{}.inWords(s, wipeSQLite(ctx, s.db, s.lockWait))
	}
	// PostgreSQL keeps a deleted row's bytes until VACUUM reuses its
	// space: the server administrator's matter (see README). Descriptors
	// stay in the laptop's own file unless the register shares them.
	if s.faces != nil && err == nil {
		err = sqliteDialect{}.inWords(s, wipeSQLite(ctx, s.faces, s.lockWait))
	}
	return err
}

// wipeSQLite is wipe for one SQLite file, waiting up to wait for readers.
func wipeSQLite(ctx context.Context, db *sql.DB, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	retry := time.NewTicker(10 * time.Millisecond)
	defer retry.Stop()
	for {
		// blocked is 1 when a reader kept the checkpoint from finishing, or
		// when another connection was checkpointing at the same moment
		// (SQLite does not wait for that one: hence the retries).
		var blocked, logFrames, copiedFrames int
		err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&blocked, &logFrames, &copiedFrames)
		switch {
		case err == nil && blocked == 0:
			return nil
		case err == nil:
			err = errors.New("wal_checkpoint(TRUNCATE): blocked by another connection")
		case ctx.Err() == nil && !isBusy(err):
			return err
		}
		select {
		case <-ctx.Done():
			return &wordsError{
				words: &msg.Error{Text: msg.New("the face data is deleted from the register, but another PhotoVet is still reading the register as it was before, so the face data stays in the register's files for now: it is wiped when the last PhotoVet using the register is closed (detail: {{.Detail}})", "Detail", err.Error())},
				kind:  ErrNotWiped,
				cause: err,
			}
		case <-retry.C:
		}
	}
}

func encodeDescriptor(d []float32) ([]byte, error) {
	if len(d) != DescriptorLen {
		return nil, fmt.Errorf("%d values, want %d", len(d), DescriptorLen)
	}
	blob := make([]byte, 0, 4*DescriptorLen)
	for _, v := range d {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("value %v is not finite", v)
		}
		blob = binary.LittleEndian.AppendUint32(blob, math.Float32bits(v))
	}
	return blob, nil
}

func decodeDescriptor(blob []byte) []float32 {
	d := make([]float32, len(blob)/4)
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(blob[4*i:]))
	}
	return d
}
