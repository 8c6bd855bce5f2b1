package app

import (
	"image"
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

var (
	_ fyne.Tappable     = (*photoView)(nil)
	_ fyne.Draggable    = (*photoView)(nil)
	_ fyne.Scrollable   = (*photoView)(nil)
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

// Zoom limits and steps.
const (
	// maxZoom is the largest zoom, in screen pixels per pixel of the
	// preview: more only enlarges the preview's pixels.
	maxZoom = 4
	// zoomStep is the factor of one press of + or -, or one notch of the
	// mouse wheel.
	zoomStep = 1.25
	// wheelNotch is how far Fyne scrolls for one notch of the wheel.
	wheelNotch = 25
)

// photoView shows a photo's preview with a box per face (green when it
// stays visible, red when it is hidden) and the reviewer's own boxes. Each
// face's box carries its number in the face list, and its name where that
// fits without covering another label or face: the face list has every
// name. A click selects a face or box; a drag draws a new box.
//
// It zooms inside the scroll container it is shown in (scroller): the
// photo fits the container, or is shown at zoom, and the container's
// scroll bars, or a drag with the middle button, move it.
type photoView struct {
	widget.BaseWidget
	image    *canvas.Image
	scroller *container.Scroll

	photo    *vet.Photo
	names    func(f vet.Face) string // the name on a face's label
	after    bool                    // showing what will be published: no boxes
	selected selection
	// zoom is the photo's scale in widget units per original pixel; 0
	// fits the photo in the scroller.
	zoom float32

	onSelect func(selection)
	onDrawn  func(image.Rectangle) // in original coordinates
	onZoom   func()                // after the zoom changed

	pressed          *fyne.Position // where the primary button went down
	panDrag          bool           // the drag began with the middle button: it moves the photo
	middleDown       bool           // the middle button is down
	dragging         bool
	dragFrom, dragTo fyne.Position
	imageOrigin      fyne.Position // where the photo starts in the widget
	imageScale       float32       // widget units per original pixel
}

// newPhotoView returns a photo view inside its scroll container: show the
// container.
func newPhotoView(onSelect func(selection), onDrawn func(image.Rectangle)) *photoView {
	v := &photoView{image: canvas.NewImageFromImage(nil), onSelect: onSelect, onDrawn: onDrawn, selected: noSelection()}
	v.image.FillMode = canvas.ImageFillStretch // placed by the renderer to keep the aspect
	v.ExtendBaseWidget(v)
	v.scroller = container.NewScroll(v)
	v.scroller.SetMinSize(fyne.NewSize(320, 240))
	return v
}

// set shows img (the preview, or the redacted preview when after) for p;
// another photo than before starts fitted.
func (v *photoView) set(p *vet.Photo, img image.Image, after bool, names func(vet.Face) string) {
	if p != v.photo {
		v.zoom = 0
		v.scroller.Offset = fyne.Position{}
	}
	v.photo, v.after, v.names = p, after, names
	v.image.Image = img
	v.image.Refresh()
	v.relayout()
}

// toOriginal maps a position in the widget to the original photo.
func (v *photoView) toOriginal(pos fyne.Position) image.Point {
	if v.imageScale == 0 {
		return image.Point{}
	}
	return image.Pt(int((pos.X-v.imageOrigin.X)/v.imageScale), int((pos.Y-v.imageOrigin.Y)/v.imageScale))
}

// fitScale is the scale at which the whole photo fits the scroller.
func (v *photoView) fitScale() float32 {
	size := v.scroller.Size()
	if v.photo == nil || v.photo.Width == 0 || size.IsZero() {
		return 0
	}
	return min(size.Width/float32(v.photo.Width), size.Height/float32(v.photo.Height))
}

// actualScale is "100%": a pixel of the preview (the most detail the
// review has) on a pixel of the screen.
func (v *photoView) actualScale() float32 {
	if v.photo == nil || v.photo.Width == 0 || v.image.Image == nil {
		return 0
	}
	screen := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil && c.Scale() > 0 {
		screen = c.Scale()
	}
	return float32(v.image.Image.Bounds().Dx()) / float32(v.photo.Width) / screen
}

// scale is the current scale in widget units per original pixel.
func (v *photoView) scale() float32 {
	if v.zoom == 0 {
		return v.fitScale()
	}
	return v.zoom
}

// zoomPercent is the zoom as the reviewer reads it: 100 is a pixel of the
// preview on a pixel of the screen.
func (v *photoView) zoomPercent() int {
	if a := v.actualScale(); a > 0 {
		return int(math.Round(float64(v.scale() / a * 100)))
	}
	return 100
}

// zoomFit fits the whole photo in the scroller.
func (v *photoView) zoomFit() {
	v.zoom = 0
	v.scroller.Offset = fyne.Position{}
	v.relayout()
}

// zoomActual shows the photo at 100%, keeping the middle of the scroller
// where it is.
func (v *photoView) zoomActual() {
	v.zoomTo(v.actualScale(), v.middle())
}

// zoomBy multiplies the scale by factor, keeping the photo's point under
// anchor (a position in the scroller) where it is.
func (v *photoView) zoomBy(factor float32, anchor fyne.Position) {
	v.zoomTo(v.scale()*factor, anchor)
}

func (v *photoView) middle() fyne.Position {
	s := v.scroller.Size()
	return fyne.NewPos(s.Width/2, s.Height/2)
}

// zoomTo sets the scale, between the smaller of fitting the photo and
// 100% and the larger of fitting and maxZoom, keeping the photo's point
// under anchor where it is.
func (v *photoView) zoomTo(scale float32, anchor fyne.Position) {
	fit, actual := v.fitScale(), v.actualScale()
	if fit == 0 || actual == 0 {
		return
	}
	scale = max(min(fit, actual), min(scale, max(fit, maxZoom*actual)))
	if abs32(scale-fit) < fit/1000 {
		v.zoomFit()
		return
	}
	old := v.scale()
	// The original's point under the anchor, in original pixels.
	at := anchor.Add(v.scroller.Offset).Subtract(v.imageOrigin)
	px, py := at.X/old, at.Y/old
	v.zoom = scale
	v.Resize(v.MinSize().Max(v.scroller.Size())) // lays out: the new origin
	v.scroller.Offset = fyne.NewPos(v.imageOrigin.X+px*scale-anchor.X, v.imageOrigin.Y+py*scale-anchor.Y)
	v.relayout()
}

// showBox scrolls so that box (original pixels) is in view, when zoomed.
func (v *photoView) showBox(box image.Rectangle) {
	if v.zoom == 0 || v.imageScale == 0 {
		return
	}
	size, off := v.scroller.Size(), v.scroller.Offset
	minX, minY := v.imageOrigin.X+float32(box.Min.X)*v.imageScale, v.imageOrigin.Y+float32(box.Min.Y)*v.imageScale
	maxX, maxY := v.imageOrigin.X+float32(box.Max.X)*v.imageScale, v.imageOrigin.Y+float32(box.Max.Y)*v.imageScale
	if minX >= off.X && maxX <= off.X+size.Width && minY >= off.Y && maxY <= off.Y+size.Height {
		return
	}
	v.scroller.Offset = fyne.NewPos((minX+maxX-size.Width)/2, (minY+maxY-size.Height)/2)
	v.relayout()
}

// relayout sizes the view for the zoom, lets the scroller clamp its
// offset and redraws.
func (v *photoView) relayout() {
	v.Resize(v.MinSize().Max(v.scroller.Size()))
	v.scroller.Refresh()
	v.Refresh()
}

// Scrolled zooms on the mouse wheel, around the pointer.
func (v *photoView) Scrolled(e *fyne.ScrollEvent) {
	notches := max(-3, min(3, e.Scrolled.DY/wheelNotch))
	if notches == 0 {
		return
	}
	v.zoomBy(float32(math.Pow(zoomStep, float64(notches))), e.Position.Subtract(v.scroller.Offset))
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

// MouseDown remembers where a drag starts (the first drag event arrives
// only after the pointer moved), and whether it moves the photo: a drag
// with the middle button does.
func (v *photoView) MouseDown(e *desktop.MouseEvent) {
	v.panDrag = e.Button == desktop.MouseButtonTertiary
	if v.panDrag {
		v.middleDown = true
		return
	}
	pos := e.Position
	v.pressed = &pos
}

// MouseUp ends a move with the middle button: drag events may still
// come until the next click.
func (v *photoView) MouseUp(e *desktop.MouseEvent) {
	if e.Button == desktop.MouseButtonTertiary {
		v.middleDown = false
	}
}

// Dragged moves the photo (middle button) or draws the box being added:
// from where the button went down (or the first event, when there was no
// button) by the sum of the moves.
func (v *photoView) Dragged(e *fyne.DragEvent) {
	if v.panDrag {
		if v.middleDown {
			v.scroller.Offset = v.scroller.Offset.Subtract(e.Dragged)
			v.scroller.Refresh()
		}
		return
	}
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
	if v.panDrag {
		v.panDrag = false
		return
	}
	if !v.dragging {
		return
	}
	v.dragging = false
	r := image.Rectangle{Min: v.toOriginal(v.dragFrom), Max: v.toOriginal(v.dragTo)}.Canon()
	v.Refresh()
	v.onDrawn(r)
}

// MinSize is the zoomed photo's size; fitted, the scroller decides.
func (v *photoView) MinSize() fyne.Size {
	if v.zoom == 0 || v.photo == nil {
		return fyne.Size{}
	}
	return fyne.NewSize(float32(v.photo.Width)*v.zoom, float32(v.photo.Height)*v.zoom)
}

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

// overlay is one box drawn over the photo, with its label for a face.
type overlay struct {
	box     image.Rectangle
	frame   *canvas.Rectangle
	labelBg *canvas.Rectangle
	label   *canvas.Text
	number  string // the face's number in the list; "" for a manual box
	name    string // the face's name, shown after the number where it fits
}

func (r *photoViewRenderer) Destroy() {}

func (r *photoViewRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *photoViewRenderer) MinSize() fyne.Size { return r.view.MinSize() }

// Layout places the photo (fitted, or zoomed and centred when smaller
// than the widget) and every overlay on it.
func (r *photoViewRenderer) Layout(size fyne.Size) {
	v := r.view
	r.background.Resize(size)
	if v.photo == nil || v.photo.Width == 0 {
		v.imageScale = 0
		return
	}
	scale := v.zoom
	if scale == 0 {
		scale = min(size.Width/float32(v.photo.Width), size.Height/float32(v.photo.Height))
	}
	w, h := float32(v.photo.Width)*scale, float32(v.photo.Height)*scale
	changed := scale != v.imageScale
	v.imageScale = scale
	v.imageOrigin = fyne.NewPos(max(0, (size.Width-w)/2), max(0, (size.Height-h)/2))
	v.image.Move(v.imageOrigin)
	v.image.Resize(fyne.NewSize(w, h))
	frames := make([]fyne.Position, len(r.overlays))
	for i, o := range r.overlays {
		frames[i] = v.imageOrigin.Add(fyne.NewPos(float32(o.box.Min.X)*scale, float32(o.box.Min.Y)*scale))
		o.frame.Move(frames[i])
		o.frame.Resize(fyne.NewSize(float32(o.box.Dx())*scale, float32(o.box.Dy())*scale))
	}
	r.placeLabels(fyne.NewSize(w, h))
	if changed && v.onZoom != nil {
		v.onZoom() // fitted, the scale follows the window's size
	}
	if r.rubber != nil {
		from, to := v.dragFrom, v.dragTo
		r.rubber.Move(fyne.NewPos(min(from.X, to.X), min(from.Y, to.Y)))
		r.rubber.Resize(fyne.NewSize(abs32(to.X-from.X), abs32(to.Y-from.Y)))
	}
}

// area is a rectangle in widget units.
type area struct{ pos, size fyne.Position }

func (a area) overlaps(b area) bool {
	return a.pos.X < b.pos.X+b.size.X && b.pos.X < a.pos.X+a.size.X && a.pos.Y < b.pos.Y+b.size.Y && b.pos.Y < a.pos.Y+a.size.Y
}

// placeLabels gives each face a label that covers no other label and no
// other face: its number above its box, else below, else inside its top
// corner; a number that fits nowhere is left out (the list has it). Then
// each label grows to the face's name where that still covers nothing. So
// labels never hide each other, and selecting a face changes none.
func (r *photoViewRenderer) placeLabels(photo fyne.Size) {
	v := r.view
	scale, origin := v.imageScale, v.imageOrigin
	boxArea := func(b image.Rectangle) area {
		return area{origin.AddXY(float32(b.Min.X)*scale, float32(b.Min.Y)*scale), fyne.NewPos(float32(b.Dx())*scale, float32(b.Dy())*scale)}
	}
	labelSize := func(o overlay, text string) fyne.Position {
		o.label.Text = text
		s := o.label.MinSize()
		return fyne.NewPos(s.Width+8, s.Height+2)
	}
	inPhoto := func(a area) area {
		a.pos.X = max(origin.X, min(a.pos.X, origin.X+photo.Width-a.size.X))
		return a
	}
	free := func(a area, self int, placed map[int]area) bool {
		if a.pos.Y < origin.Y || a.pos.Y+a.size.Y > origin.Y+photo.Height {
			return false
		}
		for i, o := range r.overlays {
			if i != self && o.number != "" && a.overlaps(boxArea(o.box)) {
				return false
			}
		}
		for i, p := range placed {
			if i != self && a.overlaps(p) {
				return false
			}
		}
		return true
	}
	placed, named := map[int]area{}, map[int]bool{}
	for i, o := range r.overlays {
		if o.number == "" {
			continue
		}
		box := boxArea(o.box)
		size := labelSize(o, o.number)
		for _, at := range []fyne.Position{
			box.pos.SubtractXY(0, size.Y+2), // above
			box.pos.AddXY(0, box.size.Y+2),  // below
			box.pos.AddXY(2, 2),             // inside, top left
		} {
			if a := inPhoto(area{at, size}); free(a, i, placed) {
				placed[i] = a
				break
			}
		}
	}
	for i, o := range r.overlays {
		a, ok := placed[i]
		if !ok || o.name == "" {
			continue
		}
		long := inPhoto(area{a.pos, labelSize(o, o.number+"  "+o.name)})
		if free(long, i, placed) {
			placed[i], named[i] = long, true
		}
	}
	for i, o := range r.overlays {
		a, ok := placed[i]
		if !ok {
			o.labelBg.Hide()
			o.label.Hide()
			continue
		}
		o.label.Text = o.number
		if named[i] {
			o.label.Text = o.number + "  " + o.name
		}
		o.labelBg.Move(a.pos)
		o.labelBg.Resize(fyne.NewSize(a.size.X, a.size.Y))
		o.labelBg.Show()
		o.label.Move(a.pos.AddXY(4, 1))
		o.label.Resize(o.label.MinSize())
		o.label.Show()
	}
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
			o := newOverlay(f.Box, c, v.selected.face == i)
			o.number, o.name = strconv.Itoa(i+1), v.names(f)
			r.overlays = append(r.overlays, o)
		}
		for i, b := range v.photo.ManualBoxes {
			r.overlays = append(r.overlays, newOverlay(b, manualColor(), v.selected.box == i))
		}
	}
	if v.dragging {
		r.rubber = canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xa0, A: 0x40})
		r.rubber.StrokeColor, r.rubber.StrokeWidth = manualColor(), 2
	}
	r.objects = []fyne.CanvasObject{r.background, v.image}
	for _, o := range r.overlays {
		r.objects = append(r.objects, o.frame)
	}
	for _, o := range r.overlays {
		if o.number != "" {
			r.objects = append(r.objects, o.labelBg, o.label)
		}
	}
	if r.rubber != nil {
		r.objects = append(r.objects, r.rubber)
	}
	r.Layout(v.Size())
	canvas.Refresh(v)
}

func newOverlay(box image.Rectangle, c color.Color, selected bool) overlay {
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor, frame.StrokeWidth = c, 2
	if selected {
		frame.StrokeWidth = 5
		frame.FillColor = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x55}
	}
	label := canvas.NewText("", color.White)
	label.TextSize = theme.CaptionTextSize() + 1
	label.TextStyle.Bold = true
	return overlay{box: box, frame: frame, labelBg: canvas.NewRectangle(c), label: label}
}
