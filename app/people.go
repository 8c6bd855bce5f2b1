package app

import (
	"cmp"
	"context"
	"image"
	"slices"
	"strings"

	"github.com/disintegration/imaging"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// facePlace is one face of the batch: face Face of Photo.
type facePlace struct {
	photo *vet.Photo
	face  int
}

// undecided reports whether the face still waits for the reviewer
// (vet.Face.Undecided).
func (f facePlace) undecided() bool {
	return f.face >= 0 && f.face < len(f.photo.Faces) && f.photo.Faces[f.face].Undecided()
}

// personGroup is a group of the batch's faces waiting for the reviewer
// that look like one person (vet.GroupFacesToDecide), at most one per
// photo.
type personGroup struct {
	faces          []facePlace
	representative facePlace // the largest face, shown for the group
}

// recognised is whom the matcher recognised the group's faces as, waiting
// for the reviewer's confirmation; "" for a group of unknown faces.
func (g personGroup) recognised() string {
	if f := g.representative.photo.Faces[g.representative.face]; f.ToConfirm() {
		return f.Decision.Recognised
	}
	return ""
}

// Sizes of face crops, in pixels.
const (
	groupCropSize  = 64  // in the list of groups
	detailCropSize = 180 // the group being looked at
	tileCropSize   = 96  // each face of that group
)

// peopleView is "People in this batch": the batch's faces that wait for
// the reviewer, those recognised as one person to confirm and the unknown
// ones grouped by who they look like, largest group first, so that a
// class's photos are reviewed person by person rather than face by face.
// Naming or hiding a group is one reviewer edit per face through the vet
// API (each face then decided by the rules); the reviewer can take a face
// out of a group. Groups live in memory only, and die with the batch (R9).
type peopleView struct {
	widget.BaseWidget
	win     *mainWindow
	session *session
	back    func()

	groups  []personGroup
	current int // the group shown on the right, -1 for none
	crops   map[cropKey]image.Image
	cancel  context.CancelFunc // stops the grouping under way
	ready   bool               // the groups are made

	summary     *widget.Label
	result      *widget.Label
	list        *groupList
	detail      *fyne.Container
	done        *widget.Label
	face        *canvas.Image
	count       *widget.Label
	suggestions *fyne.Container
	nameButton  *widget.Button
	confirm     *widget.Button // "Yes, this is ..." for a recognised group
	hideButton  *widget.Button
	hideRest    *widget.Button
	tiles       *fyne.Container
	// tileOut are the "Not this person" buttons of the shown group's
	// faces, in its order.
	tileOut []*widget.Button

	// grouped, when set, is called once the groups are shown: tests
	// wait on it.
	grouped func()
}

// cropKey is a face's crop at a size.
type cropKey struct {
	place facePlace
	size  int
}

func newPeopleView(w *mainWindow, s *session, back func()) *peopleView {
	v := &peopleView{win: w, session: s, back: back, current: -1, crops: map[cropKey]image.Image{}}
	v.summary = widget.NewLabel("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.result = widget.NewLabel("")
	v.result.Wrapping = fyne.TextWrapWord
	v.list = newGroupList(w.typedKey,
		func() int { return len(v.groups) },
		func() fyne.CanvasObject {
			img := canvas.NewImageFromImage(nil)
			img.FillMode = canvas.ImageFillContain
			img.SetMinSize(fyne.NewSquareSize(groupCropSize))
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, img, nil, label)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(v.groups) {
				return
			}
			g := v.groups[id]
			row := o.(*fyne.Container)
			label, img := row.Objects[0].(*widget.Label), row.Objects[1].(*canvas.Image)
			img.Image = v.crop(g.representative, groupCropSize)
			img.Refresh()
			text := photoCount(len(g.faces))
			if who := g.recognised(); who != "" {
				text += "\n" + lang.L("{{.Name}}: to confirm", map[string]any{"Name": v.win.review.personName(who, who)})
			} else if names := v.suggestedNames(g); len(names) > 0 {
				text += "\n" + lang.L("Looks like {{.Names}}?", map[string]any{"Names": strings.Join(names, ", ")})
			}
			label.SetText(text)
		})
	v.list.OnSelected = func(id widget.ListItemID) { v.show(id) }

	v.face = canvas.NewImageFromImage(nil)
	v.face.FillMode = canvas.ImageFillContain
	v.face.SetMinSize(fyne.NewSquareSize(detailCropSize))
	v.count = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.nameButton = widget.NewButtonWithIcon(lang.L("This is..."), theme.AccountIcon(), v.chooseName)
	v.nameButton.Importance = widget.HighImportance
	// Not highlighted: the matcher takes look-alikes for each other
	// (consent.Decide), and the teacher must look, not follow the colour.
	v.confirm = widget.NewButtonWithIcon("", theme.ConfirmIcon(), v.confirmRecognised)
	v.hideButton = widget.NewButtonWithIcon(lang.L("Hide this person"), theme.VisibilityOffIcon(), v.hideCurrent)
	v.hideRest = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), v.hideEveryoneLeft)
	// The buttons and suggestions wrap: in one row, in Dutch, they made
	// the window 1,222 px wide.
	v.suggestions = container.New(layout.NewRowWrapLayout())
	v.tiles = container.NewGridWrap(fyne.NewSize(tileCropSize+64, tileCropSize+90))
	v.done = widget.NewLabel(lang.L("Everyone in this batch is named or hidden."))
	v.done.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(lang.L("Naming or hiding a person applies to each of their faces, and the rules then decide each face. If a face below is someone else, take it out first."))
	hint.Wrapping = fyne.TextWrapWord
	// The buttons come first, at fixed places: what follows them changes
	// in length from one person to the next.
	actions := container.New(layout.NewRowWrapLayout(), v.confirm, v.nameButton, v.hideButton)
	top := container.NewBorder(nil, nil, v.face, nil, container.NewVBox(v.count, actions, v.suggestions))
	v.detail = container.NewBorder(container.NewVBox(top, hint, widget.NewSeparator()), nil, nil, nil, container.NewVScroll(v.tiles))
	v.ExtendBaseWidget(v)
	return v
}

