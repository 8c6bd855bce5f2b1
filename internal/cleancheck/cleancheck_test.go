package cleancheck

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestProblems makes sure the check passes a bare JPEG and catches what it
// is meant to catch: a camera's metadata, a comment, bytes after the image.
func TestProblems(t *testing.T) {
	dir := t.TempDir()
	var bare bytes.Buffer
	if err := jpeg.Encode(&bare, image.NewGray(image.Rect(0, 0, 32, 24)), nil); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	clean := write("clean.jpg", bare.Bytes())
	trailing := write("trailing.jpg", append(bytes.Clone(bare.Bytes()), "unblurred thumbnail"...))
	commented := filepath.Join(dir, "commented.jpg")
	if _, err := ExifTool("-q", "-o", commented, "-Comment=child: Emma", clean); err != nil {
		t.Fatal(err)
	}
	camera := filepath.Join(testdata.Dir(t), "exif", "orientation", "Landscape_6.jpg")

	for _, tc := range []struct {
		path string
		want string // a problem must contain it; "" for a clean file
	}{
		{clean, ""},
		{trailing, "bytes after EOI"},
		{commented, "Comment"},
		{camera, "metadata segment 0xE1"},
		{camera, "ExifTool finds IFD0:"},
	} {
		t.Run(filepath.Base(tc.path)+" "+tc.want, func(t *testing.T) {
			problems, err := Problems(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(problems, "\n")
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("a clean file has problems:\n%s", all)
			case tc.want != "" && !strings.Contains(all, tc.want):
				t.Errorf("want a problem with %q, got:\n%s", tc.want, all)
			}
		})
	}
}
