package vet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// ErrNoUsablePortrait reports a person with a biometric opt-in none of
// whose portraits could serve as a reference; Enrolment.Problems says why
// for each.
var ErrNoUsablePortrait = errors.New("no usable portrait")

// Enrolment is what enrolling one person's portraits did.
type Enrolment struct {
	PersonID string
	// Portraits is how many portrait files were found for the person.
	Portraits int
	// Used is how many portraits gave a reference; the person is enrolled
	// when it is above zero and Err is nil.
	Used int
	// Problems lists, for each portrait that was looked at and not used,
	// why (no face, several faces, too small, turned away, blurred, like
	// another person's, unreadable): never guessed. Used + len(Problems)
	// is Portraits for everyone whose portraits were looked at; nobody's
	// are without a biometric opt-in (R9).
	Problems []msg.Text
	// Err says why the person was not enrolled, in words (msg.FromError):
	// not in the register (consent.ErrNotFound), no biometric opt-in
	// (consent.ErrNoBiometricOptIn), no usable portrait
	// (ErrNoUsablePortrait), or the register's failure.
	Err error
}

// Enrolled reports whether the person's references were stored.
func (e Enrolment) Enrolled() bool { return e.Err == nil && e.Used > 0 }

// enrolError is why a person was not enrolled, in words, matching a
// sentinel error.
type enrolError struct {
	words *msg.Error
	kind  error
}

func (e *enrolError) Error() string   { return e.words.Error() }
func (e *enrolError) Unwrap() []error { return []error{e.words, e.kind} }

// Enroll stores reference descriptors from the portraits in dir: DIR/<id>.jpg
// with DIR/<id>_2.jpg, DIR/<id>_3.jpg ... for more of the same person, or
// any photos in DIR/<id>/ (school portrait day). The register is read
// first: only people in it with a biometric opt-in have their portraits
// opened at all (R9); the others are reported with the reason. A portrait
// is used when it shows exactly one face, people far in the background
// aside (portraitFace), of at least vision.MinReferenceHeight pixels, not
// turned away (vision.MaxReferenceTurn), sharp (vision.MinReferenceSharpness),
// not far from every other portrait of the person (a photo of
// someone else under their id, consent.Strangers), and not as near to
// another person's portrait as one person's photos come (a likely mix-up
// of files, consent.LikelyMixUp). The person's references are replaced by
// the portraits used. The result is sorted by person id; progress, when
// set, is called after each portrait looked at. When ctx is cancelled
// nothing is stored.
func Enroll(ctx context.Context, store *consent.Store, finder vision.FaceFinder, workers int, dir string, progress func(Progress)) ([]Enrolment, error) {
	portraits, err := Portraits(dir)
	if err != nil {
		return nil, err
	}
	reg, err := store.Register(ctx)
	if err != nil {
		return nil, fmt.Errorf("enrol from %s: %w", dir, err)
	}
	stored, err := store.References(ctx)
	if err != nil {
		return nil, fmt.Errorf("enrol from %s: %w", dir, err)
	}
	byID := map[string][]string{}
	for name, paths := range portraits {
		id := portraitOwner(name, reg)
		byID[id] = append(byID[id], paths...)
	}
	ids := slices.Sorted(maps.Keys(byID))
	result := make([]Enrolment, len(ids))
	var looked []string
	for i, id := range ids {
		slices.Sort(byID[id])
		e := &result[i]
		e.PersonID, e.Portraits = id, len(byID[id])
		switch p := reg.People[id]; {
		case p == nil:
			e.Err = &enrolError{&msg.Error{Text: msg.New("nobody in the register has the id {{.ID}}: name the portrait after the id in the roster", "ID", id)}, consent.ErrNotFound}
		case !p.BiometricOptIn:
			e.Err = &enrolError{&msg.Error{Text: msg.New("{{.Name}} has no biometric opt-in recorded, so their portrait was not looked at (they can still be assigned by hand)", "Name", p.DisplayName())}, consent.ErrNoBiometricOptIn}
		default:
			looked = append(looked, byID[id]...)
		}
	}
	measured, err := measurePortraits(ctx, finder, workers, looked, progress)
	if err != nil {
		return nil, fmt.Errorf("enrol from %s: %w", dir, err)
	}
	refuseStrangers(measured, byID, result, reg)
	refuseMixUps(measured, byID, result, stored, reg)
	for i := range result {
		e := &result[i]
		if e.Err != nil {
			continue
		}
		var descriptors [][]float32
		for _, path := range byID[e.PersonID] {
			if m := measured[path]; m.problem.IsZero() {
				descriptors = append(descriptors, m.descriptor[:])
			} else {
				e.Problems = append(e.Problems, m.problem)
			}
		}
		e.Used = len(descriptors)
		if e.Used == 0 {
			e.Err = &enrolError{&msg.Error{Text: msg.New("no usable portrait of {{.Name}}", "Name", reg.People[e.PersonID].DisplayName())}, ErrNoUsablePortrait}
		} else if err := store.SetDescriptors(ctx, e.PersonID, descriptors); err != nil {
			e.Err = err
		}
	}
	return result, nil
}