// CreateRenderer lays out the view: the bar, the groups on the left, the
// group being looked at on the right.
func (v *peopleView) CreateRenderer() fyne.WidgetRenderer {
	back := widget.NewButtonWithIcon(lang.L("All photos"), theme.NavigateBackIcon(), v.back)
	title := widget.NewLabelWithStyle(lang.L("People in this batch"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	bar := container.NewBorder(nil, nil, container.NewHBox(back, title), nil)
	left := container.NewBorder(container.NewVBox(v.summary, v.hideRest), nil, nil, nil, v.list)
	split := container.NewHSplit(left, container.NewBorder(v.result, nil, nil, nil, container.NewStack(v.detail, v.done)))
	split.Offset = 0.32
	return widget.NewSimpleRenderer(container.NewBorder(bar, nil, nil, nil, split))
}

// photoCount is "in N photos": a group has at most one face per photo.
func photoCount(n int) string {
	return lang.N("In {{.Count}} photos", n, map[string]any{"Count": n})
}

// open groups the batch's unknown faces again, in the background, and
// shows the groups when done. Faces the reviewer took out of a group stay
// out.
func (v *peopleView) open() {
	if v.cancel != nil {
		v.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	photos := slices.Clone(v.session.photos)
	// The grouping reads copies: the reviewer may change the photos
	// meanwhile.
	copies := make([]*vet.Photo, len(photos))
	for i, p := range photos {
		copies[i] = p.Clone()
	}
	v.groups, v.current, v.crops, v.ready = nil, -1, map[cropKey]image.Image{}, false
	// The list keeps its selection from the last time: selecting the
	// first group again would change nothing and show no group.
	v.list.UnselectAll()
	v.result.SetText("")
	v.refresh()
	go func() {
		groups, err := vet.GroupFacesToDecide(ctx, copies)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return // closed or opened again meanwhile
			}
			if err != nil {
				v.win.showError(lang.L("The faces could not be grouped."), err)
			}
			v.setGroups(photos, groups)
			if v.grouped != nil {
				v.grouped()
			}
		})
	}()
}

// close stops a grouping under way.
func (v *peopleView) close() {
	if v.cancel != nil {
		v.cancel()
		v.cancel = nil
	}
}

