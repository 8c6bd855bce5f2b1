// Package app is PhotoVet's desktop user interface (Fyne). It shows what the
// vet and consent packages decide and lets staff act on it; it holds no
// business rules of its own.
package app

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/storage"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// ID is the app's unique identifier, as in FyneApp.toml.
const ID = "org.photovet.photovet"

// languageKey is the preference holding the chosen language ("" follows
// the system).
const languageKey = "language"

// Run opens the register in the data directory (PHOTOVET_DATA or the
// default) and the main window, and blocks until the window is closed.
// paths, photos or folders given on the command line ("Open with
// PhotoVet"), are taken as if dropped on the window.
func Run(version string, paths []string) (err error) {
	a := fyneapp.NewWithID(ID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	if err := setUpLanguage(a.Preferences().String(languageKey)); err != nil {
		fyne.LogError("language", err)
	}
	ctx := context.Background()
	dir, err := consent.DataDir("")
	if err != nil {
		return err
	}
	store, err := consent.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	faces := engineSource()
	defer func() { err = errors.Join(err, faces.Close()) }()
	problem := checkModels()
	if problem.IsZero() {
		go faces.Finder() // the models load while the teacher finds the photos
	}
	w := NewMainWindow(a, store, faces, version, problem)
	if len(paths) > 0 {
		uris := make([]fyne.URI, len(paths))
		for i, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			uris[i] = storage.NewFileURI(abs)
		}
		a.Lifecycle().SetOnStarted(func() { w.AddURIs(uris) })
	}
	w.ShowAndRun()
	return nil
}

// checkModels returns a message for the teacher when the face models are not
// usable, or the zero Message when they verify.
func checkModels() msg.Text {
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
