package vision

import (
	"bufio"
	"encoding/xml"
	"image"
	"os"
	"strconv"
	"strings"
	"testing"
)

// testEngine loads the models for two workers with the default options;
// the engine is closed when the test ends.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	dir, err := ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(dir, 2, DefaultDetectOptions())
	if err != nil {
		t.Fatalf("face engine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// groundTruth maps an image file name to its face boxes.
type groundTruth map[string][]image.Rectangle

// readImglab reads dlib imglab XML files (box top/left/width/height).
func readImglab(t testing.TB, paths ...string) groundTruth {
	t.Helper()
	type box struct {
		Top    int `xml:"top,attr"`
		Left   int `xml:"left,attr"`
		Width  int `xml:"width,attr"`
		Height int `xml:"height,attr"`
	}
	type dataset struct {
		Images []struct {
			File  string `xml:"file,attr"`
			Boxes []box  `xml:"box"`
		} `xml:"images>image"`
	}
	gt := groundTruth{}
	for _, path := range paths {
		var doc dataset
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The files declare ISO-8859-1 but hold only ASCII.
		text := strings.Replace(string(data), "encoding='ISO-8859-1'", "", 1)
		if err := xml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, im := range doc.Images {
			boxes := gt[im.File]
			for _, b := range im.Boxes {
				boxes = append(boxes, image.Rect(b.Left, b.Top, b.Left+b.Width, b.Top+b.Height))
			}
			gt[im.File] = boxes
		}
	}
	return gt
}

// readBoxList reads "file x1 y1 x2 y2" lines (the CMU+MIT ground truth).
func readBoxList(t testing.TB, path string) groundTruth {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gt := groundTruth{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 5 {
			t.Fatalf("%s:%d: want 5 fields, got %q", path, line, sc.Text())
		}
		var v [4]int
		for i := range v {
			if v[i], err = strconv.Atoi(fields[i+1]); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
		}
		gt[fields[0]] = append(gt[fields[0]], image.Rect(v[0], v[1], v[2], v[3]))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return gt
}