// setGroups shows the groups found over photos: faces decided meanwhile
// are left out, faces taken out of their group by the reviewer are
// groups of their own.
func (v *peopleView) setGroups(photos []*vet.Photo, found []vet.FaceGroup) {
	var groups []personGroup
	for _, fg := range found {
		var faces []facePlace
		for _, ref := range fg.Faces {
			place := facePlace{photos[ref.Photo], ref.Face}
			switch {
			case !place.undecided():
			case v.session.apart[place] && len(fg.Faces) > 1:
				groups = append(groups, personGroup{faces: []facePlace{place}, representative: place})
			default:
				faces = append(faces, place)
			}
		}
		if len(faces) == 0 {
			continue
		}
		rep := facePlace{photos[fg.Representative.Photo], fg.Representative.Face}
		if !slices.Contains(faces, rep) {
			rep = faces[0]
		}
		groups = append(groups, personGroup{faces: faces, representative: rep})
	}
	slices.SortStableFunc(groups, func(a, b personGroup) int { return len(b.faces) - len(a.faces) })
	v.groups, v.current, v.ready = groups, -1, true
	v.refresh()
	if len(v.groups) > 0 {
		v.list.Select(0)
	}
}

// refresh shows the summary, the list and the group being looked at.
func (v *peopleView) refresh() {
	faces := 0
	for _, g := range v.groups {
		faces += len(g.faces)
	}
	switch {
	case v.ready && faces == 0:
		v.summary.SetText("")
	case v.ready:
		v.summary.SetText(lang.N("{{.Count}} faces to decide, grouped by person: the largest group first.", faces, map[string]any{"Count": faces}))
	default:
		v.summary.SetText(lang.L("Looking for the same person across the photos..."))
	}
	unknown := 0
	for _, p := range v.session.photos {
		for _, f := range p.Faces {
			if f.Unknown() {
				unknown++
			}
		}
	}
	v.hideRest.SetText(lang.L("Hide every unknown face left ({{.Count}})", map[string]any{"Count": unknown}))
	if v.ready && unknown > 0 {
		v.hideRest.Enable()
	} else {
		v.hideRest.Disable()
	}
	v.list.Refresh()
	v.showDetail()
}

// show makes group id the one looked at. What was done to the last group
// goes: left on screen, "Done: 1 shown" read as if it were about the
// group now shown (applyToCurrent says it again after moving on itself).
func (v *peopleView) show(id int) {
	v.result.SetText("")
	v.current = id
	v.showDetail()
}

// showDetail fills the right side with the current group: its face, how
// many photos, the suggestions, and each of its faces.
func (v *peopleView) showDetail() {
	if v.current < 0 || v.current >= len(v.groups) {
		v.detail.Hide()
		if v.ready && len(v.groups) == 0 {
			v.done.Show()
		} else {
			v.done.Hide()
		}
		return
	}
	v.done.Hide()
	v.detail.Show()
	g := v.groups[v.current]
	v.face.Image = v.crop(g.representative, detailCropSize)
	v.face.Refresh()
	v.count.SetText(photoCount(len(g.faces)))
	v.confirm.Hide()
	v.nameButton.Importance = widget.HighImportance
	if who := g.recognised(); who != "" {
		v.confirm.SetText(lang.L("Yes, this is {{.Name}}", map[string]any{"Name": v.win.review.personName(who, who)}))
		v.confirm.Show()
		v.nameButton.Importance = widget.MediumImportance // someone else
	}
	v.nameButton.Refresh()
	v.suggestions.Objects = nil
	if candidates := v.suggested(g); len(candidates) > 0 {
		v.suggestions.Add(widget.NewLabel(lang.L("Looks like:")))
		for _, id := range candidates {
			v.suggestions.Add(widget.NewButtonWithIcon(v.win.review.personName(id, id), theme.AccountIcon(), func() { v.name(id) }))
		}
	}
	v.suggestions.Refresh()
	v.tiles.Objects, v.tileOut = nil, nil
	for i, f := range g.faces {
		img := canvas.NewImageFromImage(v.crop(f, tileCropSize))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSquareSize(tileCropSize))
		file := widget.NewLabel(baseName(f.photo.Path))
		file.Truncation = fyne.TextTruncateEllipsis
		out := widget.NewButton(lang.L("Not this person"), func() { v.takeOut(i) })
		if len(g.faces) == 1 {
			out.Disable()
		}
		v.tileOut = append(v.tileOut, out)
		v.tiles.Add(container.NewBorder(nil, container.NewVBox(file, out), nil, nil, img))
	}
	v.tiles.Refresh()
}

