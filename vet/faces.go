package vet

import (
	"errors"
	"io/fs"
	"sync"

	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// Faces hands out the face finder, loading it on first use: the models
// take seconds to load, so a window can open first and load them in the
// background. Finder blocks; the app calls it from a worker goroutine.
type Faces struct {
	load func() (vision.FaceFinder, int, error)

	once    sync.Once
	finder  vision.FaceFinder
	workers int
	err     error
}

// NewFaces returns a source that calls load once, when first asked. load
// returns the finder and how many photos it works on at once; LoadEngine
// is the real one.
func NewFaces(load func() (vision.FaceFinder, int, error)) *Faces {
	return &Faces{load: load}
}

// LoadEngine loads the real face engine from the model directory
// (vision.ModelDir), one model set per core.
func LoadEngine() (vision.FaceFinder, int, error) {
	dir, err := vision.ModelDir()
	if err != nil {
		return nil, 0, err
	}
	e, err := vision.NewEngine(dir, 0, vision.DefaultDetectOptions())
	if err != nil {
		return nil, 0, err
	}
	return e, e.Workers(), nil
}

// Finder returns the face finder and its number of workers, loading it
// the first time.
func (f *Faces) Finder() (vision.FaceFinder, int, error) {
	f.once.Do(func() { f.finder, f.workers, f.err = f.load() })
	return f.finder, f.workers, f.err
}

// Close frees the finder when it was loaded and can be closed; nothing
// loads after Close.
func (f *Faces) Close() error {
	f.once.Do(func() {})
	if c, ok := f.finder.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// ModelProblem says, in words for staff, why the face models are not
// usable; it is the zero Text when they verify. Photos are not vetted
// without them.
func ModelProblem() msg.Text {
	dir, err := vision.ModelDir()
	if err != nil {
		return msg.New("PhotoVet cannot recognise faces yet: {{.Error}}. Ask your IT contact to install PhotoVet again (or, in its source folder, to run \"make run\" once with a network connection).", "Error", err.Error())
	}
	files, err := vision.CheckModels(dir)
	if err == nil {
		return msg.Text{}
	}
	for _, f := range files {
		switch {
		case errors.Is(f.Err, fs.ErrNotExist):
			return msg.New("PhotoVet cannot recognise faces yet: the face model {{.File}} is missing. Ask your IT contact to install PhotoVet again (or, in its source folder, to run \"make run\" once with a network connection).", "File", f.Path)
		case f.Err != nil:
			return msg.New("PhotoVet cannot recognise faces yet: the face model {{.File}} is damaged ({{.Error}}). Ask your IT contact to install PhotoVet again (or, in its source folder, to run \"make run\" once with a network connection).", "File", f.Path, "Error", f.Err.Error())
		}
	}
	return msg.New("PhotoVet cannot recognise faces yet: {{.Error}}. Ask your IT contact to install PhotoVet again (or, in its source folder, to run \"make run\" once with a network connection).", "Error", err.Error())
}
