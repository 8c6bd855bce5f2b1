package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

// vettedByKey is the preference that remembers who vets on this laptop.
const vettedByKey = "vetted_by"

// exportSummary is what an export did, in numbers and reasons.
type exportSummary struct {
	dir      string
	exported int
	learned  int      // faces named by hand that joined the references
	notDone  []string // "photo.jpg: reason" for each photo not exported
	failed   []string // photos that could not be written
}

// chooseExportFolder asks where the cleared photos go, then confirms.
func (w *mainWindow) chooseExportFolder() {
	showFolderDialog(w, forExport, lang.L("Choose the folder to export the cleared photos to"), lang.L("Export here"), w.confirmExport, func(err error) { w.showError(lang.L("The folder could not be opened."), err) })
}

// confirmExport says what will happen and asks who is vetting (for the
// record), then exports to dir.
func (w *mainWindow) confirmExport(dir string) {
	counts := w.session.counts()
	toExport := w.session.unexported()
	exportedBefore := counts[vet.Cleared] - toExport
	if toExport == 0 && exportedBefore > 0 {
		// A restored batch keeps its Exported badges: exporting again
		// would write nothing and say "0 photos exported".
		dialog.ShowInformation(lang.L("Export"), lang.L("Every cleared photo of this batch has been exported."), w)
		return
	}
	// Asked once: the login name ("root", "leraar3") is no person for the
	// record, so the field starts empty until someone has given their name.
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Your first and last name"))
	name.SetText(fyne.CurrentApp().Preferences().String(vettedByKey))
	name.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s", lang.L("Your name is recorded with each published photo"))
		}
		return nil
	}
	// The channel and the unit decide who is hidden: the dialog names both
	// in the words of the selectors, so that a wrong one is caught here.
	job := w.session.Job
	bold := fyne.TextStyle{Bold: true}
	settings := widget.NewForm(
		widget.NewFormItem(lang.L("Publish on"), widget.NewLabelWithStyle(channelName(job.Channel), fyne.TextAlignLeading, bold)),
		widget.NewFormItem(lang.L("Unit"), widget.NewLabelWithStyle(unitLabel(job.Unit), fyne.TextAlignLeading, bold)))
	text := lang.N("{{.Cleared}} cleared photos will be saved to {{.Dir}} for {{.Channel}}, checked with the rules for {{.Unit}}, with every hidden face blurred and all hidden data removed. Your originals stay as they are. If the channel or the unit is wrong, cancel and change it first.",
		toExport, map[string]any{"Cleared": toExport, "Dir": dir, "Channel": channelName(job.Channel), "Unit": unitLabel(job.Unit)})
	if exportedBefore > 0 {
		text += "\n" + lang.N("{{.Count}} photos were exported before and are not exported again.", exportedBefore, map[string]any{"Count": exportedBefore})
	}
	if skipped := len(w.session.photos) - counts[vet.Cleared]; skipped > 0 {
		text += "\n" + lang.N("{{.Count}} photos are not exported: they need review, are blocked or could not be read.", skipped, map[string]any{"Count": skipped})
	}
	explain := widget.NewLabel(text)
	explain.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(lang.L("Vetted by"), name))
	d := dialog.NewCustomWithoutButtons(lang.L("Export"), container.NewVBox(settings, explain, form), w)
	// Export stays disabled without a name: a dialog that closed on it
	// and exported nothing left a teacher waiting for photos.
	export := widget.NewButtonWithIcon(lang.L("Export"), theme.ConfirmIcon(), func() {
		d.Hide()
		fyne.CurrentApp().Preferences().SetString(vettedByKey, strings.TrimSpace(name.Text))
		w.export(dir, strings.TrimSpace(name.Text))
	})
	export.Importance = widget.HighImportance
	enableExport := func(string) {
		if name.Validate() != nil {
			export.Disable()
		} else {
			export.Enable()
		}
	}
	name.OnChanged = enableExport
	enableExport(name.Text)
	d.SetButtons([]fyne.CanvasObject{widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), d.Hide), export})
	d.Resize(fyne.NewSize(640, 380))
	d.Show()
	if export.Disabled() {
		w.Canvas().Focus(name)
	}
}

