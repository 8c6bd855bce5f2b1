package vet

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
)

// TestBatchFileRoundTrip: what is saved is loaded; nothing saved loads as
// an empty batch; a file of another format version is refused in words.
func TestBatchFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := NewBatchFile(dir)
	if b, err := f.Load(); err != nil || !reflect.DeepEqual(b, OpenBatch{}) {
		t.Fatalf("Load() with nothing saved = %+v, %v; want an empty batch", b, err)
	}
	ada, ben := &Photo{Path: "/p/ada.jpg", SHA256: strings.Repeat("a", 64)}, &Photo{Path: "/p/ben.jpg", SHA256: strings.Repeat("b", 64)}
	job := Job{Job: consent.Job{Unit: consent.UpperSecondary, Channel: "website"}, Photographer: "Pia Photo", PhotographerChannels: []string{"website"}}
	want := NewOpenBatch(job, []*Photo{ada, ben}, map[*Photo]string{ben: "/out/2026-11-21_website_001.jpg"}, []OpenPhoto{{Path: "/p/later.jpg"}})
	if err := f.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := f.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || len(got.Photos) != 3 || got.Photos[1].Exported == "" {
		t.Errorf("Load() = %+v, want %+v", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, batchFileName), []byte(`{"version": 9}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load(); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("Load() of version 9 = %v, want an error naming the version", err)
	}
}

// TestResumeChangedOrGone: a photo of an open batch whose original changed
// or went is said so, not vetted again silently; one unchanged comes back
// with its saved review.
func TestResumeChangedOrGone(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir := t.TempDir()
	same, changed, gone := filepath.Join(dir, "same.png"), filepath.Join(dir, "changed.png"), filepath.Join(dir, "gone.png")
	for _, p := range []string{same, changed, gone} {
		writeTestPhoto(t, p, widthStranger, 200)
	}
	b := testBatch(t, store, &fakeFinder{})
	b.Store = store
	photos, err := b.Run(ctx, []string{same, changed, gone})
	if err != nil {
		t.Fatal(err)
	}
	reviewer := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	for _, p := range photos {
		if err := reviewer.Apply(ctx, p, HideUnknown()); err != nil {
			t.Fatal(err)
		}
	}
	open := NewOpenBatch(Job{Job: b.Job}, photos, nil, nil).Photos
	writeTestPhoto(t, changed, widthStranger, 201)
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	resumed, err := b.Resume(ctx, open)
	if err != nil {
		t.Fatal(err)
	}
	if p := resumed[0]; p.Status != Cleared || p.Faces[0].Review != consent.ForceRedacted {
		t.Errorf("the unchanged photo came back %s with review %v, want cleared as reviewed", p.Status, p.Faces[0].Review)
	}
	for i, want := range []string{"changed since it was added to the batch", "no such file (was it moved or deleted?)"} {
		p := resumed[i+1]
		if p.Status != Failed || !strings.Contains(p.Error.String(), want) || p.SHA256 != open[i+1].SHA256 {
			t.Errorf("%s: %s, %q, SHA-256 %s; want failed saying %q, still known by %s", p.Path, p.Status, p.Error.String(), p.SHA256, want, open[i+1].SHA256)
		}
	}
}
