package vet

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// The fake finder tells who is on a generated photo by its width.
const (
	widthAda      = 310 // one face: Ada, enrolled, Instagram consent
	widthBen      = 311 // one face: Ben, enrolled, no Instagram consent
	widthNobody   = 313 // no face
	widthStranger = 312 // one face nobody enrolled (any other width too)
)

// testRoster has Ada with Instagram photo and work consent and Ben with
// website consent only, both opted in to enrolment.
const testRoster = `id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until
C1,Ada Test,child,3B,school,2016-04-12,instagram|website,instagram|website,instagram,yes,2026-08-17,2027-07-31
C2,Ben Test,child,3B,school,2016-09-30,website,website,,yes,2026-08-17,2027-07-31
`

// unitVector is a descriptor 1 along axis i: unit vectors on different
// axes are sqrt(2) apart, far beyond any match threshold.
func unitVector(i int) vision.Descriptor {
	var d vision.Descriptor
	d[i] = 1
	return d
}

// fakeFinder is a vision.FaceFinder for the pipeline logic: one face in the
// middle of the photo, whose descriptor depends on the photo's width. It
// records how many calls ran at once.
type fakeFinder struct {
	delay time.Duration

	mu           sync.Mutex
	active, peak int
	calls        int
}

func (f *fakeFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	f.mu.Lock()
	f.active++
	f.calls++
	f.peak = max(f.peak, f.active)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var d vision.Descriptor
	switch p.Width {
	case widthNobody:
		return nil, nil
	case widthAda:
		d = unitVector(0)
	case widthBen:
		d = unitVector(1)
	default:
		d = unitVector(2)
	}
	w, h := p.Width, p.Height
	box := image.Rect(w/4, h/4, 3*w/4, 3*h/4)
	return []vision.Face{{Box: box, Score: 1, Detector: vision.RetinaFace, Landmarks: frontalLandmarks(box), Descriptor: d}}, nil
}

// frontalLandmarks returns dlib's five landmarks (two corners of each eye,
// the base of the nose) of a face looking into the camera in box.
func frontalLandmarks(box image.Rectangle) [5]image.Point {
	at := func(x, y float64) image.Point {
		return image.Pt(box.Min.X+int(x*float64(box.Dx())), box.Min.Y+int(y*float64(box.Dy())))
	}
	return [5]image.Point{at(0.8, 0.35), at(0.6, 0.35), at(0.2, 0.35), at(0.4, 0.35), at(0.5, 0.6)}
}

// writeTestPhoto writes a patterned PNG of the given size: the pattern
// makes a redacted region differ clearly from the original.
func writeTestPhoto(t testing.TB, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(0)
			if (x/8+y/8)%2 == 0 {
				v = 255
			}
			img.SetNRGBA(x, y, color.NRGBA{v, uint8(x), uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testStore opens a register in a temporary directory with testRoster
// imported and Ada and Ben enrolled with the fake finder's descriptors.
func testStore(t testing.TB) *consent.Store {
	t.Helper()
	return testStoreAt(t, t.TempDir())
}

// testStoreAt is testStore on the register where names (a data directory
// or a postgres:// URL).
func testStoreAt(t testing.TB, where string) *consent.Store {
	t.Helper()
	ctx := context.Background()
	s, err := consent.OpenRegister(ctx, where, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.ImportRoster(ctx, bytes.NewReader([]byte(testRoster)), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	for id, axis := range map[string]int{"C1": 0, "C2": 1} {
		d := unitVector(axis)
		if err := s.SetDescriptors(ctx, id, [][]float32{d[:]}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// testDay is the export date of the tests, inside the roster's validity.
var testDay = consent.NewDate(2026, 11, 21)

func testJob() consent.Job {
	return consent.Job{Unit: consent.School, Channel: "instagram", Date: testDay}
}

// testBatch returns a batch over store with the fake finder and a
// photographer who permits Instagram.
func testBatch(t testing.TB, store *consent.Store, finder vision.FaceFinder) Batch {
	t.Helper()
	ctx := context.Background()
	m, err := NewMatcher(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := store.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return Batch{Finder: finder, Workers: 2, Matcher: m, Register: reg, Job: testJob(),
		Photographer: "Pia Photo", PhotographerChannels: []string{"instagram", "website"}}
}

// confirmRecognised confirms, as the reviewer, every face of photos the
// matcher recognised as someone with consent (saved and decided again):
// what a test of what comes after the review starts from.
func confirmRecognised(t testing.TB, store *consent.Store, photos []*Photo) {
	t.Helper()
	ctx := context.Background()
	reg, err := store.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := Reviewer{Store: store, Register: reg, Job: testJob()}
	for _, p := range photos {
		if p != nil && p.Error.IsZero() && slices.ContainsFunc(p.Faces, func(f Face) bool { return f.Decision.Recognised != "" }) {
			if err := r.Apply(ctx, p, ConfirmRecognised()); err != nil {
				t.Fatal(err)
			}
		}
	}
}
