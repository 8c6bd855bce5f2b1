// Package cleancheck is the clean-output check for exported photos that the
// tests of vision, of the CLI and of the app share: a walk over the JPEG's
// markers, which finds every metadata segment and any byte after the image,
// and ExifTool, an independent reader, which may find nothing but the file's
// own properties. Only tests import it.
package cleancheck

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// allowedGroup reports whether an ExifTool family-1 group may appear on an
// export: ExifTool's own, the file system's, the JPEG frame's (File) and
// values ExifTool derives (Composite). EXIF, IFD0/IFD1, GPS, XMP, IPTC,
// ICC_Profile, Photoshop, MakerNotes, JFIF... do not.
func allowedGroup(group string) bool {
	switch group {
	case "ExifTool", "System", "File", "Composite":
		return true
	}
	return false
}

// Problems returns what keeps the JPEG files at paths from being clean
// exports, a line per problem naming the file; none when all are clean.
// The error reports a check that could not run (a file that cannot be
// read, ExifTool missing).
func Problems(paths ...string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("cleancheck: no files to check")
	}
	var problems []string
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		markers, err := Markers(data)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
		}
		for _, m := range markers {
			if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
				problems = append(problems, fmt.Sprintf("%s: metadata segment 0x%02X (markers %X)", path, m, markers))
			}
		}
	}
	out, err := ExifTool(append([]string{"-j", "-a", "-G1"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var files []map[string]any
	if err := json.Unmarshal(out, &files); err != nil {
		return nil, fmt.Errorf("read ExifTool's report: %w", err)
	}
	if len(files) != len(paths) {
		return nil, fmt.Errorf("ExifTool reported on %d files, want %d", len(files), len(paths))
	}
	for _, f := range files {
		for key, value := range f {
			if key == "SourceFile" {
				continue
			}
			group, tag, _ := strings.Cut(key, ":")
			if !allowedGroup(group) || strings.Contains(tag, "Comment") || strings.Contains(tag, "Thumbnail") ||
				strings.Contains(tag, "Warning") || strings.Contains(tag, "Trailer") {
				problems = append(problems, fmt.Sprintf("%s: ExifTool finds %s = %v", f["SourceFile"], key, value))
			}
		}
	}
	return problems, nil
}

// Markers returns the JPEG markers from SOI to EOI, with an error when
// bytes follow EOI or the structure is broken.
func Markers(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errors.New("no SOI")
	}
	markers := []byte{0xD8}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return markers, fmt.Errorf("no marker at %d", i)
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
	return markers, errors.New("no EOI")
}

// ExifTool runs ExifTool and returns what it printed on standard output.
// Its locale is pinned to C: perl warns on stderr about locales the machine
// has not generated.
func ExifTool(args ...string) ([]byte, error) {
	cmd := exec.Command("exiftool", args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("exiftool %s (make test installs it): %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}
