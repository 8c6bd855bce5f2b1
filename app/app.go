// Package app is PhotoVet's desktop user interface (Fyne). It shows what the
// vet and consent packages decide and lets staff act on it; it holds no
// business rules of its own.
package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/vision"
)

// ID is the app's unique identifier, as in FyneApp.toml.
const ID = "org.photovet.photovet"

// Run opens the main window and blocks until it is closed.
func Run(version string) error {
	a := fyneapp.NewWithID(ID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := NewMainWindow(a, version, checkModels())
	w.ShowAndRun()
	return nil
}

// checkModels returns a message for the teacher when the face models are not
// usable, or "" when they verify.
func checkModels() string {
	dir, err := vision.ModelDir()
	if err != nil {
		return fmt.Sprintf("PhotoVet cannot recognise faces yet: %v.", err)
	}
	files, err := vision.CheckModels(dir)
	if err == nil {
		return ""
	}
	for _, f := range files {
		if f.Err != nil {
			return fmt.Sprintf("PhotoVet cannot recognise faces yet: the face model %s (%v). "+
				"Ask your IT contact to run \"make run\" in the PhotoVet folder once with a network connection.", f.Path, f.Err)
		}
	}
	return err.Error()
}
