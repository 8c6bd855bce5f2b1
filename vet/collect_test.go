package vet

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		name           string
		paths          []string
		wantPhotos     []string
		wantSkipped    int
		wantUnreadable []string
	}{
		{"folder", abs(""), abs("B.JPEG", "a.jpg", "c.png", "d.heic", "trip/deeper/f.HEIC", "trip/e.jpg"), 2, nil},
		{"single files", abs("a.jpg", "notes.txt"), abs("a.jpg"), 1, nil},
		{"duplicates once", abs("a.jpg", "a.jpg", "trip"), abs("a.jpg", "trip/deeper/f.HEIC", "trip/e.jpg"), 1, nil},
		{"missing path", abs("nope.jpg", "a.jpg", "gone"), abs("a.jpg"), 0, abs("nope.jpg", "gone")},
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
			// A path that does not exist is an error naming it, not a
			// file that is "not a photo".
			if len(got.Unreadable) != len(tt.wantUnreadable) {
				t.Fatalf("Unreadable = %v, want errors naming %q", got.Unreadable, tt.wantUnreadable)
			}
			for i, err := range got.Unreadable {
				if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), tt.wantUnreadable[i]) {
					t.Errorf("Unreadable[%d] = %v, want no such file naming %s", i, err, tt.wantUnreadable[i])
				}
			}
		})
	}
}