// portraitNumber is the _2, _3 ... after an id that names a person's
// further portraits.
var portraitNumber = regexp.MustCompile(`^(.+)_[0-9]+$`)

// portraitOwner returns the id of the person a portrait's name (its file
// name without extension, or its folder's name) stands for: the name
// itself when it is an id in the register, else the id before a _N
// suffix when that is one, else the name as it is (reported as not in the
// register).
func portraitOwner(name string, reg *consent.Register) string {
	if reg.People[name] != nil {
		return name
	}
	if m := portraitNumber.FindStringSubmatch(name); m != nil && reg.People[m[1]] != nil {
		return m[1]
	}
	return name
}

// measuredPortrait is what looking at one portrait found: the subject's
// descriptor, or why the portrait cannot be used.
type measuredPortrait struct {
	descriptor vision.Descriptor
	problem    msg.Text
}

// measurePortraits looks at the portraits at paths, workers at a time, and
// keeps of each only its subject's descriptor or its problem: the decoded
// photo is dropped at once.
func measurePortraits(ctx context.Context, finder vision.FaceFinder, workers int, paths []string, progress func(Progress)) (map[string]measuredPortrait, error) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	jobs := make(chan string)
	var mu sync.Mutex
	out := make(map[string]measuredPortrait, len(paths))
	var wg sync.WaitGroup
	for range min(workers, max(len(paths), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range jobs {
				m := measurePortrait(ctx, finder, path)
				if ctx.Err() != nil {
					continue
				}
				mu.Lock()
				out[path] = m
				done := len(out)
				if progress != nil {
					progress(Progress{Done: done, Total: len(paths), Photo: &Photo{Path: path, Error: m.problem}})
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, path := range paths {
		select {
		case jobs <- path:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// measurePortrait looks at one portrait (see Enroll for what is asked of it).
func measurePortrait(ctx context.Context, finder vision.FaceFinder, path string) measuredPortrait {
	photo, _, err := load(ctx, path)
	if err != nil {
		return measuredPortrait{problem: failure(path, err)}
	}
	faces, err := finder.Find(ctx, photo)
	if err != nil {
		return measuredPortrait{problem: msg.New("{{.File}}: the faces could not be searched: {{.Error}}", "File", path, "Error", err.Error())}
	}
	subject, n := portraitFace(faces)
	if n != 1 {
		if n == 0 {
			return measuredPortrait{problem: msg.New("{{.File}} shows no face: a portrait must show exactly one", "File", path)}
		}
		return measuredPortrait{problem: msg.New("{{.File}} shows {{.Count}} faces: a portrait must show exactly one", "File", path, "Count", n)}
	}
	q := vision.MeasureFace(photo.Image, subject)
	switch {
	case q.Height < vision.MinReferenceHeight:
		return measuredPortrait{problem: msg.New("{{.File}}: the face is {{.Height}} px high, too small for a reference (want {{.Min}} px or more: a closer portrait)", "File", path, "Height", q.Height, "Min", vision.MinReferenceHeight)}
	case !(q.Turn <= vision.MaxReferenceTurn):
		return measuredPortrait{problem: msg.New("{{.File}}: the face is turned away from the camera (want a portrait looking into the camera)", "File", path)}
	case !(q.Sharpness >= vision.MinReferenceSharpness):
		return measuredPortrait{problem: msg.New("{{.File}}: the face is blurred (want a sharp portrait)", "File", path)}
	}
	return measuredPortrait{descriptor: subject.Descriptor}
}

// refuseStrangers marks, as a problem, each usable portrait of a person
// that does not look like any of their other usable portraits
// (consent.Strangers).
func refuseStrangers(measured map[string]measuredPortrait, byID map[string][]string, result []Enrolment, reg *consent.Register) {
	for _, e := range result {
		if e.Err != nil {
			continue
		}
		var paths []string
		var descriptors [][]float32
		for _, path := range byID[e.PersonID] {
			if m := measured[path]; m.problem.IsZero() {
				paths = append(paths, path)
				descriptors = append(descriptors, m.descriptor[:])
			}
		}
		for i, odd := range consent.Strangers(descriptors) {
			if odd {
				m := measured[paths[i]]
				m.problem = msg.New("{{.File}} does not look like the other portraits of {{.Name}}: is it a photo of someone else?", "File", paths[i], "Name", reg.People[e.PersonID].DisplayName())
				measured[paths[i]] = m
			}
		}
	}
}

// refuseMixUps marks, as a problem, each usable portrait that lies as near
// to another person's reference as a copy or a photo of the same sitting
// (consent.LikelyMixUp): another person's stored references, unless this
// enrolment replaces them, and the other usable portraits of this
// enrolment. Both portraits of a pair are refused: which file is wrong is
// for a person to see.
func refuseMixUps(measured map[string]measuredPortrait, byID map[string][]string, result []Enrolment, stored []consent.Reference, reg *consent.Register) {
	replaced := map[string]bool{}
	var fresh []consent.Reference
	for _, e := range result {
		if e.Err != nil {
			continue
		}
		for _, path := range byID[e.PersonID] {
			if m := measured[path]; m.problem.IsZero() {
				replaced[e.PersonID] = true
				fresh = append(fresh, consent.Reference{PersonID: e.PersonID, Descriptor: m.descriptor[:]})
			}
		}
	}
	refs := slices.DeleteFunc(slices.Clone(stored), func(r consent.Reference) bool { return replaced[r.PersonID] })
	refs = append(refs, fresh...)
	problems := map[string]msg.Text{}
	for _, e := range result {
		if e.Err != nil {
			continue
		}
		for _, path := range byID[e.PersonID] {
			m := measured[path]
			if !m.problem.IsZero() {
				continue
			}
			if other, _, found := consent.LikelyMixUp(refs, e.PersonID, m.descriptor[:]); found {
				name := other
				if p := reg.People[other]; p != nil {
					name = p.DisplayName() + " (" + other + ")"
				}
				problems[path] = msg.New("{{.File}} looks like the portrait of {{.Name}}: are the files mixed up?", "File", path, "Name", name)
			}
		}
	}
	for path, problem := range problems {
		m := measured[path]
		m.problem = problem
		measured[path] = m
	}
}

// bystanderHeight is how tall, against the portrait's largest face, a face
// may be and still count as someone in the background: a face that tall
// or taller is a second person beside the subject (a sibling, a friend),
// and the portrait is refused rather than guessed.
const bystanderHeight = 0.6

// portraitFace returns a portrait's subject, its largest face, and how
// many faces compete with it: the subject and every face at least
// bystanderHeight as tall. Smaller faces are people far behind.
func portraitFace(faces []vision.Face) (vision.Face, int) {
	if len(faces) == 0 {
		return vision.Face{}, 0
	}
	subject := slices.MaxFunc(faces, func(a, b vision.Face) int { return a.Box.Dy() - b.Box.Dy() })
	n := 0
	for _, f := range faces {
		if float64(f.Box.Dy()) >= bystanderHeight*float64(subject.Box.Dy()) {
			n++
		}
	}
	return subject, n
}

// Portraits lists the portraits in dir by the name they carry: a photo
// file's name without its extension (<id> or <id>_N), a folder's name for
// the photos in it. Enroll tells the person's id from the name.
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
