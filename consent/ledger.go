package consent

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PublishedFace is one face of a published photo: who it was ("" when
// nobody was identified) and whether it was left visible.
type PublishedFace struct {
	PersonID string
	Visible  bool
}

// Publication is one exported photo in the ledger.
type Publication struct {
	ID             int64 // set by the ledger
	OriginalSHA256 string
	ExportName     string
	Channel        string
	Date           Date
	VettedBy       string // the staff member who vetted the photo
	Photographer   string
	// PhotographerChannels are the channels the photographer permitted
	// (R5); they include Channel.
	PhotographerChannels []string
	Faces                []PublishedFace
}

// RecordPublication adds an exported photo to the ledger and returns its
// id. A visible face of someone who has already withdrawn consent for the
// channel (a withdrawal given ahead of its date, say) gets its take-down
// task at once: see Withdraw.
func (s *Store) RecordPublication(ctx context.Context, p Publication) (int64, error) {
	if err := p.check(); err != nil {
		return 0, fmt.Errorf("record publication %s: %w", p.ExportName, err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		if !set.HasChannel(p.Channel) {
			return fmt.Errorf("unknown channel %q", p.Channel)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO publications (original_sha256, export_name, channel, published_on, vetted_by, photographer, photographer_channels, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			strings.ToLower(p.OriginalSHA256), p.ExportName, p.Channel, p.Date, p.VettedBy, p.Photographer, strings.Join(p.PhotographerChannels, ","), timestamp())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, f := range p.Faces {
			if _, err := tx.ExecContext(ctx, "INSERT INTO publication_faces (publication_id, face_index, person_id, visible) VALUES (?, ?, ?, ?)", id, i, f.PersonID, f.Visible); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO takedowns (publication_id, person_id, withdrawn_on)
			SELECT f.publication_id, f.person_id, min(w.withdrawn_on)
			FROM publication_faces f JOIN withdrawals w ON w.person_id = f.person_id AND w.channel IN (?2, 'all')
			WHERE f.publication_id = ?1 AND f.visible = 1
			GROUP BY f.person_id`, id, p.Channel)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record publication %s: %w", p.ExportName, err)
	}
	return id, nil
}

func (p Publication) check() error {
	sum, err := hex.DecodeString(p.OriginalSHA256)
	switch {
	case err != nil || len(sum) != 32:
		return fmt.Errorf("original SHA-256 %q: want 64 hex digits", p.OriginalSHA256)
	case p.ExportName == "":
		return errors.New("no export file name")
	case p.Date.IsZero():
		return errors.New("no publication date")
	case strings.TrimSpace(p.VettedBy) == "":
		return errors.New("no vetting staff member")
	case strings.TrimSpace(p.Photographer) == "":
		return errors.New("no photographer (R5)")
	case !slices.Contains(p.PhotographerChannels, p.Channel):
		return fmt.Errorf("the photographer has not permitted %s (R5)", ChannelLabel(p.Channel))
	}
	return nil
}

// Publications returns the ledger, oldest first.
func (s *Store) Publications(ctx context.Context) ([]Publication, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer tx.Rollback() // read-only: there is nothing to undo
	var pubs []Publication
	byID := map[int64]int{}
	rows, err := tx.QueryContext(ctx, "SELECT id, original_sha256, export_name, channel, published_on, vetted_by, photographer, photographer_channels FROM publications ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	err = scanRows(rows, func() error {
		var p Publication
		var channels string
		if err := rows.Scan(&p.ID, &p.OriginalSHA256, &p.ExportName, &p.Channel, &p.Date, &p.VettedBy, &p.Photographer, &channels); err != nil {
			return err
		}
		p.PhotographerChannels = strings.Split(channels, ",")
		byID[p.ID] = len(pubs)
		pubs = append(pubs, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	rows, err = tx.QueryContext(ctx, "SELECT publication_id, person_id, visible FROM publication_faces ORDER BY publication_id, face_index")
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	err = scanRows(rows, func() error {
		var id int64
		var f PublishedFace
		if err := rows.Scan(&id, &f.PersonID, &f.Visible); err != nil {
			return err
		}
		pubs[byID[id]].Faces = append(pubs[byID[id]].Faces, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return pubs, nil
}

// Withdraw records that a person's consent for channel (or AllChannels) is
// withdrawn from on onwards (R7): exports dated on or after that day redact
// them. It creates a take-down task for every publication already in the
// ledger in which the person was visible on that channel, and returns the
// person's open tasks.
//
// "Earlier publication" means recorded before the withdrawal, whatever its
// date: a photo published on the withdrawal day, or after the date of a
// withdrawal that reached the school late, shows the person online after
// their consent ended just as an older one does. A withdrawal dated in the
// future (notice given ahead) creates its tasks at once, due on that day,
// and RecordPublication adds tasks for photos published until then.
func (s *Store) Withdraw(ctx context.Context, personID, channel string, on Date) ([]Takedown, error) {
	if on.IsZero() {
		return nil, fmt.Errorf("withdraw %q: no date", personID)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := requirePerson(ctx, tx, personID); err != nil {
			return err
		}
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		if channel != AllChannels && !set.HasChannel(channel) {
			return fmt.Errorf("unknown channel %q (channels: %s, or all)", channel, strings.Join(set.Channels, ", "))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO withdrawals (person_id, channel, withdrawn_on, recorded_at) VALUES (?, ?, ?, ?)", personID, channel, on, timestamp()); err != nil {
			return err
		}
		// WHERE true: SQLite needs it to tell the upsert from a join.
		_, err = tx.ExecContext(ctx, `INSERT INTO takedowns (publication_id, person_id, withdrawn_on)
			SELECT p.id, f.person_id, ?3
			FROM publications p JOIN publication_faces f ON f.publication_id = p.id
			WHERE true AND f.person_id = ?1 AND f.visible = 1 AND (?2 = 'all' OR p.channel = ?2)
			ON CONFLICT (publication_id, person_id) DO UPDATE SET withdrawn_on = min(withdrawn_on, excluded.withdrawn_on)`,
			personID, channel, on)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("withdraw %q from %s: %w", personID, channel, err)
	}
	tasks, err := s.takedowns(ctx, "t.done_on IS NULL AND t.person_id = ?", personID)
	if err != nil {
		return nil, fmt.Errorf("withdraw %q from %s: %w", personID, channel, err)
	}
	return tasks, nil
}

// Takedown is a published photo that must come down because a person
// visible on it withdrew consent for its channel (R7).
type Takedown struct {
	ID             int64
	PublicationID  int64
	PersonID       string
	PersonName     string // "" when the person has since left the register
	Channel        string
	PublishedOn    Date
	ExportName     string
	OriginalSHA256 string
	WithdrawnOn    Date // the day consent ended: the task is due then
	DoneOn         Date // zero while the task is open
}

// Takedowns returns the open take-down tasks, or all of them when
// includeDone, ordered by due day.
func (s *Store) Takedowns(ctx context.Context, includeDone bool) ([]Takedown, error) {
	where := "t.done_on IS NULL"
	if includeDone {
		where = "true"
	}
	tasks, err := s.takedowns(ctx, where)
	if err != nil {
		return nil, fmt.Errorf("read take-down tasks: %w", err)
	}
	return tasks, nil
}

func (s *Store) takedowns(ctx context.Context, where string, args ...any) ([]Takedown, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.publication_id, t.person_id, coalesce(pe.name, ''), p.channel, p.published_on, p.export_name, p.original_sha256, t.withdrawn_on, t.done_on
		FROM takedowns t JOIN publications p ON p.id = t.publication_id LEFT JOIN people pe ON pe.id = t.person_id
		WHERE `+where+` ORDER BY t.withdrawn_on, t.id`, args...)
	if err != nil {
		return nil, err
	}
	var tasks []Takedown
	err = scanRows(rows, func() error {
		var t Takedown
		err := rows.Scan(&t.ID, &t.PublicationID, &t.PersonID, &t.PersonName, &t.Channel, &t.PublishedOn, &t.ExportName, &t.OriginalSHA256, &t.WithdrawnOn, &t.DoneOn)
		tasks = append(tasks, t)
		return err
	})
	return tasks, err
}

// MarkTakedownDone records that the photo of task id was taken down on
// day. Marking a task done again keeps the first day.
func (s *Store) MarkTakedownDone(ctx context.Context, id int64, on Date) error {
	if on.IsZero() {
		return fmt.Errorf("mark take-down %d done: no date", id)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE takedowns SET done_on = coalesce(done_on, ?) WHERE id = ?", on, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark take-down %d done: %w", id, err)
	}
	return nil
}

// SetPhotographerPermission records the channels a photographer permits
// (R5), replacing what was recorded for them before.
func (s *Store) SetPhotographerPermission(ctx context.Context, photographer string, channels []string, on Date) error {
	photographer = strings.TrimSpace(photographer)
	if photographer == "" {
		return errors.New("record photographer permission: no photographer")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM photographer_permissions WHERE photographer = ?", photographer); err != nil {
			return err
		}
		for _, c := range channels {
			if !set.HasChannel(c) {
				return fmt.Errorf("unknown channel %q", c)
			}
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO photographer_permissions (photographer, channel, recorded_on) VALUES (?, ?, ?)", photographer, c, on); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record permission of photographer %s: %w", photographer, err)
	}
	return nil
}

// PhotographerChannels returns the channels a photographer permits, sorted;
// none when nothing is recorded for them.
func (s *Store) PhotographerChannels(ctx context.Context, photographer string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT channel FROM photographer_permissions WHERE photographer = ? ORDER BY channel", strings.TrimSpace(photographer))
	if err != nil {
		return nil, fmt.Errorf("read permission of photographer %s: %w", photographer, err)
	}
	var channels []string
	err = scanRows(rows, func() error {
		var c string
		err := rows.Scan(&c)
		channels = append(channels, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read permission of photographer %s: %w", photographer, err)
	}
	return channels, nil
}
