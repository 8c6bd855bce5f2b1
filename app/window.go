package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

// MainWindow is PhotoVet's main window: the place photos are dropped.
type MainWindow struct {
	fyne.Window
	status  *widget.Label
	warning *widget.Label // the model problem, nil when the models verify
	drop    *dropZone
}

// NewMainWindow builds the main window. modelProblem, when not empty, is shown
// as a warning because faces cannot be found without the models.
func NewMainWindow(a fyne.App, version, modelProblem string) *MainWindow {
	w := &MainWindow{Window: a.NewWindow("PhotoVet")}
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord
	w.drop = newDropZone()

	add := widget.NewButtonWithIcon("Add photos...", theme.FolderOpenIcon(), w.chooseFolder)
	add.Importance = widget.HighImportance

	var top fyne.CanvasObject // nil: nothing above the drop zone
	if modelProblem != "" {
		w.warning = widget.NewLabel(modelProblem)
		w.warning.Wrapping = fyne.TextWrapWord
		w.warning.Importance = widget.DangerImportance
		top = widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w.warning))
	}
	footer := container.NewBorder(nil, nil, nil, widget.NewLabel("PhotoVet "+version), w.status)
	w.SetContent(container.NewBorder(top, footer, nil, nil,
		container.NewPadded(container.NewBorder(nil, container.NewCenter(add), nil, nil, w.drop))))
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.AddURIs(uris) })
	w.Resize(fyne.NewSize(960, 680))
	return w
}

// AddURIs takes dropped or chosen files and folders. The window's drop
// callback only forwards here, so tests can drive it directly.
func (w *MainWindow) AddURIs(uris []fyne.URI) {
	paths := make([]string, 0, len(uris))
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	c := vet.Collect(paths)
	w.showCollection(c)
}

func (w *MainWindow) showCollection(c vet.Collection) {
	msg := fmt.Sprintf("%d photos found", len(c.Photos))
	if len(c.Skipped) > 0 {
		msg += fmt.Sprintf(", %d other files skipped", len(c.Skipped))
	}
	w.status.SetText(msg + ".")
	w.drop.setCount(len(c.Photos))
}

func (w *MainWindow) chooseFolder() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			dialog.ShowError(err, w)
			return
		}
		if dir != nil {
			w.AddURIs([]fyne.URI{dir})
		}
	}, w)
	if home, err := storage.ListerForURI(storage.NewFileURI(homeDir())); err == nil {
		d.SetLocation(home)
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}
