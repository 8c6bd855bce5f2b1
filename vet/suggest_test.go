package vet

import (
	"context"
	"image"
	"path/filepath"
	"slices"
	"testing"

	"github.com/photovet/photovet/vision"
)

// TestSuggestionsForAnAmbiguousFace runs a batch in which one face lies
// between Ada and Ben, enrolled 0.2 apart: it stays unknown and redacted
// (R4) and suggests both, nearest first; once the reviewer picks Ada the
// suggestions go.
func TestSuggestionsForAnAmbiguousFace(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	ada, ben := unitVector(0), unitVector(0)
	ben[1] = 0.2
	if err := store.SetDescriptors(ctx, "C2", [][]float32{ben[:]}); err != nil {
		t.Fatal(err)
	}
	between := ada
	between[1] = 0.09 // 0.09 from Ada, 0.11 from Ben
	finder := scriptedFinder{t, map[int][]vision.Face{420: {{Box: image.Rect(100, 50, 250, 250), Score: 1, Detector: vision.RetinaFace, Descriptor: between}}}}
	path := filepath.Join(t.TempDir(), "trip.png")
	writeTestPhoto(t, path, 420, 300)
	b := testBatch(t, store, finder)
	photos, err := b.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	f := photos[0].Faces[0]
	var ids []string
	for _, c := range f.Suggestions() {
		ids = append(ids, c.PersonID)
	}
	t.Logf("decision %q, suggestions %v", f.Decision.Reason, f.Suggestions())
	if f.Decision.Visible || !f.Unknown() || !slices.Equal(ids, []string{"C1", "C2"}) {
		t.Errorf("visible %v, unknown %v, suggestions %v; want hidden, unknown, Ada then Ben", f.Decision.Visible, f.Unknown(), ids)
	}
	r := Reviewer{Register: b.Register, Job: b.Job}
	if err := r.Apply(ctx, photos[0], AssignFace(0, "C1")); err != nil {
		t.Fatal(err)
	}
	if s := photos[0].Faces[0].Suggestions(); s != nil {
		t.Errorf("suggestions after the reviewer chose: %v", s)
	}
}
