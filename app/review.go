package app

import (
	"context"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// reviewView is the review of one photo: the photo with its boxes on the
// left, what is decided and what the reviewer can do on the right.
type reviewView struct {
	widget.BaseWidget
	win     *mainWindow
	session *session
	back    func()
	changed func(*vet.Photo)

	photo    *vet.Photo
	selected selection

	view       *photoView
	title      *widget.Label
	status     *widget.Label
	reasons    *widget.Label
	afterCheck *widget.Check
	nextButton *widget.Button

	redactButton *widget.Button
	undoButton   *widget.Button
	hideUnknown  *widget.Button

	guide        *widget.Label
	faceBox      *fyne.Container
	faceWho      *widget.Label
	faceDecision *widget.Label
	boxBox       *fyne.Container
	noFace       *widget.Check
	childWork    *widget.Label
	photographer *widget.Label
	// tools are what the reviewer can change on a photo that was read:
	// hidden for a file PhotoVet could not read.
	tools *fyne.Container
}

func newReviewView(w *mainWindow, s *session, back func(), changed func(*vet.Photo)) *reviewView {
	r := &reviewView{win: w, session: s, back: back, changed: changed, selected: noSelection()}
	r.view = newPhotoView(r.selectOverlay, r.addBox)
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.reasons = widget.NewLabel("")
	r.reasons.Wrapping = fyne.TextWrapWord
	r.afterCheck = widget.NewCheck(lang.L("Show what will be published (B)"), func(bool) {
		r.show(r.photo)
		r.win.Canvas().Unfocus() // keys go to the review again, not to the box
	})
	r.hideUnknown = widget.NewButtonWithIcon(lang.L("Hide every unknown face"), theme.VisibilityOffIcon(), func() { r.apply(vet.HideUnknown()) })
	r.hideUnknown.Importance = widget.HighImportance
	r.nextButton = widget.NewButtonWithIcon(lang.L("Next needing review (N)"), theme.MediaSkipNextIcon(), r.nextNeedingReview)

	r.guide = widget.NewLabel(lang.L("Click a face to change what happens to it. Drag on the photo to hide anything else: a missed face, a name tag."))
	r.guide.Wrapping = fyne.TextWrapWord
	r.faceWho = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.faceWho.Wrapping = fyne.TextWrapWord
	r.faceDecision = widget.NewLabel("")
	r.faceDecision.Wrapping = fyne.TextWrapWord
	assign := widget.NewButtonWithIcon(lang.L("This is..."), theme.AccountIcon(), r.chooseAssignee)
	r.redactButton = widget.NewButtonWithIcon(lang.L("Hide this face"), theme.VisibilityOffIcon(), func() { r.apply(vet.ForceRedact(r.selected.face)) })
	adult := widget.NewButtonWithIcon(lang.L("Adult who agreed in person..."), theme.ConfirmIcon(), r.askAdultNote)
	r.undoButton = widget.NewButtonWithIcon(lang.L("Undo my choice"), theme.ContentUndoIcon(), func() { r.apply(vet.ResetFace(r.selected.face)) })
	r.faceBox = container.NewVBox(widget.NewSeparator(), r.faceWho, r.faceDecision, assign, r.redactButton, adult, r.undoButton)
	deleteBox := widget.NewButtonWithIcon(lang.L("Delete this box (Delete)"), theme.DeleteIcon(), r.deleteSelectedBox)
	r.boxBox = container.NewVBox(widget.NewSeparator(), widget.NewLabel(lang.L("Your box: always hidden.")), deleteBox)
	r.noFace = widget.NewCheck(lang.L("I looked: nobody can be recognised on this photo"), func(on bool) {
		if r.photo != nil && on != r.photo.NoFaceConfirmed {
			r.apply(vet.ConfirmNoFace(on))
		}
	})
	r.childWork = widget.NewLabel("")
	r.childWork.Wrapping = fyne.TextWrapWord
	r.photographer = widget.NewLabel("")
	r.photographer.Wrapping = fyne.TextWrapWord
	childWork := widget.NewButtonWithIcon(lang.L("Shows a child's work..."), theme.DocumentIcon(), r.chooseChildWork)
	photographer := widget.NewButtonWithIcon(lang.L("Photographer of this photo..."), theme.AccountIcon(), func() {
		r.win.editPhotographer([]*vet.Photo{r.photo})
	})
	r.tools = container.NewVBox(r.guide, r.faceBox, r.boxBox,
		widget.NewSeparator(), r.childWork, childWork, widget.NewSeparator(), r.photographer, photographer)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays out the review: the bar on top, the photo, the panel.
func (r *reviewView) CreateRenderer() fyne.WidgetRenderer {
	back := widget.NewButtonWithIcon(lang.L("All photos"), theme.NavigateBackIcon(), r.back)
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { r.step(-1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { r.step(1) })
	bar := container.NewBorder(nil, nil, container.NewHBox(back, prev, next), container.NewHBox(r.afterCheck, r.nextButton), r.title)
	panel := container.NewVBox(r.status, r.reasons, r.hideUnknown, r.noFace, r.tools)
	scroll := container.NewVScroll(panel)
	scroll.SetMinSize(fyne.NewSize(330, 0))
	return widget.NewSimpleRenderer(container.NewBorder(bar, nil, nil, scroll, r.view))
}

// show displays p (or refreshes it) as it stands now.
func (r *reviewView) show(p *vet.Photo) {
	if p == nil {
		return
	}
	if r.photo != p {
		r.selected = noSelection()
		r.view.selected = noSelection()
	}
	r.photo = p
	r.title.SetText(baseName(p.Path))
	r.status.SetText(statusLabel(p.Status))
	r.status.Importance = statusImportance(p.Status)
	r.status.Refresh()
	var reasons []string
	for _, m := range p.Reasons {
		reasons = append(reasons, "• "+tr(m))
	}
	switch p.Status {
	case vet.Cleared:
		reasons = append(reasons, lang.L("Ready to export."))
	case vet.Failed:
		reasons = append(reasons, "", lang.L("This file is left out: it is never exported. Check it in a photo program, or add it again once it opens there."))
	}
	r.reasons.SetText(strings.Join(reasons, "\n"))
	if p.Status == vet.Failed {
		r.tools.Hide()
	} else {
		r.tools.Show()
	}

	img, err := r.image(p)
	if err != nil {
		r.reasons.SetText(err.Error())
	}
	r.view.set(p, img, r.afterCheck.Checked, r.faceLabel)

	r.hideUnknown.Hide()
	for _, f := range p.Faces {
		if f.Unknown() {
			r.hideUnknown.Show()
		}
	}
	if len(p.Faces) == 0 && p.Error.IsZero() {
		r.noFace.Show()
		r.noFace.SetChecked(p.NoFaceConfirmed)
	} else {
		r.noFace.Hide()
	}
	r.childWork.SetText(r.childWorkText(p))
	r.photographer.SetText(r.photographerText(p))
	if next := r.session.nextNeedingReview(p); next != nil {
		r.nextButton.Enable()
	} else {
		r.nextButton.Disable()
	}
	r.showSelection()
}

// image is the preview, or what export will write when "after" is on.
func (r *reviewView) image(p *vet.Photo) (image.Image, error) {
	if !p.Error.IsZero() {
		return nil, nil
	}
	if !r.afterCheck.Checked {
		return p.PreviewImage()
	}
	return p.RedactedPreview(r.session.Job.Style)
}

func statusImportance(s vet.Status) widget.Importance {
	switch s {
	case vet.Cleared:
		return widget.SuccessImportance
	case vet.NeedsReview:
		return widget.WarningImportance
	default:
		return widget.DangerImportance
	}
}

// faceLabel is the text on a face's box: the name when visible, the name
// or why it is hidden otherwise, kept short (the panel has the reason).
func (r *reviewView) faceLabel(f vet.Face) string {
	switch {
	case f.Decision.Visible && f.Review == consent.AdultWithNote:
		return lang.L("adult, agreed")
	case f.Decision.Visible:
		return shorten(r.personName(f.Decision.PersonID, lang.L("visible")), 22)
	case f.Review == consent.ForceRedacted:
		return lang.L("hidden by you")
	case f.Decision.PersonID != "":
		return shorten(r.personName(f.Decision.PersonID, ""), 18) + ": " + lang.L("hidden")
	default:
		return lang.L("not recognised")
	}
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return strings.TrimSpace(string(runes[:n-1])) + "…"
}

// personName is the register's name for id, or fallback.
func (r *reviewView) personName(id, fallback string) string {
	if r.session.Register != nil {
		if p := r.session.Register.People[id]; p != nil {
			return p.DisplayName()
		}
	}
	if id != "" {
		return id
	}
	return fallback
}

// showSelection fills the panel for the selected face or box.
func (r *reviewView) showSelection() {
	p := r.photo
	r.faceBox.Hide()
	r.boxBox.Hide()
	switch {
	case p == nil:
	case r.selected.face >= 0 && r.selected.face < len(p.Faces):
		f := p.Faces[r.selected.face]
		who := lang.L("Not recognised")
		switch {
		case f.Review == consent.AdultWithNote:
			who = lang.L("Adult who agreed in person: {{.Note}}", map[string]any{"Note": f.Note})
		case f.Decision.PersonID != "":
			who = r.personName(f.Decision.PersonID, "")
		}
		r.faceWho.SetText(who)
		r.faceDecision.SetText(tr(f.Decision.Reason))
		r.faceDecision.Importance = widget.DangerImportance
		if f.Decision.Visible {
			r.faceDecision.Importance = widget.SuccessImportance
		}
		r.faceDecision.Refresh()
		if f.Review == consent.NotReviewed {
			r.undoButton.Hide()
		} else {
			r.undoButton.Show()
		}
		r.faceBox.Show()
	case r.selected.box >= 0 && r.selected.box < len(p.ManualBoxes):
		r.boxBox.Show()
	}
}

func (r *reviewView) selectOverlay(s selection) {
	r.selected = s
	r.showSelection()
}

// apply runs the reviewer's edits on the photo and shows the result.
func (r *reviewView) apply(edits ...vet.Edit) {
	if r.photo == nil {
		return
	}
	if err := r.session.Reviewer().Apply(context.Background(), r.photo, edits...); err != nil {
		showProblem(r.win, lang.L("The change could not be saved."), err)
	}
	r.show(r.photo)
	r.changed(r.photo)
}

// addBox adds the box the reviewer drew.
func (r *reviewView) addBox(box image.Rectangle) {
	if r.photo == nil || box.Dx() < vet.MinBoxSize || box.Dy() < vet.MinBoxSize {
		return // a click, not a drag
	}
	r.apply(vet.AddBox(box))
	r.selected = selection{face: -1, box: len(r.photo.ManualBoxes) - 1}
	r.view.selected = r.selected
	r.view.Refresh()
	r.showSelection()
}

func (r *reviewView) deleteSelectedBox() {
	if r.selected.box < 0 {
		return
	}
	i := r.selected.box
	r.selected, r.view.selected = noSelection(), noSelection()
	r.apply(vet.RemoveBox(i))
}

// step shows the previous (-1) or next (1) photo.
func (r *reviewView) step(n int) {
	if p := r.session.neighbour(r.photo, n); p != nil {
		r.show(p)
	}
}

func (r *reviewView) nextNeedingReview() {
	if p := r.session.nextNeedingReview(r.photo); p != nil {
		r.show(p)
	}
}

// typedKey handles the review's keyboard shortcuts.
func (r *reviewView) typedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyRight:
		r.step(1)
	case fyne.KeyLeft:
		r.step(-1)
	case fyne.KeyN:
		r.nextNeedingReview()
	case fyne.KeyB:
		r.afterCheck.SetChecked(!r.afterCheck.Checked)
	case fyne.KeyDelete, fyne.KeyBackspace:
		r.deleteSelectedBox()
	case fyne.KeyEscape:
		r.back()
	}
}

// chooseAssignee asks who the selected face is.
func (r *reviewView) chooseAssignee() {
	face := r.selected.face
	if r.photo == nil || face < 0 || face >= len(r.photo.Faces) {
		return
	}
	f := r.photo.Faces[face]
	var suggested []string
	for _, c := range f.Suggestions() {
		suggested = append(suggested, c.PersonID)
	}
	showFacePicker(r.win, lang.L("Who is this?"), cropFace(r.photo, f.Box, facePickerSize), baseName(r.photo.Path),
		r.session.people(), suggested, func(id string) { r.assign(face, []string{id}) })
}

// assign gives face the person the reviewer picked.
func (r *reviewView) assign(face int, ids []string) {
	if len(ids) == 1 {
		r.apply(vet.AssignFace(face, ids[0]))
	}
}

// askAdultNote marks the selected face as an adult who agreed in person,
// with the required note.
func (r *reviewView) askAdultNote() {
	face := r.selected.face
	note := widget.NewMultiLineEntry()
	note.SetPlaceHolder(lang.L("Who is it, and how did they agree? (for example: Tom's father, agreed on the trip)"))
	note.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errNoteRequired()
		}
		return nil
	}
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Note"), note)}
	d := dialog.NewForm(lang.L("Adult who agreed in person"), lang.L("Save"), lang.L("Cancel"), items, func(ok bool) {
		if ok {
			r.apply(vet.MarkAdult(face, note.Text))
		}
	}, r.win)
	d.Resize(fyne.NewSize(560, 260))
	d.Show()
}

// chooseChildWork asks whose work the photo shows.
func (r *reviewView) chooseChildWork() {
	var children []*consent.Person
	for _, p := range r.session.people() {
		if p.Role == consent.Child {
			children = append(children, p)
		}
	}
	showPersonPicker(r.win, lang.L("Whose work does the photo show?"), children, r.photo.ChildWork, true, func(ids []string) {
		r.apply(vet.SetChildWork(ids))
	})
}

func (r *reviewView) childWorkText(p *vet.Photo) string {
	if len(p.ChildWork) == 0 {
		return lang.L("Shows no child's work (drawings, projects).")
	}
	names := make([]string, len(p.ChildWork))
	for i, id := range p.ChildWork {
		names[i] = r.personName(id, id)
	}
	return lang.L("Shows the work of: {{.Names}}", map[string]any{"Names": strings.Join(names, ", ")})
}

func (r *reviewView) photographerText(p *vet.Photo) string {
	if p.Photographer == "" {
		return lang.L("Photographer: not set.")
	}
	return lang.L("Photographer: {{.Name}}, who permits {{.Channels}}.", map[string]any{"Name": p.Photographer, "Channels": channelList(p.PhotographerChannels)})
}