// export writes the cleared photos to dir in a worker, showing progress,
// then the summary.
func (w *mainWindow) export(dir, vettedBy string) {
	if w.change != nil {
		// The photos are decided for the job before the one the
		// selectors are changing to: Export is disabled meanwhile, and a
		// dialog opened before refuses here.
		dialog.ShowInformation(lang.L("Export"), lang.L("PhotoVet is still checking the photos against the consent register. Export when it says it is done."), w)
		return
	}
	// Export decides again against the register; it works on copies so
	// the window can go on drawing the originals meanwhile.
	originals := w.session.photos
	copies := make([]*vet.Photo, len(originals))
	for i, p := range originals {
		if w.session.exported[p] == "" { // nil: exported before, not again
			copies[i] = p.Clone()
		}
	}
	bar := widget.NewProgressBar()
	progress := dialog.NewCustomWithoutButtons(lang.L("Exporting..."), bar, w)
	progress.Resize(fyne.NewSize(420, 120))
	progress.Show()
	vetting := w.session.Session
	go func() {
		outcomes, err := vetting.Export(context.Background(), copies, vet.ExportOptions{
			Dir: dir, VettedBy: vettedBy,
			Progress: func(done, total int) {
				fyne.Do(func() { bar.SetValue(float64(done) / float64(max(total, 1))) })
			},
		})
		fyne.Do(func() {
			progress.Hide()
			if err != nil {
				w.showError(lang.L("The photos could not be exported."), err)
				return
			}
			for i, c := range copies {
				if c != nil {
					*originals[i] = *c
				}
			}
			for _, o := range outcomes {
				// A photo published before (Earlier) is as exported as one
				// published now: it is not counted as waiting again.
				switch orig := originals[slices.Index(copies, o.Photo)]; {
				case o.Output != "":
					w.session.exported[orig] = o.Output
				case o.Earlier != nil:
					w.session.exported[orig] = o.Earlier.Path()
				}
			}
			w.refreshPhotos()
			w.showExportSummary(summarise(dir, outcomes))
		})
	}()
}

// summarise counts what an export did.
func summarise(dir string, outcomes []vet.Outcome) exportSummary {
	s := exportSummary{dir: dir}
	for _, o := range outcomes {
		name := baseName(o.Photo.Path)
		s.learned += o.Learned
		switch {
		case o.Output != "":
			s.exported++
		case o.Earlier != nil:
			s.notDone = append(s.notDone, name+": "+lang.L("already published as {{.File}} on {{.Date}}",
				map[string]any{"File": o.Earlier.Path(), "Date": o.Earlier.Date.String()}))
		case o.Err != nil:
			// Most messages name the file, some (the register lost
			// mid-export) do not: each line must say which photo.
			text := errorText(o.Err)
			if !strings.Contains(text, name) {
				text = name + ": " + text
			}
			s.failed = append(s.failed, text)
		default:
			var reasons []string
			for _, m := range o.Photo.Reasons {
				reasons = append(reasons, tr(m))
			}
			s.notDone = append(s.notDone, name+" ("+photoStatusLabel(o.Photo)+"): "+strings.Join(reasons, "; "))
		}
	}
	return s
}

// showExportSummary says what was exported and what was not and why, with
// a button that opens the folder.
func (w *mainWindow) showExportSummary(s exportSummary) {
	head := widget.NewLabelWithStyle(lang.N("{{.Count}} photos exported to {{.Dir}}. They are recorded in the register, so a withdrawn consent shows which posts to take down.",
		s.exported, map[string]any{"Count": s.exported, "Dir": s.dir}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	items := container.NewVBox(head)
	if s.learned > 0 {
		learned := widget.NewLabel(lang.N("{{.Count}} faces you named were added to the person's portraits, so PhotoVet recognises them next time.",
			s.learned, map[string]any{"Count": s.learned}))
		learned.Wrapping = fyne.TextWrapWord
		items.Add(learned)
	}
	if len(s.notDone) > 0 {
		items.Add(widget.NewLabel(lang.L("Not exported:")))
		for _, line := range s.notDone {
			l := widget.NewLabel("• " + line)
			l.Wrapping = fyne.TextWrapWord
			items.Add(l)
		}
	}
	if len(s.failed) > 0 {
		items.Add(widget.NewLabel(lang.L("Could not be written:")))
		for _, line := range s.failed {
			l := widget.NewLabel("• " + line)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.DangerImportance
			items.Add(l)
		}
	}
	scroll := container.NewVScroll(items)
	scroll.SetMinSize(fyne.NewSize(600, 260))
	d := dialog.NewCustomConfirm(lang.L("Export finished"), lang.L("Open folder"), lang.L("Close"), scroll, func(open bool) {
		if open {
			// The export is done: the dialog says what failed now, not
			// "Export finished" again.
			if err := fyne.CurrentApp().OpenURL(&url.URL{Scheme: "file", Path: filepath.Clean(s.dir)}); err != nil {
				showResult(w, lang.L("The folder could not be opened"),
					lang.L("PhotoVet could not open the folder here. Open {{.Dir}} in your file manager.", map[string]any{"Dir": s.dir}))
			}
		}
	}, w)
	d.Resize(fyne.NewSize(680, 420))
	d.Show()
	w.status.SetText(lang.N("{{.Count}} photos exported to {{.Dir}}.", s.exported, map[string]any{"Count": s.exported, "Dir": s.dir}))
	if w.exportFinished != nil {
		w.exportFinished(s)
	}
}
