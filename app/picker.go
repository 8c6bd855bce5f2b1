package app

import (
	"errors"
	"image"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
)

func errNoteRequired() error {
	return errors.New(lang.L("A note is required"))
}

// personPicker is a searchable list of people to choose one or several
// from. Choosing one, the people suggested for the face come first; Enter
// in the search box or a double-click on a row picks, Escape cancels, and
// the arrow keys move the highlighted row while the search box keeps the
// focus. Nobody is chosen until the reviewer says so (R4): the list opens
// with no row highlighted, and only text typed into the search highlights
// its first match.
type personPicker struct {
	people    []*consent.Person // in the list's order: the suggested first
	suggested map[string]bool
	shown     []*consent.Person
	chosen    map[string]bool
	multiple  bool
	search    *pickerSearch
	list      *widget.List
	nobody    *widget.Label // says that nobody matches what was typed
	selected  int           // the highlighted row of shown in single mode, -1 for none

	// picked and cancelled close the dialog showing the picker: picked
	// after Enter or a double-click chose someone.
	picked, cancelled func()
}

func newPersonPicker(people []*consent.Person, chosen []string, multiple bool) *personPicker {
	k := &personPicker{people: people, shown: people, chosen: map[string]bool{}, suggested: map[string]bool{},
		multiple: multiple, selected: -1, picked: func() {}, cancelled: func() {}}
	for _, id := range chosen {
		k.chosen[id] = true
	}
	k.search = newPickerSearch(k)
	k.search.SetPlaceHolder(lang.L("Type a name, group or id"))
	k.search.OnChanged = k.filter
	k.nobody = widget.NewLabel("")
	k.nobody.Wrapping = fyne.TextWrapWord
	k.nobody.Hide()
	if multiple {
		k.list = widget.NewList(
			func() int { return len(k.shown) },
			func() fyne.CanvasObject { return widget.NewCheck("", nil) },
			func(id widget.ListItemID, o fyne.CanvasObject) {
				p := k.shown[id]
				c := o.(*widget.Check)
				c.OnChanged = nil
				c.SetText(personLine(p))
				c.SetChecked(k.chosen[p.ID])
				c.OnChanged = func(on bool) { k.toggle(p.ID, on) }
			})
		k.list.OnSelected = func(id widget.ListItemID) {
			k.list.UnselectAll()
			if id < len(k.shown) {
				k.toggle(k.shown[id].ID, !k.chosen[k.shown[id].ID])
			}
		}
		return k
	}
	// One person: the highlighted row is the choice.
	k.list = widget.NewList(
		func() int { return len(k.shown) },
		func() fyne.CanvasObject { return newPickerRow(k) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*pickerRow).set(id, k.shown[id], k.suggested[k.shown[id].ID])
		})
	k.list.OnSelected = k.highlight
	k.list.OnUnselected = func(widget.ListItemID) { k.highlight(-1) }
	return k
}

// suggestFirst puts the people with the given ids (nearest first) at the
// top of the list, marked as suggested.
func (k *personPicker) suggestFirst(ids []string) {
	var first, rest []*consent.Person
	for _, id := range ids {
		if i := slices.IndexFunc(k.people, func(p *consent.Person) bool { return p.ID == id }); i >= 0 && !k.suggested[id] {
			first = append(first, k.people[i])
			k.suggested[id] = true
		}
	}
	for _, p := range k.people {
		if !k.suggested[p.ID] {
			rest = append(rest, p)
		}
	}
	k.people = append(first, rest...)
	k.filter(k.search.Text)
}

// personLine is how a person appears in the list.
func personLine(p *consent.Person) string {
	role := lang.L("child")
	if p.Role != consent.Child {
		role = lang.L("staff")
	}
	group := p.Group
	if group == "" {
		group = "-"
	}
	return p.DisplayName() + "  (" + group + ", " + role + ", " + p.ID + ")"
}

func (k *personPicker) toggle(id string, on bool) {
	k.chosen[id] = on
	k.list.Refresh()
}

// highlight makes row id of the shown people the choice (-1: none).
func (k *personPicker) highlight(id widget.ListItemID) {
	clear(k.chosen)
	k.selected = -1
	if id >= 0 && id < len(k.shown) {
		k.selected = id
		k.chosen[k.shown[id].ID] = true
	}
}

// move highlights the row step rows below (above, when negative) the
// highlighted one.
func (k *personPicker) move(step int) {
	if k.multiple || len(k.shown) == 0 {
		return
	}
	next := max(0, min(len(k.shown)-1, k.selected+step))
	if k.selected < 0 {
		next = 0
	}
	k.list.Select(next)
	k.list.ScrollTo(next)
}

// pick takes the highlighted person, when there is one.
func (k *personPicker) pick() {
	if !k.multiple && k.selected >= 0 {
		k.picked()
	}
}

func (k *personPicker) filter(text string) {
	k.shown = nil
	for _, p := range k.people {
		if personMatches(p, text) {
			k.shown = append(k.shown, p)
		}
	}
	k.nobody.Hide()
	if len(k.shown) == 0 && len(k.people) > 0 {
		k.nobody.SetText(lang.L("Nobody in the register matches \"{{.Text}}\".", map[string]any{"Text": text}))
		k.nobody.Show()
	}
	k.list.UnselectAll()
	if k.multiple {
		k.list.Refresh()
		return
	}
	// The choice is what is highlighted in the filtered list: what the
	// reviewer typed highlights its first match, so that Enter takes it.
	k.highlight(-1)
	k.list.Refresh()
	if text != "" && len(k.shown) > 0 {
		k.list.Select(0)
		k.list.ScrollToTop()
	}
}

