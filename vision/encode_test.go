package vision

import (
	"bytes"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/cleancheck"
	"github.com/photovet/photovet/internal/testdata"
)

// TestEncodeClean exports photos that carry every kind of metadata and checks
// the output with the marker walk and ExifTool.
func TestEncodeClean(t *testing.T) {
	td := testdata.Dir(t)
	tmp := t.TempDir()
	// A photo given GPS, artist, XMP, IPTC, an ICC profile, a comment and a
	// thumbnail by ExifTool, plus real camera files.
	loaded := filepath.Join(tmp, "loaded.jpg")
	src := filepath.Join(td, "exif", "orientation", "Landscape_6.jpg")
	_, err := cleancheck.ExifTool("-q", "-o", loaded,
		"-GPSLatitude=52.37", "-GPSLatitudeRef=N", "-GPSLongitude=4.89", "-GPSLongitudeRef=E",
		"-Artist=Ann Photographer", "-Copyright=School", "-XMP-dc:Creator=Ann", "-IPTC:Keywords=class 3b",
		"-Comment=child: Emma", "-Make=TestCam", "-Model=TestCam One", "-DateTimeOriginal=2026:11:02 10:11:12",
		"-ThumbnailImage<="+filepath.Join(td, "detection", "cmumit", "bwolen.jpg"),
		"-ICC_Profile<="+filepath.Join(td, "detection", "cmumit", "bwolen.jpg"), // any bytes do for presence
		src)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{loaded, src,
		filepath.Join(td, "recognition", "eunseo.jpg"),
		filepath.Join(td, "recognition", "joy.jpg"),
		filepath.Join(td, "heic", "example.heic"),
		filepath.Join(td, "detection", "cmumit", "Arsenal.jpg"),
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			p, err := Load(in)
			if err != nil {
				t.Fatal(err)
			}
			if in == loaded {
				m := p.Metadata
				t.Logf("metadata read: %+v", m)
				if !m.GPS || m.Latitude < 52.36 || m.Latitude > 52.38 || m.Longitude < 4.88 || m.Longitude > 4.9 ||
					m.Artist != "Ann Photographer" || m.Copyright != "School" || !m.XMP || !m.IPTC ||
					!m.Comment || !m.Thumbnail || m.Camera() != "TestCam One" || m.Taken != "2026:11:02 10:11:12" {
					t.Errorf("metadata report incomplete: %+v", m)
				}
			}
			out := filepath.Join(tmp, filepath.Base(in)+".export.jpg")
			writeClean(t, out, Redact(p.Image, nil, RedactBlur))
			if problems, err := cleancheck.Problems(out); err != nil || len(problems) > 0 {
				t.Errorf("the export is not clean (%v):\n%s", err, strings.Join(problems, "\n"))
			}
			back, err := Load(out)
			if err != nil {
				t.Fatal(err)
			}
			if back.Width != p.Width || back.Height != p.Height || back.Orientation != 0 {
				t.Errorf("export %dx%d orientation %d, want %dx%d upright", back.Width, back.Height, back.Orientation, p.Width, p.Height)
			}
			if d := meanAbsDiff(back.Image, p.Image); d > 4 {
				t.Errorf("export differs by %.1f per channel", d)
			}
		})
	}
	// Nothing but the exports in the directory: no temporary files left.
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".photovet-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestWalkMarkersRejects makes sure the checker itself catches what it is
// meant to catch.
func TestWalkMarkersRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeClean(&buf, image.NewNRGBA(image.Rect(0, 0, 64, 48))); err != nil {
		t.Fatal(err)
	}
	if _, err := cleancheck.Markers(append(buf.Bytes(), "trailing"...)); err == nil {
		t.Error("trailing bytes after EOI not reported")
	}
	markers, err := cleancheck.Markers(corruptEXIFJPEG(t))
	if err != nil || !bytes.Contains(markers, []byte{0xE1}) {
		t.Errorf("APP1 not seen: markers %X, %v", markers, err)
	}
}

// writeClean encodes img with EncodeClean to a new file at path.
func writeClean(tb testing.TB, path string, img image.Image) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := errors.Join(EncodeClean(f, img), f.Close()); err != nil {
		tb.Fatal(err)
	}
}
