package app

import (
	"image"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

var (
	_ fyne.Tappable     = (*photoView)(nil)
	_ fyne.Draggable    = (*photoView)(nil)
	_ desktop.Mouseable = (*photoView)(nil)
)

// Overlay colours: green for a face that stays visible, red for one that
// is hidden, amber for the reviewer's own boxes.
func visibleColor() color.Color { return color.NRGBA{R: 0x2e, G: 0xc4, B: 0x5a, A: 0xff} }
func redactColor() color.Color  { return color.NRGBA{R: 0xe5, G: 0x39, B: 0x35, A: 0xff} }
func manualColor() color.Color  { return color.NRGBA{R: 0xff, G: 0xa0, B: 0x00, A: 0xff} }

// selection says which face or manual box the reviewer clicked.
type selection struct {
	face, box int // -1 when none
}

func noSelection() selection { return selection{face: -1, box: -1} }

// photoView shows a photo's preview with a box per face (green with the
// name when visible, red with the reason when hidden) and the reviewer's
// own boxes. A click selects a face or box; a drag draws a new box.
type photoView struct {
	widget.BaseWidget
	image *canvas.Image

	photo    *vet.Photo
	names    func(f vet.Face) string // the label of a face's box
	after    bool                    // showing what will be published: no boxes
	selected selection

	onSelect func(selection)
	onDrawn  func(image.Rectangle) // in original coordinates

	pressed          *fyne.Position // where the mouse button went down
	dragging         bool
	dragFrom, dragTo fyne.Position
	lastSize         fyne.Size
	imageOrigin      fyne.Position // where the photo starts in the widget
	imageScale       float32       // widget units per original pixel
}

func newPhotoView(onSelect func(selection), onDrawn func(image.Rectangle)) *photoView {
	v := &photoView{image: canvas.NewImageFromImage(nil), onSelect: onSelect, onDrawn: onDrawn, selected: noSelection()}
	v.image.FillMode = canvas.ImageFillStretch // placed by the renderer to keep the aspect
	v.ExtendBaseWidget(v)
	return v
}

// set shows img (the preview, or the redacted preview when after) for p.
func (v *photoView) set(p *vet.Photo, img image.Image, after bool, names func(vet.Face) string) {
	v.photo, v.after, v.names = p, after, names
	v.image.Image = img
	v.image.Refresh()
	v.Refresh()
}

// toOriginal maps a position in the widget to the original photo.
func (v *photoView) toOriginal(pos fyne.Position) image.Point {
	if v.imageScale == 0 {
		return image.Point{}
	}
	return image.Pt(int((pos.X-v.imageOrigin.X)/v.imageScale), int((pos.Y-v.imageOrigin.Y)/v.imageScale))
}

// Tapped selects the manual box or face under the pointer, the smallest
// when they overlap.
func (v *photoView) Tapped(e *fyne.PointEvent) {
	if v.photo == nil {
		return
	}
	pt := v.toOriginal(e.Position)
	sel, best := noSelection(), 0
	consider := func(r image.Rectangle, s selection) {
		if pt.In(r) && (best == 0 || r.Dx()*r.Dy() < best) {
			sel, best = s, r.Dx()*r.Dy()
		}
	}
	for i, b := range v.photo.ManualBoxes {
		consider(b, selection{face: -1, box: i})
	}
	for i, f := range v.photo.Faces {
		consider(f.Box, selection{face: i, box: -1})
	}
	v.selected = sel
	v.Refresh()
	v.onSelect(sel)
}

// MouseDown remembers where a drag starts: the first drag event arrives
// only after the pointer moved.
func (v *photoView) MouseDown(e *desktop.MouseEvent) {
	pos := e.Position
	v.pressed = &pos
}

// MouseUp ends what MouseDown began.
func (v *photoView) MouseUp(*desktop.MouseEvent) {}

// Dragged draws the box being added: from where the button went down (or
// the first event, when there was no button) by the sum of the moves.
func (v *photoView) Dragged(e *fyne.DragEvent) {
	if v.photo == nil || v.after {
		return
	}
	if !v.dragging {
		v.dragging, v.dragFrom = true, e.Position
		if v.pressed != nil {
			v.dragFrom = *v.pressed
		}
		v.dragTo = v.dragFrom
	}
	v.dragTo = v.dragTo.Add(e.Dragged)
	v.Refresh()
}

// DragEnd adds the drawn box.
func (v *photoView) DragEnd() {
	v.pressed = nil
	if !v.dragging {
		return
	}
	v.dragging = false
	r := image.Rectangle{Min: v.toOriginal(v.dragFrom), Max: v.toOriginal(v.dragTo)}.Canon()
	v.Refresh()
	v.onDrawn(r)
}

// MinSize keeps the photo usable in a small window.
func (v *photoView) MinSize() fyne.Size { return fyne.NewSize(320, 240) }

// CreateRenderer draws the photo and its overlays.
func (v *photoView) CreateRenderer() fyne.WidgetRenderer {
	r := &photoViewRenderer{view: v, background: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))}
	r.Refresh()
	return r
}

type photoViewRenderer struct {
	view       *photoView
	background *canvas.Rectangle
	overlays   []overlay
	rubber     *canvas.Rectangle
	objects    []fyne.CanvasObject
}

// overlay is one box drawn over the photo with its label.
type overlay struct {
	box      image.Rectangle
	frame    *canvas.Rectangle
	labelBg  *canvas.Rectangle
	label    *canvas.Text
	selected bool
	visible  bool // a face that stays visible
}

