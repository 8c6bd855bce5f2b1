package app

import (
	"errors"
	"slices"

	"fyne.io/fyne/v2"
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
// from.
type personPicker struct {
	people   []*consent.Person
	shown    []*consent.Person
	chosen   map[string]bool
	multiple bool
	search   *widget.Entry
	list     *widget.List
}

func newPersonPicker(people []*consent.Person, chosen []string, multiple bool) *personPicker {
	k := &personPicker{people: people, shown: people, chosen: map[string]bool{}, multiple: multiple}
	for _, id := range chosen {
		k.chosen[id] = true
	}
	k.search = widget.NewEntry()
	k.search.SetPlaceHolder(lang.L("Type a name, group or id"))
	k.search.OnChanged = k.filter
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
	// One person: the list's own selection is the choice.
	k.list = widget.NewList(
		func() int { return len(k.shown) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(personLine(k.shown[id])) })
	k.list.OnSelected = func(id widget.ListItemID) {
		if id < len(k.shown) {
			clear(k.chosen)
			k.chosen[k.shown[id].ID] = true
		}
	}
	return k
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

func (k *personPicker) filter(text string) {
	k.shown = nil
	for _, p := range k.people {
		if personMatches(p, text) {
			k.shown = append(k.shown, p)
		}
	}
	k.list.UnselectAll()
	if !k.multiple {
		clear(k.chosen) // the choice is what is selected in the filtered list
	}
	k.list.Refresh()
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

// showPersonPicker asks for one person (or several when multiple) and
// calls done with their ids when the reviewer confirms.
func showPersonPicker(parent fyne.Window, title string, people []*consent.Person, chosen []string, multiple bool, done func([]string)) {
	k := newPersonPicker(people, chosen, multiple)
	content := container.NewBorder(k.search, nil, nil, nil, k.list)
	if len(people) == 0 {
		content = container.NewVBox(widget.NewLabel(lang.L("The register has nobody yet: import the roster in the Consent register tab.")))
	}
	d := dialog.NewCustomConfirm(title, lang.L("OK"), lang.L("Cancel"), content, func(ok bool) {
		if ok {
			done(k.ids())
		}
	}, parent)
	d.Resize(fyne.NewSize(560, 520))
	d.Show()
	parent.Canvas().Focus(k.search)
}
