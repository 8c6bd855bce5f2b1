package app

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
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
	dialog.NewCustom(lang.L("Something went wrong"), lang.L("Close"), regResultContent(problemLines(what, err)), win).Show()
}

// problemLines are the lines of a problem dialog: what could not be done,
// then the details, translated where the error carries a message.
func problemLines(what string, err error) []string {
	return []string{what, "", lang.L("Details: {{.Error}}", map[string]any{"Error": errorText(err)})}
}
