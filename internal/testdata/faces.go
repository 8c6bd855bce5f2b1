package testdata

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Face is one annotated face of a detection set.
type Face struct {
	// Box is the face as the set draws it, in the photo's pixels.
	Box image.Rectangle
	// Yaw is how far the head is turned, in degrees (0 facing the camera,
	// 90 in profile); NaN where the set does not say (all but AFW).
	Yaw float64
}

// DetectionSet reads the ground truth of detection/NAME ("dlib", "cmumit"
// or "afw"; see the data's README) and returns its folder and the faces
// of each photo (see ReadDetectionSet). A set that cannot be read fails
// the test.
func DetectionSet(t testing.TB, name string) (string, map[string][]Face) {
	t.Helper()
	dir, truth, err := ReadDetectionSet(Dir(t), name)
	if err != nil {
		t.Fatal(err)
	}
	return dir, truth
}

// ReadDetectionSet reads the ground truth of detection/NAME ("dlib",
// "cmumit" or "afw"; see the data's README) under root, the shared
// testdata directory, and returns the set's folder and the faces of each
// photo. Every photo of the folder is listed: one without annotation shows
// no face (dogs.jpg), except the two photos of the dlib set that have no
// annotation file, which are left out.
func ReadDetectionSet(root, name string) (string, map[string][]Face, error) {
	dir := filepath.Join(root, "detection", name)
	truth := map[string][]Face{}
	switch name {
	case "dlib":
		for _, file := range []string{"testing.xml", "training.xml"} {
			if err := readImglab(truth, filepath.Join(dir, file)); err != nil {
				return "", nil, err
			}
		}
		truth["dogs.jpg"] = nil
		return dir, truth, nil
	case "cmumit":
		if err := readBoxLines(truth, filepath.Join(dir, "ground_truth_bboxes.txt"), 5); err != nil {
			return "", nil, err
		}
	case "afw":
		if err := readBoxLines(truth, filepath.Join(dir, "ground_truth.txt"), 8); err != nil {
			return "", nil, err
		}
	default:
		return "", nil, fmt.Errorf("no detection set %q", name)
	}
	all, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil {
		return "", nil, fmt.Errorf("list %s: %w", dir, err)
	}
	for _, path := range all {
		if _, ok := truth[filepath.Base(path)]; !ok {
			truth[filepath.Base(path)] = nil
		}
	}
	return dir, truth, nil
}

// readImglab reads a dlib imglab XML file (box top, left, width, height).
func readImglab(truth map[string][]Face, path string) error {
	type box struct {
		Top    int `xml:"top,attr"`
		Left   int `xml:"left,attr"`
		Width  int `xml:"width,attr"`
		Height int `xml:"height,attr"`
	}
	var doc struct {
		Images []struct {
			File  string `xml:"file,attr"`
			Boxes []box  `xml:"box"`
		} `xml:"images>image"`
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// The files declare ISO-8859-1 but hold only ASCII.
	text := strings.Replace(string(data), "encoding='ISO-8859-1'", "", 1)
	if err := xml.Unmarshal([]byte(text), &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, im := range doc.Images {
		for _, b := range im.Boxes {
			truth[im.File] = append(truth[im.File], Face{Box: image.Rect(b.Left, b.Top, b.Left+b.Width, b.Top+b.Height), Yaw: math.NaN()})
		}
		if _, ok := truth[im.File]; !ok {
			truth[im.File] = nil
		}
	}
	return nil
}

// readBoxLines reads "file x1 y1 x2 y2" lines (CMU+MIT, fields 5), or
// "file x1 y1 x2 y2 yaw pitch roll" (AFW, fields 8).
func readBoxLines(truth map[string][]Face, path string, fields int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		parts := strings.Fields(sc.Text())
		if len(parts) == 0 {
			continue
		}
		if len(parts) != fields {
			return fmt.Errorf("%s:%d: want %d fields, got %q", path, line, fields, sc.Text())
		}
		v := make([]float64, fields-1)
		for i := range v {
			if v[i], err = strconv.ParseFloat(parts[i+1], 64); err != nil {
				return fmt.Errorf("%s:%d: %w", path, line, err)
			}
		}
		face := Face{Box: image.Rect(int(math.Floor(v[0])), int(math.Floor(v[1])), int(math.Ceil(v[2])), int(math.Ceil(v[3]))), Yaw: math.NaN()}
		if fields == 8 {
			face.Yaw = math.Abs(v[4])
		}
		truth[parts[0]] = append(truth[parts[0]], face)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