func (r *photoViewRenderer) Destroy() {}

func (r *photoViewRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *photoViewRenderer) MinSize() fyne.Size { return r.view.MinSize() }

// Layout fits the photo in the widget and places every overlay on it.
func (r *photoViewRenderer) Layout(size fyne.Size) {
	v := r.view
	v.lastSize = size
	r.background.Resize(size)
	if v.photo == nil || v.photo.Width == 0 {
		v.imageScale = 0
		return
	}
	scale := min(size.Width/float32(v.photo.Width), size.Height/float32(v.photo.Height))
	w, h := float32(v.photo.Width)*scale, float32(v.photo.Height)*scale
	v.imageScale = scale
	v.imageOrigin = fyne.NewPos((size.Width-w)/2, (size.Height-h)/2)
	v.image.Move(v.imageOrigin)
	v.image.Resize(fyne.NewSize(w, h))
	// Labels go above their box (below at the top edge), inside the
	// photo; the selected face's label first, then the names of visible
	// faces, then the rest, each only where it overlaps no label placed
	// before: a group photo stays readable and a click shows the rest.
	var placed []fyne.Position
	var placedSizes []fyne.Size
	for _, i := range r.labelOrder() {
		o := r.overlays[i]
		pos := v.imageOrigin.Add(fyne.NewPos(float32(o.box.Min.X)*scale, float32(o.box.Min.Y)*scale))
		box := fyne.NewSize(float32(o.box.Dx())*scale, float32(o.box.Dy())*scale)
		o.frame.Move(pos)
		o.frame.Resize(box)
		if o.label.Text == "" {
			continue
		}
		size := o.label.MinSize().AddWidthHeight(8, 2)
		at := pos.SubtractXY(0, size.Height+2)
		if at.Y < v.imageOrigin.Y {
			at = pos.AddXY(0, box.Height+2)
		}
		at.X = max(v.imageOrigin.X, min(at.X, v.imageOrigin.X+w-size.Width))
		free := true
		for j, p := range placed {
			if at.X < p.X+placedSizes[j].Width && p.X < at.X+size.Width && at.Y < p.Y+placedSizes[j].Height && p.Y < at.Y+size.Height {
				free = false
				break
			}
		}
		if !free && !o.selected {
			o.labelBg.Hide()
			o.label.Hide()
			continue
		}
		placed, placedSizes = append(placed, at), append(placedSizes, size)
		o.labelBg.Show()
		o.label.Show()
		o.labelBg.Move(at)
		o.labelBg.Resize(size)
		o.label.Move(at.AddXY(4, 1))
		o.label.Resize(o.label.MinSize())
	}
	if r.rubber != nil {
		from, to := v.dragFrom, v.dragTo
		r.rubber.Move(fyne.NewPos(min(from.X, to.X), min(from.Y, to.Y)))
		r.rubber.Resize(fyne.NewSize(abs32(to.X-from.X), abs32(to.Y-from.Y)))
	}
}

// labelOrder is the order labels claim their place: the selected box,
// then visible faces, then the others, each group left to right.
func (r *photoViewRenderer) labelOrder() []int {
	order := make([]int, len(r.overlays))
	for i := range order {
		order[i] = i
	}
	rank := func(o overlay) int {
		switch {
		case o.selected:
			return 0
		case o.visible:
			return 1
		default:
			return 2
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		oa, ob := r.overlays[a], r.overlays[b]
		if c := rank(oa) - rank(ob); c != 0 {
			return c
		}
		return oa.box.Min.X - ob.box.Min.X
	})
	return order
}

func abs32(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

// Refresh rebuilds the overlays from the photo's faces and boxes.
func (r *photoViewRenderer) Refresh() {
	v := r.view
	r.overlays = r.overlays[:0]
	r.rubber = nil
	if v.photo != nil && !v.after {
		for i, f := range v.photo.Faces {
			c := redactColor()
			if f.Decision.Visible {
				c = visibleColor()
			}
			o := newOverlay(f.Box, c, v.names(f), v.selected.face == i)
			o.visible = f.Decision.Visible
			r.overlays = append(r.overlays, o)
		}
		for i, b := range v.photo.ManualBoxes {
			r.overlays = append(r.overlays, newOverlay(b, manualColor(), "", v.selected.box == i))
		}
	}
	if v.dragging {
		r.rubber = canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xa0, A: 0x40})
		r.rubber.StrokeColor, r.rubber.StrokeWidth = manualColor(), 2
	}
	r.objects = []fyne.CanvasObject{r.background, v.image}
	for _, o := range r.overlays {
		r.objects = append(r.objects, o.frame)
		if o.label.Text != "" {
			r.objects = append(r.objects, o.labelBg, o.label)
		}
	}
	if r.rubber != nil {
		r.objects = append(r.objects, r.rubber)
	}
	r.Layout(v.Size())
	canvas.Refresh(v)
}

func newOverlay(box image.Rectangle, c color.Color, text string, selected bool) overlay {
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor, frame.StrokeWidth = c, 2
	if selected {
		frame.StrokeWidth = 5
		frame.FillColor = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x55}
	}
	label := canvas.NewText(text, color.White)
	label.TextSize = theme.CaptionTextSize() + 1
	label.TextStyle.Bold = true
	return overlay{box: box, frame: frame, labelBg: canvas.NewRectangle(c), label: label, selected: selected}
}
