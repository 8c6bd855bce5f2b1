package vet

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photovet/photovet/vision"
)

// detectionsFolder is the folder of the data directory that keeps what the
// face detector found in each original (see Detections).
const detectionsFolder = "detections"

// Bounds of what Detections keeps: files on disk (about a kilobyte each,
// a school year of photos), and photos whose descriptors memory holds
// (half a kilobyte a face).
const (
	maxKeptDetections   = 10000
	maxMemoryDescribed  = 1000
	keptDetectionSuffix = ".json"
)

// Detections keeps what the face detector found in each original, by the
// SHA-256 of the original's bytes, so that a photo added again, or a batch
// restored at the next start, is not searched for faces again (detection
// is most of a photo's time). On disk, one file per original in
// the folder "detections", it keeps only the boxes, their scores and the
// detector's key (vision.FaceDescriber.DetectionKey): nothing about who is
// on the photo. The descriptors of the faces stay in memory, for this run
// only: a child without a biometric opt-in may have none stored anywhere
// (R9). After a restart they are computed again from the kept boxes
// (landmarks and descriptor, without detection). A kept result counts only
// for the detector key it was found with, so a changed detector or its
// options search again. The folder holds at most maxKeptDetections files;
// the least recently used go first.
type Detections struct {
	dir     string
	maxKept int

	mu sync.Mutex
	// kept counts the files in dir; -1 until counted.
	kept int
	// described holds the descriptors found this run per detection key
	// and original, oldest first in order, at most maxDescribed.
	described    map[string][]vision.Descriptor
	order        []string
	maxDescribed int
}

// OpenDetections returns the detections kept in dataDir's folder "detections",
// creating the folder (readable only by the user, like the register).
func OpenDetections(dataDir string) (*Detections, error) {
	dir := filepath.Join(dataDir, detectionsFolder)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open the kept face detections: %w", err)
	}
	return &Detections{dir: dir, maxKept: maxKeptDetections, kept: -1,
		described: map[string][]vision.Descriptor{}, maxDescribed: maxMemoryDescribed}, nil
}

// keptFace is one face as kept on disk: where the detector found it and
// how sure it was. Never a descriptor or landmarks.
type keptFace struct {
	Box      image.Rectangle `json:"box"`
	Score    float64         `json:"score"`
	Detector string          `json:"detector"`
}

// keptDetection is the file kept for one original.
type keptDetection struct {
	Key   string     `json:"detection_key"`
	Faces []keptFace `json:"faces"`
}

// find returns the faces in photo, whose original's SHA-256 is sum, with
// their descriptors: from what was kept when finder's detector searched
// the same original before, else by searching it, and then keeps that.
// Failing to keep costs only time: the faces are returned all the same.
func (d *Detections) find(ctx context.Context, finder vision.FaceDescriber, photo *vision.Photo, sum string) ([]vision.Face, error) {
	key := finder.DetectionKey()
	if kept, ok := d.read(key, sum); ok {
		return d.describe(ctx, finder, photo, key, sum, kept)
	}
	faces, err := finder.Find(ctx, photo)
	if err != nil {
		return nil, err
	}
	d.remember(key, sum, faces)
	_ = d.keep(key, sum, faces) // see above: the photo was searched, only the next search is not saved
	return faces, nil
}

// describe turns kept boxes into faces: descriptors from memory when this
// run computed them, else computed again at the boxes.
func (d *Detections) describe(ctx context.Context, finder vision.FaceDescriber, photo *vision.Photo, key, sum string, kept []keptFace) ([]vision.Face, error) {
	d.mu.Lock()
	descriptors, inMemory := d.described[key+" "+sum]
	d.mu.Unlock()
	faces := make([]vision.Face, len(kept))
	for i, k := range kept {
		faces[i] = vision.Face{Box: k.Box, Score: k.Score, Detector: vision.Detector(k.Detector)}
		if inMemory && len(descriptors) == len(kept) {
			faces[i].Descriptor = descriptors[i]
			continue
		}
		desc, err := finder.Describe(ctx, photo, k.Box)
		if err != nil {
			return nil, err
		}
		faces[i].Descriptor = desc
	}
	if !inMemory {
		d.remember(key, sum, faces)
	}
	return faces, nil
}

