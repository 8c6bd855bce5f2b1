package vet

import (
	"context"
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// TestPublishedNamesJoinReferences vets three photos, names two faces the
// matcher cannot name by hand, confirms the third, which it recognised,
// and exports them: the face near Ada's portrait joins her references, so
// that the next batch recognises her; a face far from Ben's portrait and
// the confirmed face, her portrait itself, are not added; exporting again
// adds nothing twice.
func TestPublishedNamesJoinReferences(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	adaAgain := unitVector(0)
	adaAgain[5] = 0.5 // beyond the match threshold, within reach of her portrait
	box := image.Rect(100, 100, 300, 300)
	face := func(d vision.Descriptor) []vision.Face {
		return []vision.Face{{Box: box, Score: 1, Detector: vision.RetinaFace, Landmarks: frontalLandmarks(box), Descriptor: d}}
	}
	finder := scriptedFinder{t, map[int][]vision.Face{
		501: face(adaAgain),
		502: face(unitVector(7)), // someone else, named Ben by a slip
		503: face(unitVector(0)), // Ada, recognised by the matcher
	}}
	dir := t.TempDir()
	var paths []string
	for _, w := range []int{501, 502, 503} {
		path := filepath.Join(dir, fmt.Sprintf("photo-%d.png", w))
		writeTestPhoto(t, path, w, 400)
		paths = append(paths, path)
	}
	batch := testBatch(t, store, finder)
	photos, err := batch.Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	reviewer := Reviewer{Store: store, Register: batch.Register, Job: batch.Job}
	for i, id := range []string{"C1", "C2"} {
		if got := photos[i].Faces[0].Decision.PersonID; got != "" {
			t.Fatalf("%s: the matcher named %q; the test needs an unknown face", photos[i].Path, got)
		}
		if err := reviewer.Apply(ctx, photos[i], AssignFace(0, id)); err != nil {
			t.Fatal(err)
		}
	}
	if got := photos[2].Faces[0].Decision.Recognised; got != "C1" {
		t.Fatalf("photo-503: the matcher recognised %q, want C1", got)
	}
	if err := reviewer.Apply(ctx, photos[2], ConfirmRecognised()); err != nil {
		t.Fatal(err)
	}
	opt := ExportOptions{Dir: filepath.Join(t.TempDir(), "out"), Style: vision.RedactSolid, VettedBy: "Vera"}
	for round, want := range [][]int{{1, 0, 0}, {0, 0, 0}} {
		opt.Republish = round > 0
		outcomes, err := Export(ctx, store, photos, testJob(), opt)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range outcomes {
			if o.Output == "" || o.Err != nil || o.Learned != want[i] {
				t.Errorf("export %d of %s: output %q, learned %d, %v; want exported, learned %d", round+1, o.Photo.Path, o.Output, o.Learned, o.Err, want[i])
			}
		}
	}
	counts, err := store.ReferenceCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["C1"] != (consent.ReferenceCount{Portraits: 1, Confirmed: 1}) || counts["C2"] != (consent.ReferenceCount{Portraits: 1}) {
		t.Errorf("references after the exports: %v; want Ada's portrait and her named face, Ben's portrait", counts)
	}

	// The next batch recognises Ada from the face she was named in.
	next := testBatch(t, store, finder)
	again, err := next.Run(ctx, paths[:1])
	if err != nil {
		t.Fatal(err)
	}
	if got := again[0].Faces[0].Decision.Recognised; got != "C1" {
		t.Errorf("the next batch recognises the face as %q, want C1", got)
	}
}
