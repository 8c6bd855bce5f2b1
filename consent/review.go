package consent

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/photovet/photovet/msg"
)

// SavedReview is the review state of one photo for one channel, as the
// pipeline saved it. State is the pipeline's own JSON: the register keeps it
// without reading it, so the pipeline may change what it saves, but it must
// never hold face descriptors (R9).
type SavedReview struct {
	OriginalSHA256 string
	Channel        string
	Path           string // where the original was when it was reviewed
	State          json.RawMessage
	// Version counts the saves of the review: the one read, or 0 when
	// none was read (a fresh vetting, which replaces any saved review).
	// SaveReview refuses to replace a review saved since the one read.
	Version int64
}

// ErrReviewChanged reports that a photo's review was saved by someone else
// (another laptop on a shared register, another window) since the review
// being saved was read: saving it would silently undo their work.
var ErrReviewChanged = errors.New("review changed elsewhere")

// SaveReview stores a photo's review state in place of the one r.Version
// names (any when 0) and returns its new version. When the review saved
// for the same original and channel is no longer the one r.Version names,
// it changes nothing and returns an error matching ErrReviewChanged, in
// words.
func (s *Store) SaveReview(ctx context.Context, r SavedReview) (int64, error) {
	if sum, err := hex.DecodeString(r.OriginalSHA256); err != nil || len(sum) != 32 {
		return 0, fmt.Errorf("save review of %s: original SHA-256 %q: want 64 hex digits", r.Path, r.OriginalSHA256)
	}
	if !json.Valid(r.State) {
		return 0, fmt.Errorf("save review of %s: state is not JSON", r.Path)
	}
	var version int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// The update changes nothing when the version differs: the row's
		// lock makes a concurrent save wait, then see the new version.
		var row *sql.Row
		if r.Version == 0 {
			row = tx.QueryRowContext(ctx, `INSERT INTO photo_reviews (original_sha256, channel, path, state, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)
				ON CONFLICT (original_sha256, channel) DO UPDATE SET path = excluded.path, state = excluded.state,
					updated_at = excluded.updated_at, version = photo_reviews.version + 1
				RETURNING version`,
				strings.ToLower(r.OriginalSHA256), r.Channel, r.Path, string(r.State), timestamp())
		} else {
			row = tx.QueryRowContext(ctx, `UPDATE photo_reviews SET path = ?, state = ?, updated_at = ?, version = version + 1
				WHERE original_sha256 = ? AND channel = ? AND version = ? RETURNING version`,
				r.Path, string(r.State), timestamp(), strings.ToLower(r.OriginalSHA256), r.Channel, r.Version)
		}
		err := row.Scan(&version)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var updatedAt string
		if err := tx.QueryRowContext(ctx, "SELECT updated_at FROM photo_reviews WHERE original_sha256 = ? AND channel = ?",
			strings.ToLower(r.OriginalSHA256), r.Channel).Scan(&updatedAt); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return &wordsError{
			words: &msg.Error{Text: msg.New("someone else saved a review of this photo (at {{.When}}) after you opened it: open the photo again to see their changes, then make yours", "When", updatedAt)},
			kind:  ErrReviewChanged,
			cause: fmt.Errorf("review version %d is no longer the saved one", r.Version),
		}
	})
	if err != nil {
		return 0, fmt.Errorf("save review of %s: %w", r.Path, err)
	}
	return version, nil
}

// Review returns the review state saved for an original and channel, or an
// error wrapping ErrNotFound when there is none.
func (s *Store) Review(ctx context.Context, originalSHA256, channel string) (SavedReview, error) {
	r := SavedReview{OriginalSHA256: strings.ToLower(originalSHA256), Channel: channel}
	var state string
	err := s.db.QueryRowContext(ctx, "SELECT path, state, version FROM photo_reviews WHERE original_sha256 = ? AND channel = ?", r.OriginalSHA256, channel).Scan(&r.Path, &state, &r.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("read review of %s for %s: %w", originalSHA256, channel, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read review of %s for %s: %w", originalSHA256, channel, err)
	}
	r.State = json.RawMessage(state)
	return r, nil
}
