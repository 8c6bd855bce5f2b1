package vision

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// allowedGroups are the only ExifTool family-1 groups an export may show:
// ExifTool's own, the file system's, the JPEG frame's (File) and values
// ExifTool derives (Composite). EXIF, IFD0/IFD1, GPS, XMP, IPTC, ICC_Profile,
// Photoshop, MakerNotes, JFIF... all fail.
var allowedGroups = map[string]bool{"ExifTool": true, "System": true, "File": true, "Composite": true}

// checkClean fails unless the JPEG at path passes both the marker walk and
// ExifTool.
func checkClean(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	markers, err := walkMarkers(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, m := range markers {
		if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
			t.Errorf("%s: metadata segment 0x%02X (markers %X)", path, m, markers)
		}
	}
	out, err := exiftool("-a", "-G1", "-s", path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		group, rest, _ := strings.Cut(strings.TrimPrefix(line, "["), "]")
		tag := strings.Fields(rest + " -")[0]
		if !allowedGroups[group] || tag == "Comment" || strings.Contains(tag, "Thumbnail") ||
			strings.Contains(tag, "Warning") || strings.Contains(tag, "Trailer") {
			t.Errorf("%s: exiftool reports %q", path, line)
		}
	}
}

// exiftool runs ExifTool, the independent metadata reader, and returns
// what it printed on standard output. Its locale is pinned to C: perl warns
// on stderr about locales the machine has not generated.
func exiftool(args ...string) ([]byte, error) {
	cmd := exec.Command("exiftool", args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("exiftool %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

// walkMarkers returns the JPEG markers from SOI to EOI and fails when bytes
// follow EOI or the structure is broken.
func walkMarkers(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, fmt.Errorf("no SOI")
	}
	markers := []byte{0xD8}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return nil, fmt.Errorf("no marker at %d", i)
		}
		m := data[i+1]
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		markers = append(markers, m)
		i += 2 + n
		if m != 0xDA {
			continue
		}
		// Entropy-coded data: skip to the next marker that is not a
		// stuffed byte or a restart marker.
		for i+1 < len(data) && !(data[i] == 0xFF && data[i+1] != 0 && (data[i+1] < 0xD0 || data[i+1] > 0xD7)) {
			i++
		}
		if i+1 < len(data) && data[i+1] == 0xD9 {
			markers = append(markers, 0xD9)
			if rest := len(data) - (i + 2); rest != 0 {
				return markers, fmt.Errorf("%d bytes after EOI", rest)
			}
			return markers, nil
		}
	}
	return markers, fmt.Errorf("no EOI")
}

// TestEncodeClean exports photos that carry every kind of metadata and checks
// the output with the marker walk and ExifTool.
func TestEncodeClean(t *testing.T) {
	td := testdata.Dir(t)
	tmp := t.TempDir()
	// A photo given GPS, artist, XMP, IPTC, an ICC profile, a comment and a
	// thumbnail by ExifTool, plus real camera files.
	loaded := filepath.Join(tmp, "loaded.jpg")
	src := filepath.Join(td, "exif", "orientation", "Landscape_6.jpg")
	_, err := exiftool("-q", "-o", loaded,
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
			if err := WriteCleanFile(out, Redact(p.Image, nil, RedactBlur)); err != nil {
				t.Fatal(err)
			}
			checkClean(t, out)
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
	if _, err := walkMarkers(append(buf.Bytes(), "trailing"...)); err == nil {
		t.Error("trailing bytes after EOI not reported")
	}
	markers, err := walkMarkers(corruptEXIFJPEG(t))
	if err != nil || !bytes.Contains(markers, []byte{0xE1}) {
		t.Errorf("APP1 not seen: markers %X, %v", markers, err)
	}
}
