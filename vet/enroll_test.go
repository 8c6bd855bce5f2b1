package vet

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// enrolRoster has Ada (C1) and Ben (C2) of testRoster, four more children
// with a biometric opt-in, Cas (C7) without one and Gus (C8) with one.
const enrolRoster = testRoster + `C3,Cleo Test,child,3B,school,2016-01-01,website,website,,yes,2026-08-17,2027-07-31
C4,Dirk Test,child,3B,school,2016-01-02,website,website,,yes,2026-08-17,2027-07-31
C5,Eva Test,child,3B,school,2016-01-03,website,website,,yes,2026-08-17,2027-07-31
C6,Fay Test,child,3B,school,2016-01-04,website,website,,yes,2026-08-17,2027-07-31
C7,Cas Test,child,3B,school,2016-01-05,website,website,,no,2026-08-17,2027-07-31
C8,Gus Test,child,3B,school,2016-01-06,website,website,,yes,2026-08-17,2027-07-31
`

// scriptedFinder is a vision.FaceFinder that returns, for a photo of a
// given width, the faces scripted for it (boxes in that photo's pixels).
type scriptedFinder struct {
	t     *testing.T
	faces map[int][]vision.Face
}

func (f scriptedFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	faces, ok := f.faces[p.Width]
	if !ok {
		f.t.Errorf("no faces scripted for a photo %d px wide", p.Width)
	}
	return faces, nil
}

// refusingFinder fails the test when it is asked for any face.
type refusingFinder struct{ t *testing.T }

func (f refusingFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	f.t.Errorf("a face was searched on a portrait %dx%d: nothing may be computed before the opt-in is checked", p.Width, p.Height)
	return nil, errors.New("refused")
}

