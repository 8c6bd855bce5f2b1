package consent

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
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
	ExportName     string // set by ClaimExport: unique for its day and channel
	// Folder is the absolute path of the folder the file was exported
	// to; "" for publications recorded before the ledger kept it.
	Folder  string
	Channel string
	Date    Date
	// Republishes is the id of the original's first publication to the
	// channel when this one publishes it again; 0 for a first one.
	Republishes  int64
	VettedBy     string // the staff member who vetted the photo
	Photographer string
	// PhotographerChannels are the channels the photographer permitted
	// (R5); they include Channel.
	PhotographerChannels []string
	Faces                []PublishedFace
	// OriginalName is the file name of the photo the export was made
	// from, as staff chose it; Thumbnail a small JPEG of the export as
	// published (at most MaxThumbnailBytes). With them staff find the post
	// to take down. Both are empty for exports recorded before the ledger
	// kept them.
	OriginalName string
	Thumbnail    []byte
}

// MaxThumbnailBytes bounds a publication's thumbnail: a picture to
// recognise a post by, not a copy of the photo.
const MaxThumbnailBytes = 64 << 10

// Path is where the export was written: Folder and ExportName, or the
// name alone when the folder is not known.
func (p Publication) Path() string { return exportPath(p.Folder, p.ExportName) }

func exportPath(folder, name string) string {
	if folder == "" {
		return name
	}
	return filepath.Join(folder, name)
}

// ErrNameTaken is what ClaimOptions.Create returns when the folder
// already holds a file of the name offered: ClaimExport then offers the
// next one.
var ErrNameTaken = errors.New("export name taken")

// AlreadyPublishedError says that an original is already published to the
// channel, and that the export did not ask to publish it again.
type AlreadyPublishedError struct {
	Earlier Publication // the original's first publication to the channel
}

func (e *AlreadyPublishedError) Error() string {
	return fmt.Sprintf("already published to %s on %s as %s", ChannelLabel(e.Earlier.Channel), e.Earlier.Date, e.Earlier.Path())
}

// ExportClaim is an export the register holds while its file is written:
// a publication under a name reserved for it, and the temporary file in
// its folder that the export is written to. See ClaimExport.
type ExportClaim struct {
	PublicationID int64
	Name          string // the export's file name in Folder
	Folder        string
	Temp          string // the temporary file's name in Folder
	// Published is set once PublishExport has put the export in the
	// ledger: its file is complete.
	Published bool
}

// ClaimOptions say how ClaimExport reserves a name.
type ClaimOptions struct {
	// Temp is the name of the temporary file in the publication's folder
	// that the export is written to; the claim records it, so that
	// recovery finds it.
	Temp string
	// Republish lets PublishExport publish an original that is already
	// published to the channel: the ledger then records a re-publication.
	Republish bool
	// Create is called inside the claim's transaction with each name
	// offered. It returns ErrNameTaken when the folder already holds a
	// file of that name (the next one is offered), or else creates the
	// temporary file: a claim is never committed without it.
	Create func(name string) error
}

// maxNameOffers bounds the names ClaimExport offers Create: a folder
// holding thousands of files named like the day's exports is no export
// folder.
const maxNameOffers = 10000

// ClaimExport reserves the next export name of p's date and channel
// (2026-11-21_instagram_004.jpg) and records p under it as pending, with
// the temporary file opt.Temp in p.Folder. Numbers are given by the
// register in a transaction, once each, whatever the folder: a name is
// one file, in one folder. A pending export is not in the ledger: see
// PublishExport and AbandonExport. ExportName and ID of p are ignored.
func (s *Store) ClaimExport(ctx context.Context, p Publication, opt ClaimOptions) (ExportClaim, error) {
	if err := p.check(); err != nil {
		return ExportClaim{}, fmt.Errorf("claim an export name: %w", err)
	}
	if !filepath.IsAbs(p.Folder) || opt.Temp == "" || opt.Create == nil {
		return ExportClaim{}, fmt.Errorf("claim an export name in %q: want an absolute folder, a temporary file and its Create", p.Folder)
	}
	c := ExportClaim{Folder: p.Folder, Temp: opt.Temp}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		if !set.HasChannel(p.Channel) {
			return fmt.Errorf("unknown channel %q", p.Channel)
		}
		if c.Name, err = claimName(ctx, tx, p, opt.Create); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO publications (original_sha256, export_name, folder, pending, channel, published_on, vetted_by, photographer, photographer_channels, recorded_at, original_name, thumbnail)
			VALUES (?, ?, ?, true, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			strings.ToLower(p.OriginalSHA256), c.Name, p.Folder, p.Channel, p.Date, p.VettedBy, p.Photographer, strings.Join(p.PhotographerChannels, ","), timestamp(),
			p.OriginalName, p.Thumbnail).Scan(&c.PublicationID)
		if err != nil {
			return err
		}
		for i, f := range p.Faces {
			if _, err := tx.ExecContext(ctx, "INSERT INTO publication_faces (publication_id, face_index, person_id, visible) VALUES (?, ?, ?, ?)", c.PublicationID, i, f.PersonID, f.Visible); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO export_claims (publication_id, temp_name, republish, claimed_at, host) VALUES (?, ?, ?, ?, ?)", c.PublicationID, opt.Temp, opt.Republish, timestamp(), s.host)
		return err
	})
	if err != nil {
		return ExportClaim{}, fmt.Errorf("claim an export name in %s: %w", p.Folder, err)
	}
	return c, nil
}

