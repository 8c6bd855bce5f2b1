package vet

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		"a.jpg", "B.JPEG", "c.png", "d.heic", "notes.txt",
		"trip/e.jpg", "trip/deeper/f.HEIC", "trip/readme.md",
		".thumbnails/g.jpg", "trip/.h.jpg",
	}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}

	tests := []struct {
		name        string
		paths       []string
		wantPhotos  []string
		wantSkipped int
	}{
		{"folder", abs(""), abs("B.JPEG", "a.jpg", "c.png", "d.heic", "trip/deeper/f.HEIC", "trip/e.jpg"), 2},
		{"single files", abs("a.jpg", "notes.txt"), abs("a.jpg"), 1},
		{"duplicates once", abs("a.jpg", "a.jpg", "trip"), abs("a.jpg", "trip/deeper/f.HEIC", "trip/e.jpg"), 1},
		{"missing path", abs("nope.jpg"), nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Collect(tt.paths)
			if !slices.Equal(got.Photos, tt.wantPhotos) {
				t.Errorf("Photos = %q, want %q", got.Photos, tt.wantPhotos)
			}
			if len(got.Skipped) != tt.wantSkipped {
				t.Errorf("Skipped = %q, want %d entries", got.Skipped, tt.wantSkipped)
			}
		})
	}
}
