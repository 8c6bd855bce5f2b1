package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestInspectJSON runs "photovet inspect --json" with the real models on
// the ten-face group photo, a photo without faces and a broken file: one
// line per photo, the broken one with its error, exit code 1.
func TestInspectJSON(t *testing.T) {
	td := testdata.Dir(t)
	broken := filepath.Join(t.TempDir(), "broken.jpg")
	data, err := os.ReadFile(filepath.Join(td, "recognition", "pristin.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	pristin := filepath.Join(td, "recognition", "pristin.jpg")
	town := filepath.Join(td, "heic", "example.heic")

	code, stdout, _ := photovetCLI(t, "inspect", "--json", "--data", t.TempDir(), pristin, broken, town)
	if code != 1 {
		t.Errorf("exit code = %d, want 1 (one photo failed)", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 JSON lines, got %d", len(lines))
	}
	var got []inspectResult
	for _, l := range lines {
		var r inspectResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, r)
	}
	if got[0].Error != "" || len(got[0].Faces) != 10 {
		t.Errorf("pristin.jpg: %d faces, error %q; want the ten members", len(got[0].Faces), got[0].Error)
	}
	for i, f := range got[0].Faces {
		if f.Visible || f.Reason != "unknown face" || f.Box[2] <= 0 || f.Box[3] <= 0 {
			t.Errorf("pristin.jpg face %d = %+v, want a box, redacted as unknown", i, f)
		}
		if f.Box[0]+f.Box[2] > got[0].Width || f.Box[1]+f.Box[3] > got[0].Height {
			t.Errorf("pristin.jpg face %d box %v outside the %dx%d photo", i, f.Box, got[0].Width, got[0].Height)
		}
	}
	if got[1].Error == "" || got[1].File != broken {
		t.Errorf("broken file: %+v, want an error", got[1])
	}
	// A town view: decoded, and whatever the detector takes for a face
	// at its low threshold (a stone wall scores 0.31) is hidden.
	if got[2].Error != "" || got[2].Width != 1280 || got[2].Height != 854 {
		t.Errorf("example.heic (a town view): %dx%d, error %q; want 1280x854 decoded", got[2].Width, got[2].Height, got[2].Error)
	}
	for _, f := range got[2].Faces {
		if f.Visible {
			t.Errorf("example.heic: face %+v shown", f)
		}
	}
}
