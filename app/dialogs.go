package app

import (
	"math"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

// purpose is what a file dialog chooses; each purpose's dialog starts in
// the folder last used for it, remembered on this computer (Fyne's
// preferences), since the photos, the portraits, the roster and the
// exports each live in a folder of their own.
type purpose string

// The purposes of the app's file dialogs.
const (
	forPhotos    purpose = "photos"
	forPortraits purpose = "portraits"
	forRoster    purpose = "roster"
	forExport    purpose = "export"
)

// lastFolderKey is the preference holding the folder last used for p.
func (p purpose) lastFolderKey() string { return "last_folder_" + string(p) }

// remember records dir as the folder last used for p.
func (p purpose) remember(dir string) {
	fyne.CurrentApp().Preferences().SetString(p.lastFolderKey(), dir)
}

// startFolder is where p's dialog starts: the folder last used for it, or
// the nearest folder above it that is still there, else the home folder.
func (p purpose) startFolder() string {
	dir := fyne.CurrentApp().Preferences().String(p.lastFolderKey())
	for dir != "" && filepath.IsAbs(dir) {
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return homeDir()
}

// startIn points a file dialog at p's start folder.
func (p purpose) startIn(set func(fyne.ListableURI)) {
	if dir, err := storage.ListerForURI(storage.NewFileURI(p.startFolder())); err == nil {
		set(dir)
	}
}

// showFolderDialog asks for a folder for p, starting in the folder last
// used for it, and calls pick with its path; failed is called when the
// folder cannot be opened. title and confirm say what the folder is for,
// in place of the dialog's own "Open Folder" and "Open". Fyne's folder
// dialog shows folders only.
func showFolderDialog(parent fyne.Window, p purpose, title, confirm string, pick func(dir string), failed func(error)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			failed(err)
			return
		}
		if dir != nil {
			p.remember(dir.Path())
			pick(dir.Path())
		}
	}, parent)
	p.startIn(d.SetLocation)
	d.SetTitleText(title)
	d.SetConfirmText(confirm)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// photoFiles shows, in a file dialog, the folders and the files PhotoVet
// loads as photos (vet.IsPhotoName: JPEG, PNG, HEIC, in any case).
type photoFiles struct{}

// Matches reports whether u names a photo.
func (photoFiles) Matches(u fyne.URI) bool { return vet.IsPhotoName(u.Name()) }

// showPhotoFilesDialog asks for photo files one at a time, for Fyne's file
// dialog chooses one: each photo chosen is passed to pick at once and the
// dialog opens again in its folder, until the teacher presses Finish. The
// title counts the photos chosen.
func showPhotoFilesDialog(parent fyne.Window, pick func(path string), failed func(error)) {
	showNextPhotoFile(parent, 0, pick, failed)
}

func showNextPhotoFile(parent fyne.Window, chosen int, pick func(path string), failed func(error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			failed(err)
			return
		}
		if r == nil {
			return // Finish
		}
		path := r.URI().Path()
		if err := r.Close(); err != nil {
			failed(err)
			return
		}
		forPhotos.remember(filepath.Dir(path))
		showNextPhotoFile(parent, chosen+1, pick, failed) // first: the photo's processing then draws over it
		pick(path)
	}, parent)
	d.SetFilter(photoFiles{})
	forPhotos.startIn(d.SetLocation)
	title := lang.L("Choose a photo to vet")
	if chosen > 0 {
		title = lang.N("{{.Count}} photos added. Choose another, or press Finish.", chosen, map[string]any{"Count": chosen})
	}
	d.SetTitleText(title)
	d.SetConfirmText(lang.L("Add this photo"))
	d.SetDismissText(lang.L("Finish"))
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

func homeDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "/"
	}
	return home
}

// showProblem tells the teacher what could not be done, with the error's
// details below.
func showProblem(win fyne.Window, what string, err error) {
	showResult(win, lang.L("Something went wrong"), problemLines(what, err)...)
}

// showResult shows lines of text in a dialog with a Close button.
func showResult(win fyne.Window, title string, lines ...string) {
	dialog.NewCustom(title, lang.L("Close"), resultContent(lines), win).Show()
}

// resultContent shows lines of text, wrapped, scrolling when they are
// many. Its height is estimated from the text, since a wrapping label knows
// its height only once it has a width.
func resultContent(lines []string) fyne.CanvasObject {
	const width = 560
	l := widget.NewLabel(strings.Join(lines, "\n"))
	l.Wrapping = fyne.TextWrapWord
	size, style := theme.TextSize(), fyne.TextStyle{}
	textWidth := float64(width - 2*theme.InnerPadding())
	rows := 0
	for _, line := range lines {
		// Wrapping at words leaves part of each row empty: count 15% more.
		w := float64(fyne.MeasureText(line, size, style).Width) * 1.15
		rows += max(1, int(math.Ceil(w/textWidth)))
	}
	lineHeight := fyne.MeasureText("Mg", size, style).Height + theme.LineSpacing()
	height := float32(rows)*lineHeight + 2*theme.InnerPadding()
	s := container.NewVScroll(l)
	s.SetMinSize(fyne.NewSize(width, min(height, 400)))
	return s
}

// problemLines are the lines of a problem dialog: what could not be done,
// then the details, translated where the error carries a message.
func problemLines(what string, err error) []string {
	return []string{what, "", lang.L("Details: {{.Error}}", map[string]any{"Error": errorText(err)})}
}
