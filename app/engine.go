package app

import (
	"sync"

	"github.com/photovet/photovet/vision"
)

// faceSource hands out the face finder, loading it on first use: the models
// take seconds to load, so the window opens first and the loading happens
// in the background. Finder blocks; call it from a worker goroutine.
type faceSource struct {
	load func() (vision.FaceFinder, int, error)

	once    sync.Once
	finder  vision.FaceFinder
	workers int
	err     error
}

// newFaceSource returns a source that calls load once, when first asked.
// load returns the finder and how many photos it can work on at once.
func newFaceSource(load func() (vision.FaceFinder, int, error)) *faceSource {
	return &faceSource{load: load}
}

// engineSource loads the real dlib engine, one model set per core.
func engineSource() *faceSource {
	return newFaceSource(func() (vision.FaceFinder, int, error) {
		dir, err := vision.ModelDir()
		if err != nil {
			return nil, 0, err
		}
		e, err := vision.NewEngine(dir, 0, vision.DefaultDetectOptions())
		if err != nil {
			return nil, 0, err
		}
		return e, e.Workers(), nil
	})
}

// Finder returns the face finder and its number of workers, loading it
// the first time.
func (s *faceSource) Finder() (vision.FaceFinder, int, error) {
	s.once.Do(func() { s.finder, s.workers, s.err = s.load() })
	return s.finder, s.workers, s.err
}

// Close frees the finder when it was loaded and can be closed.
func (s *faceSource) Close() error {
	var closeErr error
	s.once.Do(func() {}) // nothing loads after Close
	if c, ok := s.finder.(interface{ Close() error }); ok {
		closeErr = c.Close()
	}
	return closeErr
}
