// Package app is PhotoVet's desktop user interface (Fyne). It shows what the
// vet and consent packages decide and lets staff act on it; it holds no
// business rules of its own.
package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// appID is the app's unique identifier, as in FyneApp.toml.
const appID = "org.photovet.photovet"

// languageKey is the preference holding the chosen language ("" follows
// the system).
const languageKey = "language"

// unreachableWindow says that the shared register cannot be reached, and
// since when, in the user's language.
func unreachableWindow(a fyne.App, err error) fyne.Window {
	w := a.NewWindow("PhotoVet")
	text := widget.NewLabel(errorText(err))
	text.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(lang.L("No photo can be vetted or exported without the register. Check the network, or ask your IT contact."))
	hint.Wrapping = fyne.TextWrapWord
	quit := widget.NewButton(lang.L("Quit"), w.Close)
	w.SetContent(container.NewPadded(container.NewVBox(text, hint, container.NewHBox(quit))))
	w.Resize(fyne.NewSize(640, 240))
	return w
}

// registerKey is the preference holding this computer's shared register
// (a postgres:// URL; "" keeps the register in the data directory).
// PHOTOVET_REGISTER overrides it.
const registerKey = "register"

// Run opens the register in the data directory (PHOTOVET_DATA or the
// default) and the main window with the batch kept from last time, and
// blocks until the window is closed.
// paths, photos or folders given on the command line ("Open with
// PhotoVet"), are taken as if dropped on the window.
func Run(version string, paths []string) (err error) {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	if err := setUpLanguage(a.Preferences().String(languageKey)); err != nil {
		fyne.LogError("language", err)
	}
	ctx := context.Background()
	dir, err := consent.DataDir("")
	if err != nil {
		return err
	}
	register := os.Getenv(consent.RegisterEnv)
	if register == "" {
		register = a.Preferences().String(registerKey)
	}
	store, err := consent.OpenRegister(ctx, register, dir)
	if errors.Is(err, consent.ErrUnreachable) {
		// Nothing can be vetted without the register (R4): the window
		// says why, and since when, instead of opening.
		unreachableWindow(a, err).ShowAndRun()
		return err
	}
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	faces := vet.NewFaces(vet.LoadEngine)
	defer func() { err = errors.Join(err, faces.Close()) }()
	problem := vet.ModelProblem()
	if problem.IsZero() {
		go faces.Finder() // the models load while the teacher finds the photos
	}
	w := newMainWindow(a, store, faces, version, problem)
	uris := make([]fyne.URI, len(paths))
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		uris[i] = storage.NewFileURI(abs)
	}
	// The batch kept from last time comes back first; photos given on the
	// command line join it.
	a.Lifecycle().SetOnStarted(func() {
		w.restoreBatch()
		if len(uris) > 0 {
			w.addURIs(uris)
		}
	})
	w.ShowAndRun()
	return nil
}