// suggested returns whom the group's faces lie near (vet's suggestions),
// nearest first, at most vision.MaxCandidates people of the register.
func (v *peopleView) suggested(g personGroup) []string {
	nearest := map[string]float64{}
	for _, f := range g.faces {
		for _, c := range f.photo.Faces[f.face].Suggestions() {
			if d, seen := nearest[c.PersonID]; !seen || c.Distance < d {
				nearest[c.PersonID] = c.Distance
			}
		}
	}
	var ids []string
	for id := range nearest {
		if v.session.Register != nil && v.session.Register.People[id] != nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(nearest[a], nearest[b]), strings.Compare(a, b)) })
	return ids[:min(len(ids), vision.MaxCandidates)]
}

// suggestedNames are the names of suggested.
func (v *peopleView) suggestedNames(g personGroup) []string {
	var names []string
	for _, id := range v.suggested(g) {
		names = append(names, v.win.review.personName(id, id))
	}
	return names
}

// chooseName asks who the current group is, showing its face large and
// the suggested people first.
func (v *peopleView) chooseName() {
	if v.current < 0 || v.current >= len(v.groups) {
		return
	}
	g := v.groups[v.current]
	showFacePicker(v.win, lang.L("Who is this?"), v.crop(g.representative, facePickerSize), photoCount(len(g.faces)),
		v.session.people(), v.suggested(g), v.name)
}

// confirmRecognised is "Yes, this is ..." for a recognised group: its
// faces are assigned to the person they were recognised as.
func (v *peopleView) confirmRecognised() {
	if v.current < 0 || v.current >= len(v.groups) {
		return
	}
	if who := v.groups[v.current].recognised(); who != "" {
		v.name(who)
	}
}

// name assigns the current group's faces to person id.
func (v *peopleView) name(id string) {
	v.applyToCurrent(func(face int) vet.Edit { return vet.AssignFace(face, id) })
}

// hideCurrent hides every face of the current group.
func (v *peopleView) hideCurrent() {
	v.applyToCurrent(vet.ForceRedact)
}

// applyToCurrent applies edit to each face of the current group that is
// still unknown, each photo then decided again by the rules, and says
// what came of it; the group leaves the list and the next one is shown.
func (v *peopleView) applyToCurrent(edit func(face int) vet.Edit) {
	if v.current < 0 || v.current >= len(v.groups) {
		return
	}
	g := v.groups[v.current]
	reviewer := v.session.Reviewer()
	visible, hidden := 0, 0
	for _, f := range g.faces {
		if !f.undecided() {
			continue // the reviewer decided it meanwhile, in the photo's review
		}
		if err := reviewer.Apply(context.Background(), f.photo, edit(f.face)); err != nil {
			v.win.showError(lang.L("The change could not be saved."), err)
			break
		}
		if f.photo.Faces[f.face].Decision.Visible {
			visible++
		} else {
			hidden++
		}
	}
	v.win.photoChanged(nil)
	v.groups = slices.Delete(v.groups, v.current, v.current+1)
	next := min(v.current, len(v.groups)-1)
	v.current = -1
	v.list.UnselectAll()
	v.refresh()
	if next >= 0 {
		v.list.Select(next)
	}
	v.result.SetText(lang.L("Done: {{.Visible}} shown, {{.Hidden}} hidden, as the rules decide.", map[string]any{"Visible": visible, "Hidden": hidden}))
}

// hideEveryoneLeft hides every unknown face of the batch, in the groups or
// not: the reviewer's "hide the rest" once the people they know are
// named (vet.Session.Review).
func (v *peopleView) hideEveryoneLeft() {
	if err := v.session.Review(context.Background(), v.session.photos, vet.BatchReview{HideUnknown: true}); err != nil {
		v.win.showError(lang.L("The change could not be saved."), err)
	}
	v.win.photoChanged(nil)
	var left []personGroup // none, unless saving failed part of the way
	for _, g := range v.groups {
		faces := slices.DeleteFunc(slices.Clone(g.faces), func(f facePlace) bool { return !f.undecided() })
		if len(faces) > 0 {
			left = append(left, personGroup{faces: faces, representative: largestFace(faces)})
		}
	}
	v.groups, v.current = left, -1
	v.list.UnselectAll()
	v.result.SetText("")
	v.refresh()
	if len(v.groups) > 0 {
		v.list.Select(0)
	}
}

