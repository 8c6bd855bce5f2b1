package app

import (
	"math"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showFolderDialog asks for a folder, starting in the home folder, and
// calls pick with its path; failed is called when the folder cannot be
// opened. title and confirm say what the folder is for, in place of the
// dialog's own "Open Folder" and "Open".
func showFolderDialog(parent fyne.Window, title, confirm string, pick func(dir string), failed func(error)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			failed(err)
			return
		}
		if dir != nil {
			pick(dir.Path())
		}
	}, parent)
	startInHome(d.SetLocation)
	d.SetTitleText(title)
	d.SetConfirmText(confirm)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// startInHome points a file dialog at the user's home folder.
func startInHome(set func(fyne.ListableURI)) {
	if home, err := storage.ListerForURI(storage.NewFileURI(homeDir())); err == nil {
		set(home)
	}
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
