package app

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
)

// The roster import of the register: the children and staff from the
// school administration system's CSV, and the template to start from.

// chooseRoster asks for the roster file and imports it.
func (v *registerView) chooseRoster() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.showError(lang.L("The file could not be opened."), err)
			return
		}
		if r != nil {
			forRoster.remember(filepath.Dir(r.URI().Path()))
			v.importRoster(r)
		}
	}, v.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV", ".txt"}))
	forRoster.startIn(d.SetLocation)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// importRoster imports the roster read from r, and closes r. The import runs
// in the background; the result is shown in a dialog and the table.
func (v *registerView) importRoster(r io.ReadCloser) {
	if !v.startJob(lang.L("Importing the roster..."), nil) {
		r.Close()
		return
	}
	today := v.today()
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		defer r.Close()
		sum, err := v.store.ImportRoster(v.ctx, r, consent.ImportOptions{
			Today: today,
			Progress: func(done, total int) {
				fyne.Do(func() { v.progress.set(done, total) })
			},
		})
		if err != nil {
			err = fmt.Errorf("import the roster: %w", err)
		}
		fyne.Do(func() { v.importDone(sum, err) })
	}()
}

// importDone ends the import: the table shows the register as it is now,
// and a dialog how the import went.
func (v *registerView) importDone(sum consent.ImportSummary, err error) {
	v.endJob()
	v.showImport(sum, err)
	v.refresh() // last: its answer changes the view
}

// showImport tells the teacher how the import went.
func (v *registerView) showImport(sum consent.ImportSummary, err error) {
	var rosterErr *consent.RosterError
	switch {
	case errors.As(err, &rosterErr):
		lines := []string{
			lang.L("Nothing was imported: the file has mistakes. Correct these lines in the file (for example in your spreadsheet program) and import it again."),
			"",
		}
		for _, row := range rosterErr.Rows {
			if row.Field == "" {
				lines = append(lines, lang.L("line {{.Line}}: {{.Message}}", map[string]any{"Line": row.Line, "Message": tr(row.Msg)}))
			} else {
				lines = append(lines, lang.L("line {{.Line}}, {{.Field}}: {{.Message}}", map[string]any{"Line": row.Line, "Field": row.Field, "Message": tr(row.Msg)}))
			}
		}
		v.showResult(lang.L("The roster has mistakes"), lines...)
	case err != nil && !errors.Is(err, consent.ErrNotWiped):
		v.showError(lang.L("The roster could not be imported. Nothing was changed."), err)
	default:
		lines := []string{
			lang.L("The roster was imported. New people: {{.Added}}. Updated: {{.Updated}}.", map[string]any{"Added": sum.Added, "Updated": sum.Updated}),
		}
		if sum.OptInsRemoved > 0 {
			lines = append(lines, lang.L("Face recognition opt-ins removed by the roster: {{.Count}}. Their stored face data was deleted.", map[string]any{"Count": sum.OptInsRemoved}))
		}
		if err != nil { // imported, but the deleted face data is still on the disk
			lines = append(lines, "", capitalized(errorText(err)))
		}
		lines = append(lines, "", lang.L("Next: check the consents in the table, then press \"Enrol portraits...\" so PhotoVet can recognise the children and staff who opted in."))
		v.showResult(lang.L("Roster imported"), lines...)
	}
}

// chooseTemplateTarget saves the template roster where the teacher says.
func (v *registerView) chooseTemplateTarget() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			v.showError(lang.L("The file could not be saved."), err)
			return
		}
		if w != nil {
			forRoster.remember(filepath.Dir(w.URI().Path()))
			v.templateChosen(w)
		}
	}, v.win)
	d.SetFileName("roster_template.csv")
	forRoster.startIn(d.SetLocation)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// templateChosen saves the template roster to w, and says what to do
// with it next or why it could not be saved.
func (v *registerView) templateChosen(w io.WriteCloser) {
	if err := saveTemplate(w); err != nil {
		v.showError(lang.L("The file could not be saved."), err)
		return
	}
	v.showResult(lang.L("Template saved"),
		lang.L("Open the file in your spreadsheet program, replace the example people with your own (one row per child or staff member), save it as CSV and import it with \"Import roster CSV...\"."))
}

// saveTemplate writes the template roster to w and closes it.
func saveTemplate(w io.WriteCloser) error {
	_, err := w.Write(assets.RosterTemplateCSV)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save the template roster: %w", err)
	}
	return nil
}
