package consent

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestReviewSurvivesReopen(t *testing.T) { forEachBackend(t, testReviewSurvivesReopen) }

func testReviewSurvivesReopen(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, dir := b.open(t)
	sum := strings.Repeat("ab", 32)
	first := SavedReview{OriginalSHA256: sum, Channel: "instagram", Path: "/photos/a.jpg", State: json.RawMessage(`{"faces":[1]}`)}
	version, err := s.SaveReview(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	second := first
	second.State = json.RawMessage(`{"faces":[2]}`)
	second.Version = version
	if _, err := s.SaveReview(ctx, second); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenRegister(ctx, dir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Review(ctx, strings.ToUpper(sum), "instagram")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.State) != `{"faces":[2]}` || got.Path != "/photos/a.jpg" {
		t.Errorf("after reopen: %+v, want the second state", got)
	}
	if _, err := s.Review(ctx, sum, "website"); !errors.Is(err, ErrNotFound) {
		t.Errorf("other channel: err %v, want ErrNotFound", err)
	}
}

func TestSaveReviewRefusesBadInput(t *testing.T) { forEachBackend(t, testSaveReviewRefusesBadInput) }

func testSaveReviewRefusesBadInput(t *testing.T, b testBackend) {
	s, _ := b.open(t)
	tests := []struct {
		name string
		r    SavedReview
	}{
		{"short hash", SavedReview{OriginalSHA256: "abc", Channel: "instagram", State: json.RawMessage(`{}`)}},
		{"not JSON", SavedReview{OriginalSHA256: strings.Repeat("0", 64), Channel: "instagram", State: json.RawMessage(`{`)}},
	}
	for _, tt := range tests {
		if _, err := s.SaveReview(context.Background(), tt.r); err == nil {
			t.Errorf("%s: saved, want an error", tt.name)
		}
	}
}

// TestReviewEditedOnTwoLaptops saves the review of one photo from two
// stores on one register, each from the version it read: a save made on a
// version that another has replaced since is refused, in words, and
// changes nothing.
func TestReviewEditedOnTwoLaptops(t *testing.T) { forEachBackend(t, testReviewEditedOnTwoLaptops) }

func testReviewEditedOnTwoLaptops(t *testing.T, b testBackend) {
	ctx := context.Background()
	a, where := b.open(t)
	other := openAt(t, where)
	review := func(state string, version int64) SavedReview {
		return SavedReview{OriginalSHA256: strings.Repeat("cd", 32), Channel: "website", Path: "/photos/b.jpg", State: json.RawMessage(state), Version: version}
	}
	saved := func() SavedReview {
		r, err := a.Review(ctx, strings.Repeat("cd", 32), "website")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// A vets the photo afresh (version 0), then B reads A's review.
	v1, err := a.SaveReview(ctx, review(`{"by":"A"}`, 0))
	if err != nil {
		t.Fatal(err)
	}
	// B reads A's review and saves on it; A, still on its own, is refused.
	v2, err := other.SaveReview(ctx, review(`{"by":"B after A"}`, v1))
	if err != nil || v2 != v1+1 {
		t.Fatalf("B saving on A's review: version %d, %v", v2, err)
	}
	if _, err := a.SaveReview(ctx, review(`{"by":"A again"}`, v1)); !errors.Is(err, ErrReviewChanged) || !strings.Contains(err.Error(), "someone else saved a review of this photo") {
		t.Fatalf("A saving over B's review: %v, want ErrReviewChanged in words", err)
	}
	if got := saved(); string(got.State) != `{"by":"B after A"}` || got.Version != v2 {
		t.Errorf("after A's refused save: %s version %d, want B's, version %d", got.State, got.Version, v2)
	}
}