// remember keeps the faces' descriptors in memory for this run.
func (d *Detections) remember(key, sum string, faces []vision.Face) {
	descriptors := make([]vision.Descriptor, len(faces))
	for i, f := range faces {
		descriptors[i] = f.Descriptor
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	id := key + " " + sum
	if _, ok := d.described[id]; !ok {
		d.order = append(d.order, id)
	}
	d.described[id] = descriptors
	for len(d.order) > d.maxDescribed {
		delete(d.described, d.order[0])
		d.order = d.order[1:]
	}
}

// path is the file kept for the original with SHA-256 sum; "" when sum is
// not one (it names a file, so it must be plain hex).
func (d *Detections) path(sum string) string {
	if b, err := hex.DecodeString(sum); err != nil || len(b) != 32 {
		return ""
	}
	return filepath.Join(d.dir, strings.ToLower(sum)+keptDetectionSuffix)
}

// read returns the faces kept for the original with SHA-256 sum, found
// with detection key key; false when none are (or the file cannot be read:
// the photo is then searched again).
func (d *Detections) read(key, sum string) ([]keptFace, bool) {
	path := d.path(sum)
	if path == "" {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var k keptDetection
	if err := json.Unmarshal(data, &k); err != nil || k.Key != key {
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // recently used: pruned last
	return k.Faces, true
}

// keep writes the boxes and scores of faces for the original with SHA-256
// sum to its file, atomically (a temporary file renamed), then prunes the
// folder when it holds too many.
func (d *Detections) keep(key, sum string, faces []vision.Face) error {
	path := d.path(sum)
	if path == "" {
		return fmt.Errorf("keep face detections: %q is not a SHA-256", sum)
	}
	k := keptDetection{Key: key, Faces: make([]keptFace, len(faces))}
	for i, f := range faces {
		k.Faces[i] = keptFace{Box: f.Box, Score: f.Score, Detector: string(f.Detector)}
	}
	data, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("keep face detections: %w", err)
	}
	_, statErr := os.Stat(path)
	if err := writeAtomically(path, data); err != nil {
		return fmt.Errorf("keep face detections: %w", err)
	}
	if statErr == nil {
		return nil // replaced, not added
	}
	return d.added()
}

// added counts a new file and prunes the folder when it holds more than
// maxKept: down to nine tenths, least recently used first, so that it is
// not listed again for every photo.
func (d *Detections) added() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.kept < 0 {
		entries, err := os.ReadDir(d.dir)
		if err != nil {
			return fmt.Errorf("count kept face detections: %w", err)
		}
		d.kept = len(entries)
	} else {
		d.kept++
	}
	if d.kept <= d.maxKept {
		return nil
	}
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return fmt.Errorf("prune kept face detections: %w", err)
	}
	type file struct {
		name string
		used time.Time
	}
	files := make([]file, 0, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, file{e.Name(), info.ModTime()})
	}
	slices.SortFunc(files, func(a, b file) int { return a.used.Compare(b.used) })
	keep := d.maxKept * 9 / 10
	var errs []error
	for len(files) > keep {
		if err := os.Remove(filepath.Join(d.dir, files[0].name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		files = files[1:]
	}
	d.kept = len(files)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("prune kept face detections: %w", err)
	}
	return nil
}

// writeAtomically writes data to path through a temporary file in the
// same folder, flushed and renamed: a reader sees the old file or the new
// one, never part of one, whenever the process stops.
func writeAtomically(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return errors.Join(err, removeIfThere(f.Name()))
	}
	return nil
}
