package app

import (
	"image"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

// cropSize is the side of a face's crop in the face list.
const cropSize = 48

// faceRow is one face in the face list, numbered by its place: its crop,
// name and state.
type faceRow struct {
	crop       image.Image // nil when the photo has no preview
	name       string
	state      string
	importance widget.Importance // the state's colour
}

// faceList lists the faces of the photo under review beside it: each with
// its crop, so that a face too small on the photo can be told apart, its
// name and what happens to it. Selecting a face here selects it on the
// photo, and the other way round.
//
// A tap may give a list the keyboard focus, and a focused widget.List
// keeps every key: the review's shortcuts would stop working. So every
// key goes to the window's shortcuts, where the up and down arrows select
// the previous and next face.
type faceList struct {
	widget.List
	rows     []faceRow
	selected int  // -1 when none
	updating bool // selecting from the photo: no callback
	onSelect func(face int)
	keys     func(*fyne.KeyEvent)
}

func newFaceList(onSelect func(face int), keys func(*fyne.KeyEvent)) *faceList {
	l := &faceList{selected: -1, onSelect: onSelect, keys: keys}
	l.Length = func() int { return len(l.rows) }
	l.CreateItem = func() fyne.CanvasObject {
		crop := canvas.NewImageFromImage(nil)
		crop.FillMode = canvas.ImageFillContain
		crop.SetMinSize(fyne.NewSquareSize(cropSize))
		name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		name.Truncation = fyne.TextTruncateEllipsis
		state := widget.NewLabel("")
		return container.NewBorder(nil, nil, crop, nil, container.NewVBox(name, state))
	}
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(l.rows) {
			return
		}
		row := l.rows[id]
		c := o.(*fyne.Container)
		texts := c.Objects[0].(*fyne.Container)
		crop := c.Objects[1].(*canvas.Image)
		crop.Image = row.crop
		crop.Refresh()
		name, state := texts.Objects[0].(*widget.Label), texts.Objects[1].(*widget.Label)
		name.SetText(strconv.Itoa(id+1) + "  " + row.name)
		state.Importance = row.importance
		state.SetText(row.state)
	}
	l.OnSelected = func(id widget.ListItemID) {
		if l.updating || id == l.selected {
			return
		}
		l.selected = id
		l.onSelect(id)
	}
	l.ExtendBaseWidget(l)
	return l
}

// setRows shows rows, keeping the selected face.
func (l *faceList) setRows(rows []faceRow) {
	l.rows = rows
	l.Refresh()
}

// selectFace selects face i (-1: none) without calling onSelect, and
// scrolls to it.
func (l *faceList) selectFace(i int) {
	l.updating = true
	defer func() { l.updating = false }()
	l.selected = i
	if i < 0 || i >= len(l.rows) {
		l.selected = -1
		l.UnselectAll()
		return
	}
	l.Select(i)
	l.ScrollTo(i)
}

// selectedFace is the face selected in the list, -1 when none.
func (l *faceList) selectedFace() int { return l.selected }

// TypedKey hands every key to the window's shortcuts, which move
// through the faces on the up and down arrows.
func (l *faceList) TypedKey(e *fyne.KeyEvent) { l.keys(e) }

// faceCrops cuts each face of p out of its preview, with a fifth of the
// face around it, at most twice cropSize (for screens that scale): in
// memory only, like the preview.
func faceCrops(p *vet.Photo, preview image.Image) []image.Image {
	crops := make([]image.Image, len(p.Faces))
	for i, f := range p.Faces {
		crops[i] = cropFace(p, preview, f.Box, max(f.Box.Dx(), f.Box.Dy())/5, 2*cropSize)
	}
	return crops
}

// shortcutCheck is a check box that hands the keys it does not use to the
// window's shortcuts: a click gives a check box the keyboard focus, and N
// and Esc stopped working after "nobody can be recognised" was ticked.
type shortcutCheck struct {
	widget.Check
	keys func(*fyne.KeyEvent)
}

func newShortcutCheck(text string, changed func(bool), keys func(*fyne.KeyEvent)) *shortcutCheck {
	c := &shortcutCheck{keys: keys}
	c.Text, c.OnChanged = text, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey ticks on Space, like a widget.Check, and hands every other key
// to the window's shortcuts.
func (c *shortcutCheck) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeySpace {
		c.Check.TypedKey(e)
		return
	}
	c.keys(e)
}
