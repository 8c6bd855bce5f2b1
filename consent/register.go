package consent

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrNotFound reports a person or take-down task id that is not in the
// register.
var ErrNotFound = errors.New("not found")

// ErrNoBiometricOptIn reports an attempt to store face descriptors of a
// person without a recorded biometric opt-in (R9).
var ErrNoBiometricOptIn = errors.New("no biometric opt-in recorded")

// DescriptorLen is the length of a face descriptor (dlib's ResNet model).
const DescriptorLen = 128

// Register loads the whole register (settings and every person) for the
// rules engine, as one consistent snapshot.
func (s *Store) Register(ctx context.Context) (*Register, error) {
	return s.loadRegister(ctx, nil)
}

// RegisterFor loads the settings and the people with the given ids (ids
// not in the register are left out), as one consistent snapshot. Use it
// when only the people a matcher found on a batch are needed.
func (s *Store) RegisterFor(ctx context.Context, ids []string) (*Register, error) {
	if ids == nil {
		ids = []string{}
	}
	return s.loadRegister(ctx, ids)
}

// loadRegister loads the people whose ids are in only, or everybody when
// only is nil.
func (s *Store) loadRegister(ctx context.Context, only []string) (*Register, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read register: %w", err)
	}
	defer tx.Rollback() // read-only: there is nothing to undo
	reg, err := readRegister(ctx, tx, only)
	if err != nil {
		return nil, fmt.Errorf("read register: %w", err)
	}
	return reg, nil
}

func readRegister(ctx context.Context, tx *sql.Tx, only []string) (*Register, error) {
	set, err := readSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	// where limits a query to the people in only, by its column col.
	where, args := func(string) string { return "" }, []any(nil)
	if only != nil {
		ids, err := json.Marshal(only)
		if err != nil {
			return nil, err
		}
		where = func(col string) string { return " WHERE " + col + " IN (SELECT value FROM json_each(?1))" }
		args = []any{string(ids)}
	}
	reg := &Register{Settings: set, People: map[string]*Person{}}

	rows, err := tx.QueryContext(ctx, "SELECT id, name, role, grp, unit, birth_date FROM people"+where("id"), args...)
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func() error {
		p := &Person{}
		if err := rows.Scan(&p.ID, &p.Name, &p.Role, &p.Group, &p.Unit, &p.BirthDate); err != nil {
			return err
		}
		reg.People[p.ID] = p
		return nil
	})
	if err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, "SELECT person_id, purpose, giver, channel, valid_from, valid_until FROM consents"+where("person_id")+" ORDER BY person_id, purpose, giver, channel", args...)
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

	rows, err = tx.QueryContext(ctx, "SELECT person_id, channel, withdrawn_on FROM withdrawals"+where("person_id")+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func() error {
		var id string
		var w Withdrawal
		if err := rows.Scan(&id, &w.Channel, &w.On); err != nil {
			return err
		}
		reg.People[id].Withdrawals = append(reg.People[id].Withdrawals, w)
		return nil
	})
	if err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, "SELECT person_id FROM biometric_opt_ins"+where("person_id"), args...)
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
// withdrawals, biometric opt-in and descriptors. The publication ledger and
// its take-down tasks keep the id: what was published stays on record.
func (s *Store) RemovePerson(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM people WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove %q: %w", id, err)
	}
	return nil
}

// SetBiometricOptIn records (optIn true, dated on) or removes a person's
// biometric opt-in. Removing it deletes the person's descriptors (R9).
func (s *Store) SetBiometricOptIn(ctx context.Context, id string, optIn bool, on Date) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := requirePerson(ctx, tx, id); err != nil {
			return err
		}
		return setOptIn(ctx, tx, id, optIn, on)
	})
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

func requirePerson(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM people WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// SetDescriptors replaces the reference face descriptors of a person (the
// enrolment of R9). It refuses with ErrNoBiometricOptIn when the person has
// no biometric opt-in: children and staff alike, since a face descriptor is
// biometric data whoever it belongs to. Each descriptor must have
// DescriptorLen finite values.
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
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM biometric_opt_ins WHERE person_id = ?", id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoBiometricOptIn
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM descriptors WHERE person_id = ?", id); err != nil {
			return err
		}
		for _, blob := range blobs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO descriptors (person_id, descriptor) VALUES (?, ?)", id, blob); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store descriptors of %q: %w", id, err)
	}
	return nil
}

// Reference is one stored face descriptor and whose it is.
type Reference struct {
	PersonID   string
	Descriptor []float32 // DescriptorLen values
}

// References returns every stored reference descriptor, to build a
// matcher. Only people with a biometric opt-in have any (R9).
func (s *Store) References(ctx context.Context) ([]Reference, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT person_id, descriptor FROM descriptors ORDER BY person_id, id")
	if err != nil {
		return nil, fmt.Errorf("read descriptors: %w", err)
	}
	var refs []Reference
	err = scanRows(rows, func() error {
		var ref Reference
		var blob []byte
		if err := rows.Scan(&ref.PersonID, &blob); err != nil {
			return err
		}
		ref.Descriptor = decodeDescriptor(blob)
		refs = append(refs, ref)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read descriptors: %w", err)
	}
	return refs, nil
}

// PurgeDescriptors deletes every stored face descriptor (the year-end
// purge of R9) and returns how many it deleted. The opt-ins stay, so next
// year's portraits can be enrolled again. The deleted bytes are
// overwritten in the file and the write-ahead log is emptied, so the
// descriptors are gone from the disk, not just unlinked.
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
	if err != nil {
		return 0, fmt.Errorf("purge descriptors: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return n, fmt.Errorf("purge descriptors: empty the write-ahead log: %w", err)
	}
	return n, nil
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
