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
	if err := s.SaveReview(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.State = json.RawMessage(`{"faces":[2]}`)
	if err := s.SaveReview(ctx, second); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenRegister(ctx, dir, t.TempDir())
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
		if err := s.SaveReview(context.Background(), tt.r); err == nil {
			t.Errorf("%s: saved, want an error", tt.name)
		}
	}
}
