package app

import (
	"context"
	"image"
	"strconv"
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
// left (zoomed and moved at will), the list of its faces beside it, what
// is decided and what the reviewer can do on the right.
//
// The panel's buttons and check boxes keep their places whatever the
// texts say: they are all at its top, above the texts (status, reasons,
// the selected face), or at its bottom, and they are disabled, not
// hidden, when they do not apply. A click meant for one button cannot
// land on another because a reason grew a line.
type reviewView struct {
	widget.BaseWidget
	win     *mainWindow
	session *session
	back    func()
	changed func(*vet.Photo)

	photo    *vet.Photo
	selected selection

	view       *photoView
	faces      *faceList
	crops      []image.Image // the faces' crops of cropsOf
	cropsOf    *vet.Photo
	zoomLabel  *widget.Label
	title      *widget.Label
	status     *widget.Label
	reasons    *widget.Label
	afterCheck *shortcutCheck
	nextButton *widget.Button

	confirmButton   *widget.Button
	assignButton    *widget.Button
	redactButton    *widget.Button
	adultButton     *widget.Button
	adultRefusal    *widget.Label // why adultButton is disabled
	undoButton      *widget.Button
	deleteBoxButton *widget.Button
	hideUnknown     *widget.Button

	guide        *widget.Label
	faceBox      *fyne.Container // what is known of the selected face
	faceWho      *widget.Label
	faceDecision *widget.Label
	boxBox       *fyne.Container // about the selected box
	noFace       *shortcutCheck
	childWork    *widget.Label
	photographer *widget.Label
	// tools and photoTools are what the reviewer can change on a photo
	// that was read: hidden for a file PhotoVet could not read.
	tools, photoTools *fyne.Container
}

func newReviewView(w *mainWindow, s *session, back func(), changed func(*vet.Photo)) *reviewView {
	r := &reviewView{win: w, session: s, back: back, changed: changed, selected: noSelection()}
	r.view = newPhotoView(r.selectOverlay, r.addBox)
	r.view.onZoom = r.showZoom
	r.faces = newFaceList(r.selectFace, w.typedKey)
	r.zoomLabel = widget.NewLabel("")
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.reasons = widget.NewLabel("")
	r.reasons.Wrapping = fyne.TextWrapWord
	r.afterCheck = newShortcutCheck(lang.L("Show what will be published (B)"), func(bool) { r.show(r.photo) }, w.typedKey)
	r.hideUnknown = widget.NewButtonWithIcon(lang.L("Hide every unknown face"), theme.VisibilityOffIcon(), func() { r.apply(vet.HideUnknown()) })
	r.hideUnknown.Importance = widget.HighImportance
	r.nextButton = widget.NewButtonWithIcon(lang.L("Next needing review (N)"), theme.MediaSkipNextIcon(), r.nextNeedingReview)

	r.guide = widget.NewLabel(lang.L("Click a face to change what happens to it. Drag on the photo to hide anything else: a missed face, a name tag."))
	r.guide.Wrapping = fyne.TextWrapWord
	r.faceWho = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.faceWho.Wrapping = fyne.TextWrapWord
	r.faceDecision = widget.NewLabel("")
	r.faceDecision.Wrapping = fyne.TextWrapWord
	// Not highlighted, as in the People view: the teacher must look.
	r.confirmButton = widget.NewButtonWithIcon("", theme.ConfirmIcon(), r.confirmRecognised)
	r.confirmButton.Hide()
	r.assignButton = widget.NewButtonWithIcon(lang.L("This is..."), theme.AccountIcon(), r.chooseAssignee)
	r.redactButton = widget.NewButtonWithIcon(lang.L("Hide this face"), theme.VisibilityOffIcon(), func() { r.apply(vet.ForceRedact(r.selected.face)) })
	r.adultButton = widget.NewButtonWithIcon(lang.L("Adult who agreed in person..."), theme.ConfirmIcon(), r.askAdultNote)
	r.adultRefusal = widget.NewLabel("")
	r.adultRefusal.Wrapping = fyne.TextWrapWord
	r.adultRefusal.Importance = widget.WarningImportance
	// Small, so that the panel does not grow the window past its height.
	r.adultRefusal.SizeName = theme.SizeNameCaptionText
	r.adultRefusal.Hide()
	r.undoButton = widget.NewButtonWithIcon(lang.L("Undo my choice"), theme.ContentUndoIcon(), func() { r.apply(vet.ResetFace(r.selected.face)) })
	r.faceBox = container.NewVBox(r.faceWho, r.faceDecision)
	r.deleteBoxButton = widget.NewButtonWithIcon(lang.L("Delete this box (Delete)"), theme.DeleteIcon(), r.deleteSelectedBox)
	r.boxBox = container.NewVBox(widget.NewLabel(lang.L("Your box: always hidden.")))
	r.noFace = newShortcutCheck(lang.L("I looked: nobody can be recognised on this photo"), func(on bool) {
		if r.photo != nil && on != r.photo.NoFaceConfirmed {
			r.apply(vet.ConfirmNoFace(on))
		}
	}, w.typedKey)
	r.childWork = widget.NewLabel("")
	r.childWork.Wrapping = fyne.TextWrapWord
	r.photographer = widget.NewLabel("")
	r.photographer.Wrapping = fyne.TextWrapWord
	childWork := widget.NewButtonWithIcon(lang.L("Shows a child's work..."), theme.DocumentIcon(), r.chooseChildWork)
	photographer := widget.NewButtonWithIcon(lang.L("Photographer of this photo..."), theme.AccountIcon(), func() {
		r.win.editPhotographer([]*vet.Photo{r.photo})
	})
	// The check box comes last: it shows only on a photo without faces,
	// where the face buttons above it do not apply.
	r.tools = container.NewVBox(r.hideUnknown, widget.NewSeparator(),
		r.confirmButton, r.assignButton, r.redactButton, r.adultButton, r.adultRefusal, r.undoButton, r.deleteBoxButton, r.noFace)
	r.photoTools = container.NewVBox(widget.NewSeparator(), childWork, photographer)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays out the review: the bar on top, the photo with its
// zoom, the face list, the panel.
func (r *reviewView) CreateRenderer() fyne.WidgetRenderer {
	back := widget.NewButtonWithIcon(lang.L("All photos"), theme.NavigateBackIcon(), r.back)
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { r.step(-1) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { r.step(1) })
	bar := container.NewBorder(nil, nil, container.NewHBox(back, prev, next), container.NewHBox(r.afterCheck, r.nextButton), r.title)

	zoomOut := widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { r.view.zoomBy(1/zoomStep, r.view.middle()) })
	zoomIn := widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { r.view.zoomBy(zoomStep, r.view.middle()) })
	fit := widget.NewButtonWithIcon(lang.L("Fit (0)"), theme.ZoomFitIcon(), r.view.zoomFit)
	actual := widget.NewButton("100% (1)", r.view.zoomActual)
	zoomBar := container.NewHBox(zoomOut, zoomIn, fit, actual, r.zoomLabel)
	photo := container.NewBorder(nil, zoomBar, nil, nil, r.view.scroller)

	facesTitle := widget.NewLabelWithStyle(lang.L("Faces on this photo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	faces := container.NewBorder(facesTitle, nil, nil, nil, r.faces)

	zoomHint := widget.NewLabel(lang.L("Zoom with the mouse wheel or + and -; move the photo with the scroll bars or by dragging with the middle button."))
	zoomHint.Wrapping = fyne.TextWrapWord
	texts := container.NewVBox(r.reasons, widget.NewSeparator(), r.guide, r.faceBox, r.boxBox,
		widget.NewSeparator(), r.childWork, r.photographer, widget.NewSeparator(), zoomHint)
	scroll := container.NewVScroll(texts)
	panel := container.NewBorder(container.NewVBox(r.status, r.tools), r.photoTools, nil, nil, scroll)
	side := container.NewHBox(container.New(&fixedWidth{width: listWidth}, faces), container.New(&fixedWidth{width: panelWidth}, panel))
	return widget.NewSimpleRenderer(container.NewBorder(bar, nil, nil, side, photo))
}

// The widths of the face list and of the panel, unless their contents
// need more.
const (
	listWidth  = 260
	panelWidth = 320
)

// fixedWidth lays its objects out at one width, or their minimum width
// when that is larger.
type fixedWidth struct{ width float32 }

func (l *fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return fyne.NewSize(max(s.Width, l.width), s.Height)
}

func (l *fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

// showZoom shows the zoom under the photo.
func (r *reviewView) showZoom() {
	r.zoomLabel.SetText(strconv.Itoa(r.view.zoomPercent()) + "%")
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
	r.status.SetText(photoStatusLabel(p))
	r.status.Importance = statusImportance(shownStatus(p))
	r.status.Refresh()
	var reasons []string
	for _, m := range p.Reasons {
		reasons = append(reasons, "• "+tr(m))
	}
	switch p.Status {
	case vet.Cleared:
		reasons = append(reasons, lang.L("Ready to export."))
	case vet.Failed:
		if p.RegisterUnreachable() {
			reasons = append(reasons, "", lang.L("This photo is left out: without the register it is never exported. Add it again once the shared register can be reached."))
		} else {
			reasons = append(reasons, "", lang.L("This file is left out: it is never exported. Check it in a photo program, or add it again once it opens there."))
		}
	}
	r.reasons.SetText(strings.Join(reasons, "\n"))
	if p.Status == vet.Failed {
		r.tools.Hide()
		r.photoTools.Hide()
	} else {
		r.tools.Show()
		r.photoTools.Show()
	}

	img, err := r.image(p)
	if err != nil {
		r.reasons.SetText(err.Error())
	}
	r.view.set(p, img, r.afterCheck.Checked, r.faceLabel)
	r.showFaces(p)

	// Highlighted only while an unknown face waits for the teacher: in
	// early childhood the rules hide them with no question.
	r.hideUnknown.Disable()
	r.hideUnknown.Importance = widget.MediumImportance
	for _, f := range p.Faces {
		if f.Unknown() {
			r.hideUnknown.Enable()
		}
		if f.AwaitsName(r.session.Job.Job) {
			r.hideUnknown.Importance = widget.HighImportance
		}
	}
	r.hideUnknown.Refresh()
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

// showFaces fills the face list for p: a crop of each face (cut once per
// photo, from the preview), its name and what happens to it.
func (r *reviewView) showFaces(p *vet.Photo) {
	if r.cropsOf != p {
		preview, _ := p.PreviewImage() // no preview: no crops, the list still names the faces
		r.crops, r.cropsOf = faceCrops(p, preview), p
	}
	rows := make([]faceRow, len(p.Faces))
	for i, f := range p.Faces {
		rows[i] = faceRow{crop: r.crops[i], name: r.faceName(f)}
		switch {
		case f.Decision.Visible:
			rows[i].state, rows[i].importance = lang.L("visible"), widget.SuccessImportance
		case f.ToConfirm():
			rows[i].state, rows[i].importance = lang.L("to confirm"), widget.WarningImportance
		case f.AwaitsName(r.session.Job.Job):
			rows[i].state, rows[i].importance = lang.L("needs a name"), widget.WarningImportance
		default:
			rows[i].state, rows[i].importance = lang.L("hidden"), widget.DangerImportance
		}
	}
	r.faces.setRows(rows)
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
	case f.Decision.Recognised != "":
		return shorten(r.personName(f.Decision.Recognised, ""), 21) + "?"
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

// faceName is who a face is, as the panel and the face list say it.
func (r *reviewView) faceName(f vet.Face) string {
	switch {
	case f.Review == consent.AdultWithNote:
		return lang.L("Adult who agreed in person: {{.Note}}", map[string]any{"Note": f.Note})
	case f.Decision.PersonID != "":
		return r.personName(f.Decision.PersonID, "")
	case f.Decision.Recognised != "":
		return lang.L("Looks like {{.Names}}?", map[string]any{"Names": r.personName(f.Decision.Recognised, "")})
	default:
		return lang.L("Not recognised")
	}
}

// showSelection fills the panel for the selected face or box, and enables
// the buttons that apply to it.
func (r *reviewView) showSelection() {
	p := r.photo
	r.faceBox.Hide()
	r.boxBox.Hide()
	r.guide.Show()
	face := p != nil && r.selected.face >= 0 && r.selected.face < len(p.Faces)
	box := p != nil && r.selected.box >= 0 && r.selected.box < len(p.ManualBoxes)
	for _, b := range []*widget.Button{r.assignButton, r.redactButton, r.adultButton, r.undoButton} {
		b.Disable()
	}
	r.deleteBoxButton.Disable()
	r.deleteBoxButton.Show()
	r.confirmButton.Hide()
	r.adultRefusal.Hide()
	switch {
	case face:
		f := p.Faces[r.selected.face]
		if who := f.Decision.Recognised; f.ToConfirm() {
			r.confirmButton.SetText(lang.L("Yes, this is {{.Name}}", map[string]any{"Name": r.personName(who, "")}))
			r.confirmButton.Show()
		}
		r.faceWho.SetText(r.faceName(f))
		r.faceDecision.SetText(tr(f.Decision.Reason))
		r.faceDecision.Importance = widget.DangerImportance
		if f.Decision.Visible {
			r.faceDecision.Importance = widget.SuccessImportance
		}
		r.faceDecision.Refresh()
		r.assignButton.Enable()
		r.redactButton.Enable()
		// Offered only where the rules would show an adult (R8): the
		// button would otherwise only say no afterwards. A disabled
		// button says why beside it.
		if refusal := f.AdultRefusal(r.session.Register, r.session.Job.Job); f.Review == consent.AdultWithNote || refusal.IsZero() {
			r.adultButton.Enable()
		} else {
			r.adultRefusal.SetText(lang.L("Not possible: {{.Reason}}.", map[string]any{"Reason": tr(refusal)}))
			r.adultRefusal.Show()
			// It never applies to a face: the words take its room.
			r.deleteBoxButton.Hide()
		}
		if f.Review != consent.NotReviewed {
			r.undoButton.Enable()
		}
		r.guide.Hide()
		r.faceBox.Show()
	case box:
		r.deleteBoxButton.Enable()
		r.guide.Hide()
		r.boxBox.Show()
	}
	sel := -1
	if face {
		sel = r.selected.face
	}
	r.faces.selectFace(sel)
}

// confirmRecognised is the reviewer's "yes, this is them" for the selected
// face the matcher recognised: an assignment to that person, which the
// rules then decide.
func (r *reviewView) confirmRecognised() {
	if r.photo == nil || r.selected.face < 0 || r.selected.face >= len(r.photo.Faces) {
		return
	}
	if f := r.photo.Faces[r.selected.face]; f.ToConfirm() {
		r.apply(vet.AssignFace(r.selected.face, f.Decision.Recognised))
	}
}

// selectOverlay is a click on the photo: on a face, a box or neither.
func (r *reviewView) selectOverlay(s selection) {
	r.selected = s
	r.showSelection()
}

// selectFace is a face chosen in the face list: it is selected on the
// photo too, and brought into view when the photo is zoomed.
func (r *reviewView) selectFace(i int) {
	if r.photo == nil || i < 0 || i >= len(r.photo.Faces) {
		return
	}
	r.selected = selection{face: i, box: -1}
	r.view.selected = r.selected
	r.view.Refresh()
	r.view.showBox(r.photo.Faces[i].Box)
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

// stepFace selects the previous (-1) or next (1) face in the list; with
// none selected, the first or the last.
func (r *reviewView) stepFace(n int) {
	if r.photo == nil || len(r.photo.Faces) == 0 {
		return
	}
	i := r.selected.face + n
	if r.selected.face < 0 {
		i = 0
		if n < 0 {
			i = len(r.photo.Faces) - 1
		}
	}
	if i >= 0 && i < len(r.photo.Faces) {
		r.selectFace(i)
	}
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

// typedKey handles the review's keyboard shortcuts: left and right
// arrows, N, B, Delete and Esc; up and down select the previous and next
// face, Enter names the selected face; + and - zoom, 0 fits the photo,
// 1 shows it at 100%.
func (r *reviewView) typedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyRight:
		r.step(1)
	case fyne.KeyLeft:
		r.step(-1)
	case fyne.KeyUp:
		r.stepFace(-1)
	case fyne.KeyDown:
		r.stepFace(1)
	case fyne.KeyN:
		r.nextNeedingReview()
	case fyne.KeyB:
		r.afterCheck.SetChecked(!r.afterCheck.Checked)
	case fyne.KeyDelete, fyne.KeyBackspace:
		r.deleteSelectedBox()
	case fyne.KeyEscape:
		r.back()
	case fyne.KeyReturn, fyne.KeyEnter:
		if r.photo != nil && r.selected.face >= 0 && r.selected.face < len(r.photo.Faces) {
			r.chooseAssignee() // the teacher names the face by typing: the search takes the letters
		}
	case fyne.KeyPlus, fyne.KeyEqual: // "+" is shifted "=" on many keyboards
		r.view.zoomBy(zoomStep, r.view.middle())
	case fyne.KeyMinus:
		r.view.zoomBy(1/zoomStep, r.view.middle())
	case fyne.Key0:
		r.view.zoomFit()
	case fyne.Key1:
		r.view.zoomActual()
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
	showFacePicker(r.win, lang.L("Who is this?"), previewCrop(r.photo, f.Box, facePickerSize), baseName(r.photo.Path),
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
	// A mark that no longer holds starts unticked: one OK must not hand
	// it to whoever holds the id now.
	var marked []string
	for _, id := range r.photo.ChildWork {
		if r.workMarkedFor(r.photo, id) != nil {
			marked = append(marked, id)
		}
	}
	showPersonPicker(r.win, lang.L("Whose work does the photo show?"), children, marked, true, func(ids []string) {
		r.apply(vet.SetChildWork(ids))
	})
}

// workMarkedFor returns the child whose work p is marked as showing under
// id, or nil when the mark was made before the id left the register and
// came back (consent.Register.Holder: it may be another child's now) or
// the register could not be read.
func (r *reviewView) workMarkedFor(p *vet.Photo, id string) *consent.Person {
	if r.session.Register == nil {
		return nil
	}
	return r.session.Register.Holder(id, p.ChildWorkKeys[id])
}

func (r *reviewView) childWorkText(p *vet.Photo) string {
	if len(p.ChildWork) == 0 {
		return lang.L("Shows no child's work (drawings, projects).")
	}
	names := make([]string, len(p.ChildWork))
	for i, id := range p.ChildWork {
		names[i] = id
		if child := r.workMarkedFor(p, id); child != nil {
			names[i] = child.DisplayName()
		}
	}
	return lang.L("Shows the work of: {{.Names}}", map[string]any{"Names": strings.Join(names, ", ")})
}

func (r *reviewView) photographerText(p *vet.Photo) string {
	if p.Photographer == "" {
		return lang.L("Photographer: not set.")
	}
	return lang.L("Photographer: {{.Name}}, who permits {{.Channels}}.", map[string]any{"Name": p.Photographer, "Channels": channelList(p.PhotographerChannels)})
}
