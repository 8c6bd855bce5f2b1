package consent

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
}

// SaveReview stores a photo's review state, replacing what was saved for the
// same original and channel.
func (s *Store) SaveReview(ctx context.Context, r SavedReview) error {
	if sum, err := hex.DecodeString(r.OriginalSHA256); err != nil || len(sum) != 32 {
		return fmt.Errorf("save review of %s: original SHA-256 %q: want 64 hex digits", r.Path, r.OriginalSHA256)
	}
	if !json.Valid(r.State) {
		return fmt.Errorf("save review of %s: state is not JSON", r.Path)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO photo_reviews (original_sha256, channel, path, state, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (original_sha256, channel) DO UPDATE SET path = excluded.path, state = excluded.state, updated_at = excluded.updated_at`,
			strings.ToLower(r.OriginalSHA256), r.Channel, r.Path, string(r.State), timestamp())
		return err
	})
	if err != nil {
		return fmt.Errorf("save review of %s: %w", r.Path, err)
	}
	return nil
}

// Review returns the review state saved for an original and channel, or an
// error wrapping ErrNotFound when there is none.
func (s *Store) Review(ctx context.Context, originalSHA256, channel string) (SavedReview, error) {
	r := SavedReview{OriginalSHA256: strings.ToLower(originalSHA256), Channel: channel}
	var state string
	err := s.db.QueryRowContext(ctx, "SELECT path, state FROM photo_reviews WHERE original_sha256 = ? AND channel = ?", r.OriginalSHA256, channel).Scan(&r.Path, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("read review of %s for %s: %w", originalSHA256, channel, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read review of %s for %s: %w", originalSHA256, channel, err)
	}
	r.State = json.RawMessage(state)
	return r, nil
}
