package vet

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photovet/photovet/vision"
)

// describingFinder is the fake finder as a vision.FaceDescriber: it counts
// the searches and the faces described at kept boxes, and fails every
// search when searchFails, as a photo searched again must not be.
type describingFinder struct {
	*fakeFinder
	key         string
	searchFails bool
	searches    atomic.Int32
	described   atomic.Int32
}

func (f *describingFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	f.searches.Add(1)
	if f.searchFails {
		return nil, errors.New("searched for faces again")
	}
	return f.fakeFinder.Find(ctx, p)
}

// Describe gives the face at box the descriptor the search gave it.
func (f *describingFinder) Describe(ctx context.Context, p *vision.Photo, box image.Rectangle) (vision.Descriptor, error) {
	f.described.Add(1)
	faces, err := f.fakeFinder.Find(ctx, p)
	if err != nil {
		return vision.Descriptor{}, err
	}
	for _, face := range faces {
		if face.Box == box {
			return face.Descriptor, nil
		}
	}
	return vision.Descriptor{}, errors.New("no face found at that box")
}

func (f *describingFinder) DetectionKey() string { return f.key }

// TestDetectionsKept: a photo processed again, in the same run or after a
// restart (a new Detections on the same folder), is not searched again and
// comes out with the same faces, names and decisions; after a restart its
// descriptors are computed again at the kept boxes. Another detection key
// (a changed detector) searches again.
func TestDetectionsKept(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dataDir := t.TempDir()
	dir := t.TempDir()
	var paths []string
	for i, w := range []int{widthAda, widthBen, widthStranger, widthNobody} {
		path := filepath.Join(dir, strconv.Itoa(i)+".png")
		writeTestPhoto(t, path, w, 200)
		paths = append(paths, path)
	}
	run := func(d *Detections, f *describingFinder) []*Photo {
		t.Helper()
		b := testBatch(t, store, f)
		b.Detections = d
		photos, err := b.Run(ctx, paths)
		if err != nil {
			t.Fatal(err)
		}
		return photos
	}
	open := func() *Detections {
		t.Helper()
		d, err := OpenDetections(dataDir)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := open()
	searching := &describingFinder{fakeFinder: &fakeFinder{}, key: "retinaface v1"}
	want := run(first, searching)
	if n := searching.searches.Load(); n != int32(len(paths)) {
		t.Fatalf("the first run searched %d times, want %d", n, len(paths))
	}
	same := func(what string, got []*Photo) {
		t.Helper()
		for i := range want {
			if g, w := got[i], want[i]; g.Status != w.Status || len(g.Faces) != len(w.Faces) {
				t.Errorf("%s: %s is %s with %d faces, want %s with %d", what, g.Path, g.Status, len(g.Faces), w.Status, len(w.Faces))
				continue
			}
			for j := range want[i].Faces {
				g, w := got[i].Faces[j], want[i].Faces[j]
				gd, _ := g.Descriptor()
				wd, _ := w.Descriptor()
				if g.Box != w.Box || g.Score != w.Score || g.NearestID != w.NearestID || !reflect.DeepEqual(g.Decision, w.Decision) || gd != wd {
					t.Errorf("%s: face %d of %s is %+v, want %+v", what, j, got[i].Path, g, w)
				}
			}
		}
	}

	again := &describingFinder{fakeFinder: &fakeFinder{}, key: "retinaface v1", searchFails: true}
	same("added again", run(first, again))
	if n := again.described.Load(); n != 0 {
		t.Errorf("added again in the same run, %d faces were described again, want 0 (in memory)", n)
	}

	restarted := &describingFinder{fakeFinder: &fakeFinder{}, key: "retinaface v1", searchFails: true}
	same("after a restart", run(open(), restarted))
	if n := restarted.described.Load(); n != 3 {
		t.Errorf("after a restart %d faces were described at their kept boxes, want 3", n)
	}

	changed := &describingFinder{fakeFinder: &fakeFinder{}, key: "retinaface v2"}
	same("with another detector", run(open(), changed))
	if n := changed.searches.Load(); n != int32(len(paths)) {
		t.Errorf("with another detector key %d photos were searched, want all %d", n, len(paths))
	}
}

// strangerFinder finds one face, of a stranger with no opt-in, whose
// descriptor is a pattern no other data has.
type strangerFinder struct{}

func strangerDescriptor() vision.Descriptor {
	var d vision.Descriptor
	for i := range d {
		d[i] = 0.0123 + float32(i)/1000
	}
	return d
}

func (strangerFinder) Find(_ context.Context, p *vision.Photo) ([]vision.Face, error) {
	return []vision.Face{{Box: image.Rect(10, 10, 90, 110), Score: 0.9, Detector: vision.RetinaFace, Descriptor: strangerDescriptor()}}, nil
}

func (strangerFinder) Describe(context.Context, *vision.Photo, image.Rectangle) (vision.Descriptor, error) {
	return strangerDescriptor(), nil
}

func (strangerFinder) DetectionKey() string { return "stranger" }

// TestDetectionsHoldNoDescriptor reads the raw bytes of every file the
// detections and the open batch write: the stranger's descriptor is in
// none, as float32 bytes (either order) or as text; the box is.
func TestDetectionsHoldNoDescriptor(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dataDir, err := store.Dir(ctx) // the register's files are read too
	if err != nil {
		t.Fatal(err)
	}
	d, err := OpenDetections(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stranger.png")
	writeTestPhoto(t, path, 200, 200)
	b := testBatch(t, store, strangerFinder{})
	b.Detections, b.Store = d, store
	photos, err := b.Run(ctx, []string{path})
	if err != nil || len(photos[0].Faces) != 1 {
		t.Fatalf("Run: %v, %+v", err, photos)
	}
	reviewer := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	if err := reviewer.Apply(ctx, photos[0], HideUnknown()); err != nil { // its review is saved
		t.Fatal(err)
	}
	if err := NewBatchFile(dataDir).Save(NewOpenBatch(Job{Job: testJob()}, photos, nil, nil)); err != nil {
		t.Fatal(err)
	}
	desc := strangerDescriptor()
	var patterns [][]byte
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		var raw []byte
		for _, v := range desc[:8] {
			raw = order.AppendUint32(raw, math.Float32bits(v))
		}
		patterns = append(patterns, raw)
	}
	for _, v := range desc[1:4] {
		patterns = append(patterns, []byte(strconv.FormatFloat(float64(v), 'g', 4, 32)))
	}
	var kept, open bool
	err = filepath.WalkDir(dataDir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		kept = kept || filepath.Dir(p) == d.dir
		open = open || filepath.Base(p) == batchFileName
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, pat := range patterns {
			if bytes.Contains(data, pat) {
				t.Errorf("%s holds the stranger's descriptor (%q)", p, pat)
			}
		}
		if filepath.Dir(p) == d.dir && !bytes.Contains(data, []byte(`"Max":{"X":90,"Y":110}`)) {
			t.Errorf("%s does not hold the face's box: %s", p, data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !kept || !open {
		t.Errorf("the detections kept (%v) or the open batch (%v) were not written", kept, open)
	}
}

// TestDetectionsBounded: past its bound the folder drops the least
// recently used originals, down to nine tenths.
func TestDetectionsBounded(t *testing.T) {
	d, err := OpenDetections(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d.maxKept = 10
	sum := func(i int) string {
		return strconv.FormatInt(int64(1e15)+int64(i), 16) + string(bytes.Repeat([]byte("0"), 51))
	}
	faces := []vision.Face{{Box: image.Rect(1, 2, 3, 4), Score: 0.5, Detector: vision.RetinaFace}}
	// An hour ago, a second apart: the order of use does not hang on
	// the file system's clock.
	start := time.Now().Add(-time.Hour)
	for i := range 10 {
		if err := d.keep("k", sum(i), faces); err != nil {
			t.Fatal(err)
		}
		at := start.Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(d.path(sum(i)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := d.read("k", sum(0)); !ok { // used: kept past the prune
		t.Fatal("the first original's detections are not kept")
	}
	if err := d.keep("k", sum(10), faces); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 9 {
		t.Errorf("%d files kept after the bound of 10 was passed, want 9", len(entries))
	}
	if _, ok := d.read("k", sum(0)); !ok {
		t.Error("the original used last was pruned")
	}
	if _, ok := d.read("k", sum(1)); ok {
		t.Error("the original used least recently was kept")
	}
}
