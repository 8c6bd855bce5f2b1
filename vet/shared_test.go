package vet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/pgtest"
	"github.com/photovet/photovet/vision"
)

// TestExportStopsWhenTheSharedRegisterGoesAway stops the PostgreSQL
// server of a shared register in the middle of an export: the photos
// exported before are in the ledger and the folder, no photo is exported
// after the loss, each of those says that the register cannot be reached,
// and nothing half-written is left in the folder. A batch decided without
// the register hides every face (R4).
func TestExportStopsWhenTheSharedRegisterGoesAway(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t)
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	store := testStoreAt(t, register)
	paths := writeDistinctPhotos(t, t.TempDir(), "p", 5, 200)
	photos, err := testBatch(t, store, &fakeFinder{}).Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		p.Faces[0].Review = consent.ForceRedacted
		p.Decide(mustRegister(t, store), testJob())
	}
	out := t.TempDir()
	outcomes, err := Export(ctx, store, photos, testJob(), ExportOptions{Dir: out, Style: vision.RedactSolid, VettedBy: "Vera",
		Progress: func(done, total int) {
			if done == 2 {
				if err := server.Stop(); err != nil {
					t.Error(err)
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outcomes {
		switch {
		case i < 2 && (o.Err != nil || o.Output == ""):
			t.Errorf("photo %d, before the server stopped: %q, %v; want exported", i, o.Output, o.Err)
		case i >= 2 && (o.Output != "" || !errors.Is(o.Err, consent.ErrUnreachable) || !strings.Contains(o.Err.Error(), "cannot be reached (since")):
			t.Errorf("photo %d, after the server stopped: %q, %v; want not exported, the register unreachable", i, o.Output, o.Err)
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if len(files) != 2 || filepath.Base(outcomes[0].Output) != files[0] || filepath.Base(outcomes[1].Output) != files[1] {
		t.Errorf("the folder holds %v, want the two photos exported before the server stopped", files)
	}

	// Without the register, a batch hides every face.
	if _, err := store.Register(ctx); !errors.Is(err, consent.ErrUnreachable) {
		t.Fatalf("reading the register of a stopped server: %v, want ErrUnreachable", err)
	}
	for _, p := range photos {
		p.Faces[0].Review = consent.NotReviewed
		p.Decide(nil, testJob())
		for _, f := range p.Faces {
			if f.Decision.Visible {
				t.Errorf("%s: a face is visible without the register", p.Path)
			}
		}
	}
}

// TestBatchSaysTheSharedRegisterIsUnreachable stops the PostgreSQL server
// of a shared register in the middle of a batch: a photo processed after
// the loss is not vetted, and it says that the register cannot be
// reached (its translatable words), not that the photo could not be read
// or a developer's "read review of ...".
func TestBatchSaysTheSharedRegisterIsUnreachable(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t) // stopping it again at the end does nothing
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	store := testStoreAt(t, register)
	paths := writeDistinctPhotos(t, t.TempDir(), "p", 5, 200)
	b := testBatch(t, store, &fakeFinder{})
	b.Store, b.Workers = store, 1
	b.Progress = func(p Progress) {
		if p.Done == 2 {
			if err := server.Stop(); err != nil {
				t.Error(err)
			}
		}
	}
	photos, err := b.Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range photos {
		text := p.Error.String()
		switch {
		case i < 2 && (p.Status == Failed || p.RegisterUnreachable()):
			t.Errorf("photo %d, before the server stopped: %s, %q; want vetted", i, p.Status, text)
		case i > 2 && (p.Status != Failed || !p.RegisterUnreachable() || !strings.HasPrefix(text, "the shared register ") ||
			!strings.Contains(text, "cannot be reached (since") || strings.Contains(text, "read review of")):
			// The third photo may have read its review before the
			// server stopped: one worker takes it while the second
			// one's progress is reported.
			t.Errorf("photo %d, after the server stopped: %s, unreachable %v, %q; want failed, the register unreachable in words", i, p.Status, p.RegisterUnreachable(), text)
		}
	}
}
