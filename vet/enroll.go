package vet

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// Enrolment is what enrolling one person's portraits did.
type Enrolment struct {
	PersonID string
	// Used is how many portraits gave a reference; the person is enrolled
	// when it is above zero and Err is nil.
	Used int
	// Problems lists the portraits that were not used and why (no face,
	// several faces, unreadable): never guessed.
	Problems []msg.Text
	// Err says why the person was not enrolled (no usable portrait, not in
	// the register, no biometric opt-in: see consent.ErrNoBiometricOptIn).
	Err error
}

// Enrolled reports whether the person's references were stored.
func (e Enrolment) Enrolled() bool { return e.Err == nil && e.Used > 0 }

// Enroll stores reference descriptors from the portraits in dir: DIR/<id>.jpg,
// or any photos in DIR/<id>/ (school portrait day). A portrait must show
// exactly one face, people far in the background aside (portraitFace). Only people in the register with a biometric opt-in
// are enrolled (R9); the others are reported with the reason. The result
// is sorted by person id; progress, when set, is called after each portrait.
func Enroll(ctx context.Context, store *consent.Store, finder vision.FaceFinder, workers int, dir string, progress func(Progress)) ([]Enrolment, error) {
	portraits, err := Portraits(dir)
	if err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(portraits))
	var paths []string
	for _, id := range ids {
		paths = append(paths, portraits[id]...)
	}
	// Only the faces are needed: no register, so no face is shown on the
	// batch's say-so (and none is exported here).
	photos, err := Batch{Finder: finder, Workers: workers, Progress: progress}.Run(ctx, paths)
	if err != nil {
		return nil, fmt.Errorf("enrol from %s: %w", dir, err)
	}
	byPath := make(map[string]*Photo, len(photos))
	for _, p := range photos {
		byPath[p.Path] = p
	}
	result := make([]Enrolment, 0, len(ids))
	for _, id := range ids {
		e := Enrolment{PersonID: id}
		var descriptors [][]float32
		for _, path := range portraits[id] {
			p := byPath[path]
			subject, faces := portraitFace(p.Faces)
			switch {
			case !p.Error.IsZero():
				e.Problems = append(e.Problems, p.Error)
			case faces == 0:
				e.Problems = append(e.Problems, msg.New("{{.File}} shows no face, want exactly one", "File", path))
			case faces != 1:
				e.Problems = append(e.Problems, msg.New("{{.File}} shows {{.Count}} faces, want exactly one", "File", path, "Count", faces))
			default:
				d, _ := subject.Descriptor()
				descriptors = append(descriptors, d[:])
			}
		}
		e.Used = len(descriptors)
		if e.Used == 0 {
			e.Err = fmt.Errorf("%s: no usable portrait", id)
		} else if err := store.SetDescriptors(ctx, id, descriptors); err != nil {
			e.Err = err
		}
		result = append(result, e)
	}
	return result, nil
}

// bystanderHeight is how tall, against the portrait's largest face, a face
// may be and still count as someone in the background: a face that tall
// or taller is a second person beside the subject (a sibling, a friend),
// and the portrait is refused rather than guessed.
const bystanderHeight = 0.6

// portraitFace returns a portrait's subject, its largest face, and how
// many faces compete with it: the subject and every face at least
// bystanderHeight as tall. Smaller faces are people far behind.
func portraitFace(faces []Face) (Face, int) {
	if len(faces) == 0 {
		return Face{}, 0
	}
	subject := slices.MaxFunc(faces, func(a, b Face) int { return a.Box.Dy() - b.Box.Dy() })
	n := 0
	for _, f := range faces {
		if float64(f.Box.Dy()) >= bystanderHeight*float64(subject.Box.Dy()) {
			n++
		}
	}
	return subject, n
}

// Portraits lists the portraits in dir by person id: a photo file names its
// person, a folder holds photos of the person it is named after.
func Portraits(dir string) (map[string][]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read portraits: %w", err)
	}
	portraits := map[string][]string{}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir():
			if photos := Collect([]string{path}).Photos; len(photos) > 0 {
				portraits[e.Name()] = append(portraits[e.Name()], photos...)
			}
		case IsPhotoName(e.Name()):
			id := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
			portraits[id] = append(portraits[id], path)
		}
	}
	if len(portraits) == 0 {
		return nil, fmt.Errorf("no portraits in %s: want <id>.jpg files or a folder per id", dir)
	}
	return portraits, nil
}