// claimName offers create the next numbers of p's day and channel until
// it takes one, and returns that name.
func claimName(ctx context.Context, tx *sql.Tx, p Publication, create func(name string) error) (string, error) {
	for range maxNameOffers {
		// One statement, so that concurrent claims get distinct numbers
		// on any database that has upserts (PostgreSQL locks the row).
		var seq int64
		err := tx.QueryRowContext(ctx, `INSERT INTO export_sequences (published_on, channel, last_sequence) VALUES (?, ?, 1)
			ON CONFLICT (published_on, channel) DO UPDATE SET last_sequence = export_sequences.last_sequence + 1
			RETURNING last_sequence`, p.Date, p.Channel).Scan(&seq)
		if err != nil {
			return "", err
		}
		name := fmt.Sprintf("%s_%s_%03d.jpg", p.Date, p.Channel, seq)
		if err := create(name); !errors.Is(err, ErrNameTaken) {
			return name, err
		}
	}
	return "", fmt.Errorf("%d names in a row are taken in %s", maxNameOffers, p.Folder)
}

// PublishExport puts a claimed export in the ledger once its file is
// complete, and returns its publication. A visible face of someone who
// has already withdrawn consent for the channel (a withdrawal given ahead
// of its date, say) gets its take-down task at once: see Withdraw. An
// original already published to the channel is refused with an
// *AlreadyPublishedError unless the claim asked to republish it; then the
// publication records that it publishes the original again. Publishing a
// published export again changes nothing; an export whose claim is gone
// (abandoned) is ErrNotFound.
func (s *Store) PublishExport(ctx context.Context, id int64) (Publication, error) {
	var pub Publication
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.dialect.lockLedger(ctx, tx); err != nil {
			return err
		}
		var pending, republish bool
		err := tx.QueryRowContext(ctx, `SELECT p.pending, c.republish FROM export_claims c JOIN publications p ON p.id = c.publication_id
			WHERE c.publication_id = ?`, id).Scan(&pending, &republish)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if pending {
			p, err := readPublication(ctx, tx, "id = ?", id)
			if err != nil {
				return err
			}
			first, err := readPublication(ctx, tx, "original_sha256 = ? AND channel = ? AND republishes IS NULL AND pending = false", p.OriginalSHA256, p.Channel)
			switch {
			case err == nil && !republish:
				return &AlreadyPublishedError{Earlier: first}
			case err == nil:
				_, err = tx.ExecContext(ctx, "UPDATE publications SET republishes = ? WHERE id = ?", first.ID, id)
			case errors.Is(err, ErrNotFound):
				err = nil
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE publications SET pending = false, recorded_at = ? WHERE id = ?", timestamp(), id); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO takedowns (publication_id, person_id, withdrawn_on)
				SELECT f.publication_id, f.person_id, min(w.withdrawn_on)
				FROM publication_faces f JOIN withdrawals w ON w.person_id = f.person_id AND w.channel IN (?2, 'all')
				WHERE f.publication_id = ?1 AND f.visible = true
				GROUP BY f.publication_id, f.person_id`, id, p.Channel)
			if err != nil {
				return err
			}
		}
		pub, err = readPublication(ctx, tx, "id = ?", id)
		return err
	})
	if err != nil {
		return Publication{}, fmt.Errorf("publish export %d: %w", id, err)
	}
	return pub, nil
}

// AbandonExport removes a claimed export, pending or published, from the
// register with its claim: its file was not written, or is gone again.
// Only a claimed export can be abandoned: once released, a publication
// stays in the ledger. Abandoning an export whose claim is gone changes
// nothing.
func (s *Store) AbandonExport(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM export_claims WHERE publication_id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		for _, stmt := range []string{
			"DELETE FROM takedowns WHERE publication_id = ?",
			"DELETE FROM publication_faces WHERE publication_id = ?",
			"DELETE FROM publications WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("abandon export %d: %w", id, err)
	}
	return nil
}

// ReleaseExport forgets the claim of a published export whose temporary
// file is gone: the export is done. Releasing it again changes nothing; a
// pending export cannot be released.
func (s *Store) ReleaseExport(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM export_claims WHERE publication_id = ?
			AND publication_id IN (SELECT id FROM publications WHERE pending = false)`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("release export %d: %w", id, err)
	}
	return nil
}

// ExportClaims returns the claimed exports in folder (an absolute path),
// oldest first: exports being written, or left by a process that ended
// before it was done.
func (s *Store) ExportClaims(ctx context.Context, folder string) ([]ExportClaim, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.export_name, p.folder, c.temp_name, p.pending
		FROM export_claims c JOIN publications p ON p.id = c.publication_id
		WHERE p.folder = ? AND c.host IN ('', ?) ORDER BY p.id`, folder, s.host)
	if err != nil {
		return nil, fmt.Errorf("read the exports claimed in %s: %w", folder, err)
	}
	var claims []ExportClaim
	err = scanRows(rows, func() error {
		var c ExportClaim
		var pending bool
		err := rows.Scan(&c.PublicationID, &c.Name, &c.Folder, &c.Temp, &pending)
		c.Published = !pending
		claims = append(claims, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the exports claimed in %s: %w", folder, err)
	}
	return claims, nil
}

// FirstPublication returns the first publication of an original (by its
// SHA-256) to channel, or nil when the ledger has none.
func (s *Store) FirstPublication(ctx context.Context, originalSHA256, channel string) (*Publication, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer tx.Rollback() // read-only: there is nothing to undo
	p, err := readPublication(ctx, tx, "original_sha256 = ? AND channel = ? AND republishes IS NULL AND pending = false", strings.ToLower(originalSHA256), channel)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return &p, nil
}

// publicationColumns are the columns scanPublication reads, in its order.
const publicationColumns = "id, original_sha256, export_name, folder, channel, published_on, coalesce(republishes, 0), vetted_by, photographer, photographer_channels, original_name, thumbnail"

// scanPublication reads publicationColumns into a publication (without
// its faces).
func scanPublication(scan func(dest ...any) error) (Publication, error) {
	var p Publication
	var channels string
	err := scan(&p.ID, &p.OriginalSHA256, &p.ExportName, &p.Folder, &p.Channel, &p.Date, &p.Republishes, &p.VettedBy, &p.Photographer, &channels, &p.OriginalName, &p.Thumbnail)
	p.PhotographerChannels = strings.Split(channels, ",")
	return p, err
}

// readPublication reads the one publication where holds, with its faces;
// ErrNotFound when there is none.
func readPublication(ctx context.Context, tx *sql.Tx, where string, args ...any) (Publication, error) {
	p, err := scanPublication(tx.QueryRowContext(ctx, "SELECT "+publicationColumns+" FROM publications WHERE "+where, args...).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT person_id, visible FROM publication_faces WHERE publication_id = ? ORDER BY face_index", p.ID)
	if err != nil {
		return p, err
	}
	err = scanRows(rows, func() error {
		var f PublishedFace
		err := rows.Scan(&f.PersonID, &f.Visible)
		p.Faces = append(p.Faces, f)
		return err
	})
	return p, err
}

func (p Publication) check() error {
	sum, err := hex.DecodeString(p.OriginalSHA256)
	switch {
	case err != nil || len(sum) != 32:
		return fmt.Errorf("original SHA-256 %q: want 64 hex digits", p.OriginalSHA256)
	case p.Date.IsZero():
		return errors.New("no publication date")
	case strings.TrimSpace(p.VettedBy) == "":
		return errors.New("no vetting staff member")
	case strings.TrimSpace(p.Photographer) == "":
		return errors.New("no photographer (R5)")
	case !slices.Contains(p.PhotographerChannels, p.Channel):
		return fmt.Errorf("the photographer has not permitted %s (R5)", ChannelLabel(p.Channel))
	case len(p.Thumbnail) > MaxThumbnailBytes:
		return fmt.Errorf("thumbnail of %d bytes: want %d at most", len(p.Thumbnail), MaxThumbnailBytes)
	}
	return nil
}

// Publications returns the ledger, oldest first: the published exports
// (not those still being written).
func (s *Store) Publications(ctx context.Context) ([]Publication, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer tx.Rollback() // read-only: there is nothing to undo
	var pubs []Publication
	byID := map[int64]int{}
	rows, err := tx.QueryContext(ctx, "SELECT "+publicationColumns+" FROM publications WHERE pending = false ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	err = scanRows(rows, func() error {
		p, err := scanPublication(rows.Scan)
		byID[p.ID] = len(pubs)
		pubs = append(pubs, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT f.publication_id, f.person_id, f.visible
		FROM publication_faces f JOIN publications p ON p.id = f.publication_id
		WHERE p.pending = false ORDER BY f.publication_id, f.face_index`)
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
		if err := s.dialect.lockLedger(ctx, tx); err != nil {
			return err
		}
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
			SELECT p.id, f.person_id, CAST(?3 AS TEXT)
			FROM publications p JOIN publication_faces f ON f.publication_id = p.id
			WHERE true AND f.person_id = ?1 AND f.visible = true AND p.pending = false AND (CAST(?2 AS TEXT) = 'all' OR p.channel = ?2)
			ON CONFLICT (publication_id, person_id) DO UPDATE SET withdrawn_on = CASE
				WHEN excluded.withdrawn_on < takedowns.withdrawn_on THEN excluded.withdrawn_on ELSE takedowns.withdrawn_on END`,
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

// HasSomethingToWithdraw reports whether withdrawing p's consent (R7)
// would change anything: p has a consent on record, to being shown or to
// showing their work, in force or not, or a publication in the ledger
// shows p. A roster re-import can remove the consents of a child whose
// photos are still online; withdrawing then turns those into take-down
// tasks.
func (s *Store) HasSomethingToWithdraw(ctx context.Context, p *Person) (bool, error) {
	if len(p.Consents) > 0 || len(p.WorkConsents) > 0 {
		return true, nil
	}
	var shown bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM publication_faces f JOIN publications p ON p.id = f.publication_id
		WHERE f.person_id = ? AND f.visible = true AND p.pending = false)`, p.ID).Scan(&shown)
	if err != nil {
		return false, fmt.Errorf("read the publications showing %q: %w", p.ID, err)
	}
	return shown, nil
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
	ExportFolder   string // "" for exports recorded before the ledger kept it
	OriginalSHA256 string
	OriginalName   string // see Publication.OriginalName
	Thumbnail      []byte // see Publication.Thumbnail
	WithdrawnOn    Date   // the day consent ended: the task is due then
	DoneOn         Date   // zero while the task is open
}

// ExportPath is where the photo to take down was exported: its folder and
// name, or the name alone when the folder is not known.
func (t Takedown) ExportPath() string { return exportPath(t.ExportFolder, t.ExportName) }

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
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.publication_id, t.person_id, coalesce(pe.name, ''), p.channel, p.published_on, p.export_name, p.folder, p.original_sha256, p.original_name, p.thumbnail, t.withdrawn_on, t.done_on
		FROM takedowns t JOIN publications p ON p.id = t.publication_id LEFT JOIN people pe ON pe.id = t.person_id
		WHERE `+where+` ORDER BY t.withdrawn_on, t.id`, args...)
	if err != nil {
		return nil, err
	}
	var tasks []Takedown
	err = scanRows(rows, func() error {
		var t Takedown
		err := rows.Scan(&t.ID, &t.PublicationID, &t.PersonID, &t.PersonName, &t.Channel, &t.PublishedOn, &t.ExportName, &t.ExportFolder, &t.OriginalSHA256, &t.OriginalName, &t.Thumbnail, &t.WithdrawnOn, &t.DoneOn)
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
			if _, err := tx.ExecContext(ctx, "INSERT INTO photographer_permissions (photographer, channel, recorded_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", photographer, c, on); err != nil {
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