// takeOut takes face i out of the current group: it becomes a group of
// its own, and stays out when the groups are made again.
func (v *peopleView) takeOut(i int) {
	if v.current < 0 || v.current >= len(v.groups) || len(v.groups[v.current].faces) < 2 {
		return
	}
	g := &v.groups[v.current]
	place := g.faces[i]
	g.faces = slices.Delete(slices.Clone(g.faces), i, i+1)
	if g.representative == place {
		g.representative = largestFace(g.faces)
	}
	v.session.apart[place] = true
	v.groups = append(v.groups, personGroup{faces: []facePlace{place}, representative: place})
	v.result.SetText(lang.L("The face from {{.File}} is now on its own, at the end of the list.", map[string]any{"File": baseName(place.photo.Path)}))
	v.refresh()
}

// largestFace is the tallest of faces.
func largestFace(faces []facePlace) facePlace {
	return slices.MaxFunc(faces, func(a, b facePlace) int {
		return a.photo.Faces[a.face].Box.Dy() - b.photo.Faces[b.face].Box.Dy()
	})
}

// crop returns the face, cut from the photo's preview in memory with a
// margin for hair and chin and scaled to fit size; nothing is written
// anywhere. It is nil when the photo has no preview.
func (v *peopleView) crop(f facePlace, size int) image.Image {
	key := cropKey{f, size}
	if img, ok := v.crops[key]; ok {
		return img
	}
	img := previewCrop(f.photo, f.photo.Faces[f.face].Box, size)
	v.crops[key] = img
	return img
}

// previewCrop cuts box (in the original's pixels) out of p's preview
// with half the box's height around it, scaled to fit size; nil without a
// preview.
func previewCrop(p *vet.Photo, box image.Rectangle, size int) image.Image {
	preview, err := p.PreviewImage()
	if err != nil {
		return nil
	}
	return cropFace(p, preview, box, box.Dy()/2, size)
}

// cropFace cuts box (in the original's pixels) out of preview, p's
// preview, with margin pixels of the original around it, scaled to fit
// size: in memory only, like the preview. It is nil when nothing of the
// box is in the preview.
func cropFace(p *vet.Photo, preview image.Image, box image.Rectangle, margin, size int) image.Image {
	if preview == nil || p.Width == 0 || p.Height == 0 {
		return nil
	}
	b := preview.Bounds()
	sx, sy := float64(b.Dx())/float64(p.Width), float64(b.Dy())/float64(p.Height)
	box = box.Inset(-margin)
	r := image.Rect(int(float64(box.Min.X)*sx), int(float64(box.Min.Y)*sy), int(float64(box.Max.X)*sx+0.5), int(float64(box.Max.Y)*sy+0.5)).
		Add(b.Min).Intersect(b)
	if r.Empty() {
		return nil
	}
	return imaging.Fit(imaging.Crop(preview, r), size, size, imaging.Linear)
}

// typedKey handles the view's keys: Escape, or P again, goes back.
func (v *peopleView) typedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeyEscape || e.Name == fyne.KeyP {
		v.back()
	}
}

// openPeople shows the people in this batch in place of the photos or the
// review; Escape or "All photos" goes back to all photos.
func (w *mainWindow) openPeople() {
	if len(w.session.photos) == 0 || w.showing(w.people) {
		return
	}
	w.showArea(w.people)
	w.Canvas().Focus(nil)
	w.people.open() // last: the grouping it starts shows its result through fyne.Do
}

// closePeople goes back to all photos, as its button says: the groups
// named or hidden there changed photos all over the batch.
func (w *mainWindow) closePeople() {
	w.people.close()
	w.closeReview()
}

// showing reports whether the photos area shows o.
func (w *mainWindow) showing(o fyne.CanvasObject) bool {
	return len(w.area.Objects) == 1 && w.area.Objects[0] == o
}

// groupList is the list of groups: it keeps the keys that move through
// it and hands every other key to the window's shortcuts, so that Escape
// and P still work once a group was clicked and the list has the focus.
type groupList struct {
	widget.List
	keys func(*fyne.KeyEvent)
}

func newGroupList(keys func(*fyne.KeyEvent), length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *groupList {
	l := &groupList{keys: keys}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey moves through the groups on the arrows and Space, as a list
// does, and hands the other keys to the window.
func (l *groupList) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyUp, fyne.KeyDown, fyne.KeySpace:
		l.List.TypedKey(e)
	default:
		l.keys(e)
	}
}