// ids returns the chosen people's ids in the list's order.
func (k *personPicker) ids() []string {
	var ids []string
	for _, p := range k.people {
		if k.chosen[p.ID] {
			ids = append(ids, p.ID)
		}
	}
	return slices.Clip(ids)
}

// pickerSearch is the picker's search box: besides the text it takes
// Enter (pick), Escape (cancel) and the up and down arrows (move the
// highlighted row), so that the keyboard alone can choose.
type pickerSearch struct {
	widget.Entry
	picker *personPicker
}

func newPickerSearch(k *personPicker) *pickerSearch {
	e := &pickerSearch{picker: k}
	e.ExtendBaseWidget(e)
	e.OnSubmitted = func(string) { k.pick() }
	return e
}

// TypedKey handles the picker's keys and passes the others to the entry.
func (e *pickerSearch) TypedKey(key *fyne.KeyEvent) {
	switch key.Name {
	case fyne.KeyDown:
		e.picker.move(1)
	case fyne.KeyUp:
		e.picker.move(-1)
	case fyne.KeyEscape:
		e.picker.cancelled()
	default:
		e.Entry.TypedKey(key)
	}
}

// pickerRow is one person in the single-choice list: a tap highlights
// them, a double-tap picks them.
type pickerRow struct {
	widget.BaseWidget
	picker *personPicker
	id     widget.ListItemID
	label  *widget.Label
	mark   *widget.Label
}

var (
	_ fyne.Tappable       = (*pickerRow)(nil)
	_ fyne.DoubleTappable = (*pickerRow)(nil)
)

func newPickerRow(k *personPicker) *pickerRow {
	r := &pickerRow{picker: k, label: widget.NewLabel(""), mark: widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// set shows person p, the list's row id.
func (r *pickerRow) set(id widget.ListItemID, p *consent.Person, suggested bool) {
	r.id = id
	r.label.SetText(personLine(p))
	// The register stores no portrait, only descriptors (R9): a
	// suggestion is shown by name.
	r.mark.SetText("")
	if suggested {
		r.mark.SetText(lang.L("suggested"))
	}
}

// Tapped highlights the row; the search box keeps the keyboard.
func (r *pickerRow) Tapped(*fyne.PointEvent) {
	r.picker.list.Select(r.id)
	if c := fyne.CurrentApp().Driver().CanvasForObject(r); c != nil {
		c.Focus(r.picker.search)
	}
}

// DoubleTapped picks the row's person.
func (r *pickerRow) DoubleTapped(*fyne.PointEvent) {
	r.picker.list.Select(r.id)
	r.picker.pick()
}

// CreateRenderer lays out the name and, for a suggestion, its mark.
func (r *pickerRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, r.mark, r.label))
}

// facePickerSize is the side of the face shown in the picker.
const facePickerSize = 240

// showFacePicker asks who a face is: the face (crop, may be nil) large on
// the left with caption below it, the people on the right, those in
// suggested (nearest first) at the top. done gets the person picked with
// OK, Enter or a double-click.
func showFacePicker(parent fyne.Window, title string, face image.Image, caption string, people []*consent.Person, suggested []string, done func(id string)) *personPicker {
	k := newPersonPicker(people, nil, false)
	k.suggestFirst(suggested)
	right := container.NewBorder(container.NewVBox(k.search, k.nobody), nil, nil, nil, k.list)
	var left fyne.CanvasObject
	if face != nil {
		img := canvas.NewImageFromImage(face)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSquareSize(facePickerSize))
		note := widget.NewLabel(caption)
		note.Wrapping = fyne.TextWrapWord
		left = container.NewBorder(nil, note, nil, nil, img)
	}
	content := fyne.CanvasObject(container.NewBorder(nil, nil, left, nil, right))
	if len(people) == 0 {
		content = container.NewVBox(widget.NewLabel(lang.L("The register has nobody yet: import the roster in the Consent register tab.")))
	}
	d := dialog.NewCustomConfirm(title, lang.L("OK"), lang.L("Cancel"), content, func(ok bool) {
		if ids := k.ids(); ok && len(ids) == 1 {
			done(ids[0])
		}
	}, parent)
	d.SetConfirmImportance(widget.HighImportance)
	k.picked = d.Confirm
	k.cancelled = d.Hide
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
	parent.Canvas().Focus(k.search)
	return k
}

// showPersonPicker asks for one person (or several when multiple) and
// calls done with their ids when the reviewer confirms.
func showPersonPicker(parent fyne.Window, title string, people []*consent.Person, chosen []string, multiple bool, done func([]string)) {
	k := newPersonPicker(people, chosen, multiple)
	content := container.NewBorder(container.NewVBox(k.search, k.nobody), nil, nil, nil, k.list)
	if len(people) == 0 {
		content = container.NewVBox(widget.NewLabel(lang.L("The register has nobody yet: import the roster in the Consent register tab.")))
	}
	d := dialog.NewCustomConfirm(title, lang.L("OK"), lang.L("Cancel"), content, func(ok bool) {
		if ok {
			done(k.ids())
		}
	}, parent)
	k.picked, k.cancelled = d.Confirm, d.Hide
	d.Resize(fyne.NewSize(560, 520))
	d.Show()
	parent.Canvas().Focus(k.search)
}