// writeSmoothPhoto writes a PNG of gentle gradients, with no edge in it:
// a face on it is as blurred as a face can be.
func writeSmoothPhoto(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// enrolStore opens a register with enrolRoster and Ada enrolled as in
// testStore (unitVector(0)).
func enrolStore(t *testing.T) *consent.Store {
	t.Helper()
	ctx := context.Background()
	s, err := consent.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.ImportRoster(ctx, strings.NewReader(enrolRoster), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	ada := unitVector(0)
	if err := s.SetDescriptors(ctx, "C1", [][]float32{ada[:]}); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEnrollChecksOptInFirst enrols portraits of a child without a
// biometric opt-in and of an id not in the register with a finder that
// fails the test if called: the opt-in (R9) and the register are checked
// before anything is computed, and the refusal says so. Before, the
// portraits were analysed and the refusal named what the finder found.
func TestEnrollChecksOptInFirst(t *testing.T) {
	dir := t.TempDir()
	writeTestPhoto(t, filepath.Join(dir, "C7.png"), 400, 400)
	writeTestPhoto(t, filepath.Join(dir, "C7_2.png"), 400, 400)
	writeTestPhoto(t, filepath.Join(dir, "X9.png"), 400, 400)
	store := enrolStore(t)
	result, err := Enroll(context.Background(), store, refusingFinder{t}, 2, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id        string
		portraits int
		kind      error
		words     string
	}{
		{"C7", 2, consent.ErrNoBiometricOptIn, "Cas Test has no biometric opt-in recorded, so their portrait was not looked at"},
		{"X9", 1, consent.ErrNotFound, `nobody in the register has the id X9`},
	}
	if len(result) != len(want) {
		t.Fatalf("%d enrolments, want %d: %+v", len(result), len(want), result)
	}
	for i, w := range want {
		e := result[i]
		t.Logf("%s: %v", e.PersonID, e.Err)
		if e.PersonID != w.id || e.Enrolled() || !errors.Is(e.Err, w.kind) || e.Portraits != w.portraits || e.Used != 0 || len(e.Problems) != 0 {
			t.Errorf("%+v, want %s refused for %v, %d portraits, none looked at", e, w.id, w.kind, w.portraits)
		}
		if got := msg.FromError(e.Err).String(); !strings.HasPrefix(got, w.words) {
			t.Errorf("%s: in words %q, want %q", w.id, got, w.words)
		}
	}
}

// TestEnrollRefusesPoorPortraits enrols one portrait per reason it must be
// refused for, each person's only one, beside a person with two good
// portraits (<id>.png and <id>_2.png): each refusal says why in words, and
// the counts add up to the portraits found.
func TestEnrollRefusesPoorPortraits(t *testing.T) {
	dir := t.TempDir()
	frontal := func(box image.Rectangle, d vision.Descriptor) vision.Face {
		return vision.Face{Box: box, Score: 1, Detector: vision.RetinaFace, Landmarks: frontalLandmarks(box), Descriptor: d}
	}
	big := image.Rect(100, 100, 260, 300) // 200 px high in a 400 px photo
	turned := frontal(big, unitVector(5))
	turned.Landmarks[4] = turned.Landmarks[3] // the nose at an eye: a profile
	gusAgain := unitVector(10)
	gusAgain[12] = 0.4 // as near as two portraits of one child come
	faces := map[int][]vision.Face{
		401: nil,                                                                              // no face
		402: {frontal(big, unitVector(6)), frontal(big.Add(image.Pt(120, 0)), unitVector(7))}, // two people side by side
		403: {frontal(image.Rect(100, 100, 170, 180), unitVector(8))},                         // 80 px high
		404: {turned},
		405: {frontal(big, unitVector(9))}, // on a smooth photo: blurred
		406: {frontal(big, unitVector(0))}, // Ada's face again, as someone else's
		407: {frontal(big, unitVector(10))},
		408: {frontal(big, gusAgain)},
		409: {frontal(big, unitVector(11))}, // someone else filed as Gus
	}
	photos := []struct {
		name   string
		width  int
		smooth bool
	}{
		{"C2.png", 401, false},
		{"C3.png", 402, false},
		{"C4.png", 403, false},
		{"C5.png", 404, false},
		{"C6/portrait.png", 405, true},
		{"C8.png", 407, false},
		{"C8_2.png", 408, false},
		{"C8_3.png", 409, false},
		{"C3_2.png", 406, false}, // Ada's face under Cleo's id
	}
	for _, p := range photos {
		path := filepath.Join(dir, filepath.FromSlash(p.name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if p.smooth {
			writeSmoothPhoto(t, path, p.width, 400)
		} else {
			writeTestPhoto(t, path, p.width, 400)
		}
	}
	store := enrolStore(t)
	result, err := Enroll(context.Background(), store, scriptedFinder{t, faces}, 2, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		used     int
		problems []string
	}{
		"C8": {2, []string{"C8_3.png does not look like the other portraits of Gus Test: is it a photo of someone else?"}},
		"C2": {0, []string{"C2.png shows no face: a portrait must show exactly one"}},
		"C3": {0, []string{"C3.png shows 2 faces: a portrait must show exactly one", "C3_2.png looks like the portrait of Ada Test (C1): are the files mixed up?"}},
		"C4": {0, []string{"C4.png: the face is 80 px high, too small for a reference (want 100 px or more: a closer portrait)"}},
		"C5": {0, []string{"C5.png: the face is turned away from the camera (want a portrait looking into the camera)"}},
		"C6": {0, []string{"portrait.png: the face is blurred (want a sharp portrait)"}},
	}
	if len(result) != len(want) {
		t.Fatalf("%d enrolments, want %d", len(result), len(want))
	}
	for _, e := range result {
		w := want[e.PersonID]
		var problems []string
		for _, p := range e.Problems {
			problems = append(problems, p.String())
		}
		t.Logf("%s: portraits %d, used %d, problems %q, err %v", e.PersonID, e.Portraits, e.Used, problems, e.Err)
		if e.Used+len(e.Problems) != e.Portraits {
			t.Errorf("%s: used %d + %d problems, but %d portraits found", e.PersonID, e.Used, len(e.Problems), e.Portraits)
		}
		if e.Used != w.used || e.Enrolled() != (w.used > 0) || len(problems) != len(w.problems) {
			t.Errorf("%s: used %d, enrolled %v, problems %q; want used %d, problems %q", e.PersonID, e.Used, e.Enrolled(), problems, w.used, w.problems)
			continue
		}
		for i, p := range problems {
			if !strings.HasSuffix(p, w.problems[i]) {
				t.Errorf("%s: problem %q, want it to end %q", e.PersonID, p, w.problems[i])
			}
		}
		if w.used == 0 && !errors.Is(e.Err, ErrNoUsablePortrait) {
			t.Errorf("%s: %v, want ErrNoUsablePortrait", e.PersonID, e.Err)
		}
	}
	counts, err := store.ReferenceCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts["C1"].Portraits != 1 || counts["C8"].Portraits != 2 {
		t.Errorf("references stored: %v, want Ada's 1 as before and Gus's 2", counts)
	}
}

// TestEnrollRefusesMixedUpPair enrols two people whose portraits show the
// same face: both are refused, each naming the other.
func TestEnrollRefusesMixedUpPair(t *testing.T) {
	dir := t.TempDir()
	box := image.Rect(100, 100, 260, 300)
	same := vision.Face{Box: box, Score: 1, Detector: vision.RetinaFace, Landmarks: frontalLandmarks(box), Descriptor: unitVector(4)}
	writeTestPhoto(t, filepath.Join(dir, "C3.png"), 410, 400)
	writeTestPhoto(t, filepath.Join(dir, "C4.png"), 410, 400)
	result, err := Enroll(context.Background(), enrolStore(t), scriptedFinder{t, map[int][]vision.Face{410: {same}}}, 2, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, other := range []string{"Dirk Test (C4)", "Cleo Test (C3)"} {
		e := result[i]
		if e.Enrolled() || len(e.Problems) != 1 || !strings.Contains(e.Problems[0].String(), "looks like the portrait of "+other) {
			t.Errorf("%s: %+v, want refused as looking like %s", e.PersonID, e, other)
		}
	}
}
