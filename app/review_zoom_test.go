package app

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// These tests drive the review through the window as a teacher does:
// keys go where the real window sends them (pressKey), buttons are found
// by their text, and the photo's boxes are checked where they are drawn.

// typeKeys types text as a keyboard does: each letter is a key, then a
// character, both to where the focus is.
func typeKeys(c fyne.Canvas, text string) {
	for _, ch := range text {
		pressKey(c, fyne.KeyName(string(unicode.ToUpper(ch))))
		if f := c.Focused(); f != nil {
			f.TypedRune(ch)
		} else if h := c.OnTypedRune(); h != nil {
			h(ch)
		}
	}
}

// frames are the boxes drawn on the photo, the faces' first, in the
// photo's order of faces, then the reviewer's boxes.
func frames(r *reviewView) []*canvas.Rectangle {
	var list []*canvas.Rectangle
	for _, o := range test.WidgetRenderer(r.view).Objects() {
		if f, ok := o.(*canvas.Rectangle); ok && f.StrokeWidth > 0 {
			list = append(list, f)
		}
	}
	return list
}

// checkBoxesOnFaces fails unless each face's box is drawn where the face
// is on the photo as drawn: the photo's position plus the face's
// coordinates at the photo's drawn scale.
func checkBoxesOnFaces(t *testing.T, r *reviewView, step string) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	img := r.view.image
	origin := d.AbsolutePositionForObject(img)
	k := img.Size().Width / float32(r.photo.Width)
	fr := frames(r)
	if len(fr) < len(r.photo.Faces) {
		t.Fatalf("%s: %d boxes drawn for %d faces", step, len(fr), len(r.photo.Faces))
	}
	for i, f := range r.photo.Faces {
		want := origin.AddXY(float32(f.Box.Min.X)*k, float32(f.Box.Min.Y)*k)
		wantSize := fyne.NewSize(float32(f.Box.Dx())*k, float32(f.Box.Dy())*k)
		got, size := d.AbsolutePositionForObject(fr[i]), fr[i].Size()
		if abs32(got.X-want.X) > 1 || abs32(got.Y-want.Y) > 1 || abs32(size.Width-wantSize.Width) > 1 || abs32(size.Height-wantSize.Height) > 1 {
			t.Errorf("%s: face %d's box at %v size %v, want %v size %v (the face on the photo)", step, i+1, got, size, want, wantSize)
		}
	}
}

// TestReviewZoomKeepsBoxesOnFaces: + and -, the wheel, 100% and Fit
// change the photo's size on screen, and every face's box stays on its
// face; the wheel keeps the point under the pointer in place.
func TestReviewZoomKeepsBoxesOnFaces(t *testing.T) {
	s, r := openTwoFaces(t)
	c := s.win.Canvas()
	width := func() float32 { return r.view.image.Size().Width }
	fit := width()
	checkBoxesOnFaces(t, r, "fitted")

	pressKey(c, fyne.KeyPlus)
	step := width() / fit
	if step < 1.1 {
		t.Fatalf("after + the photo is %.0f wide, %.0f fitted: want it larger", width(), fit)
	}
	pressKey(c, fyne.KeyEqual) // "+" on a keyboard where it is shifted "="
	if got := width(); abs32(got-fit*step*step) > 1 {
		t.Fatalf("after + twice the photo is %.0f wide, want %.0f (%.0f fitted)", got, fit*step*step, fit)
	}
	checkBoxesOnFaces(t, r, "after + twice")

	wheel, ok := any(r.view).(fyne.Scrollable)
	if !ok {
		t.Fatal("the photo does not take the mouse wheel")
	}
	ada := r.photo.Faces[0].Box
	centre := func() fyne.Position {
		d := fyne.CurrentApp().Driver()
		return d.AbsolutePositionForObject(r.view.image).Add(fyne.NewPos(
			float32(ada.Min.X+ada.Max.X)/2*width()/float32(r.photo.Width), float32(ada.Min.Y+ada.Max.Y)/2*width()/float32(r.photo.Width)))
	}
	before, zoomed := centre(), width()
	at := before.Subtract(fyne.CurrentApp().Driver().AbsolutePositionForObject(r.view))
	wheel.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: at, AbsolutePosition: before}, Scrolled: fyne.NewDelta(0, 25)}) // one notch on Linux
	if got := width(); abs32(got-zoomed*step) > 1 {
		t.Errorf("after one notch of the wheel the photo is %.0f wide, want %.0f", got, zoomed*step)
	}
	if after := centre(); abs32(after.X-before.X) > 1 || abs32(after.Y-before.Y) > 1 {
		t.Errorf("the wheel moved the face under the pointer from %v to %v", before, after)
	}
	checkBoxesOnFaces(t, r, "after the wheel")

	pressKey(c, fyne.KeyMinus)
	if got := width(); abs32(got-zoomed) > 1 {
		t.Errorf("after - the photo is %.0f wide, want %.0f", got, zoomed)
	}
	checkBoxesOnFaces(t, r, "after -")

	tapButton(t, r, "100% (1)")
	if got := width(); abs32(got-float32(r.view.image.Image.Bounds().Dx())) > 1 {
		t.Errorf("at 100%% the photo is %.0f wide, want its preview's %d pixels", got, r.view.image.Image.Bounds().Dx())
	}
	checkBoxesOnFaces(t, r, "at 100%")

	tapButton(t, r, "Fit (0)")
	if got := width(); abs32(got-fit) > 1 {
		t.Errorf("after Fit the photo is %.0f wide, want %.0f", got, fit)
	}
	checkBoxesOnFaces(t, r, "fitted again")
}

// faceSelector is the face list beside the photo, as the tests see it.
type faceSelector interface {
	fyne.CanvasObject
	Select(widget.ListItemID)
	selectedFace() int
}

// faceListOf finds the face list in the review.
func faceListOf(t *testing.T, r *reviewView) faceSelector {
	t.Helper()
	for _, o := range visibleObjects(r) {
		if l, ok := o.(faceSelector); ok {
			return l
		}
	}
	t.Fatal("no face list beside the photo")
	return nil
}

// TestReviewFaceListSelectsOnPhoto: the list beside the photo has a row
// per face with its crop, name and state; choosing a row selects the face
// on the photo and in the panel, and clicking a face selects its row.
func TestReviewFaceListSelectsOnPhoto(t *testing.T) {
	s, r := openTwoFaces(t)
	l := faceListOf(t, r)
	texts := visibleTexts(l)
	for _, want := range []string{"Looks like Ada Test?", "to confirm", "Not recognised", "needs a name"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the face list says %q, want %q in it", texts, want)
		}
	}
	crops := 0
	for _, o := range visibleObjects(l) {
		if img, ok := o.(*canvas.Image); ok && img.Image != nil {
			crops++
		}
	}
	if crops != len(r.photo.Faces) {
		t.Errorf("%d crops in the face list, want one per face (%d)", crops, len(r.photo.Faces))
	}

	l.Select(1)
	if r.selected.face != 1 || r.faceWho.Text != "Not recognised" {
		t.Errorf("after choosing the stranger's row: selection %+v, panel %q", r.selected, r.faceWho.Text)
	}
	if fr := frames(r); fr[1].StrokeWidth <= fr[0].StrokeWidth {
		t.Error("the stranger's box is not shown selected on the photo")
	}

	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, r.photo.Faces[0].Box)))
	if got := l.selectedFace(); got != 0 {
		t.Errorf("after clicking Ada on the photo the list selects row %d, want 0", got)
	}
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, r.view.imageOrigin.AddXY(2, 2)))
	if got := l.selectedFace(); got != -1 || r.selected.face != -1 {
		t.Errorf("after clicking beside the faces: list row %d, selection %+v; want none", got, r.selected)
	}
}

// crowdWidth is the width of the crowd photo; crowdFinder finds two rows
// of six faces, close together, on it.
const crowdWidth = 600

type crowdFinder struct{}

func (crowdFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	if p.Width != crowdWidth {
		return fakeFinder{}.Find(ctx, p)
	}
	var faces []vision.Face
	for row := range 2 {
		for col := range 6 {
			var d vision.Descriptor
			d[10+row*6+col] = 1 // nobody enrolled
			x, y := 30+col*56+row*28, 40+row*64
			faces = append(faces, vision.Face{Box: image.Rect(x, y, x+50, y+58), Score: 1, Detector: vision.RetinaFace, Descriptor: d})
		}
	}
	return faces, nil
}

// rect is a rectangle on the canvas.
type rect struct{ pos, size fyne.Position }

func (a rect) overlaps(b rect) bool {
	return a.pos.X < b.pos.X+b.size.X && b.pos.X < a.pos.X+a.size.X && a.pos.Y < b.pos.Y+b.size.Y && b.pos.Y < a.pos.Y+a.size.Y
}

// labelsOnPhoto returns the visible labels on the photo: their areas and
// texts.
func labelsOnPhoto(r *reviewView) ([]rect, []string) {
	var areas []rect
	var texts []string
	d := fyne.CurrentApp().Driver()
	for _, o := range test.WidgetRenderer(r.view).Objects() {
		switch x := o.(type) {
		case *canvas.Rectangle:
			if x.Visible() && x.StrokeWidth == 0 && (sameColor(x.FillColor, redactColor()) || sameColor(x.FillColor, visibleColor())) {
				areas = append(areas, rect{d.AbsolutePositionForObject(x), fyne.NewPos(x.Size().Width, x.Size().Height)})
			}
		case *canvas.Text:
			if x.Visible() {
				texts = append(texts, x.Text)
			}
		}
	}
	return areas, texts
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// TestReviewLabelsNeverHideEachOther: on a crowded photo no label covers
// another, at any zoom and whatever is selected; selecting a face changes
// no label; and every face is in the list.
func TestReviewLabelsNeverHideEachOther(t *testing.T) {
	s := newTestSetup(t)
	s.win.session.Faces = vet.NewFaces(func() (vision.FaceFinder, int, error) { return crowdFinder{}, 1, nil })
	s.drop(t, s.writePhoto(t, "class.png", crowdWidth))
	s.win.Resize(fyne.NewSize(1200, 800))
	s.win.openReview(s.win.session.photos[0])
	r := s.win.review
	if n := len(r.photo.Faces); n != 12 {
		t.Fatalf("%d faces found, want 12", n)
	}
	check := func(step string) []string {
		t.Helper()
		areas, texts := labelsOnPhoto(r)
		placed := slices.Clone(texts)
		for _, a := range areas {
			placed = append(placed, fmt.Sprint(a.pos))
		}
		if len(areas) == 0 {
			t.Errorf("%s: no label on the photo", step)
		}
		for i := range areas {
			for j := range i {
				if areas[i].overlaps(areas[j]) {
					t.Errorf("%s: labels %q and %q overlap", step, texts[i], texts[j])
				}
			}
		}
		return placed
	}
	before := check("fitted")
	for i := range r.photo.Faces {
		test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, r.photo.Faces[i].Box)))
		if r.selected.face != i {
			t.Fatalf("clicking face %d selected %+v", i+1, r.selected)
		}
		if after := check("face " + r.faceWho.Text + " selected"); strings.Join(after, "|") != strings.Join(before, "|") {
			t.Errorf("selecting face %d changed the labels from %q to %q", i+1, before, after)
		}
	}
	pressKey(s.win.Canvas(), fyne.Key1)
	for range 8 {
		pressKey(s.win.Canvas(), fyne.KeyPlus)
	}
	zoomed := check("zoomed in")
	named := func(placed []string) (n int) {
		for _, t := range placed {
			if strings.Contains(t, "  ") { // the number, then the name
				n++
			}
		}
		return n
	}
	if named(zoomed) <= named(before) {
		t.Errorf("zoomed in, %d labels name their face, fitted %d: want more room for names", named(zoomed), named(before))
	}
	faceListOf(t, r).Select(11)
	if r.selected.face != 11 {
		t.Errorf("choosing the list's twelfth row selected %+v, want the twelfth face", r.selected)
	}
}

// TestReviewShortcutsIgnoredWhileTyping: a teacher who selects a face and
// types its name names it: Enter opens "Who is this?" with its search
// field focused. Letters typed there, or into an adult's note, are text,
// never shortcuts: "nb" once jumped to the next photo and toggled the
// preview.
func TestReviewShortcutsIgnoredWhileTyping(t *testing.T) {
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "a.png", widthTwoFaces), s.writePhoto(t, "b.png", widthTwoFaces))
	s.win.Resize(fyne.NewSize(1200, 800))
	c := s.win.Canvas()
	photo := s.win.session.photos[0]
	s.win.openReview(photo)
	r := s.win.review
	for _, step := range []struct {
		name string
		open func()
	}{
		{"Enter", func() { pressKey(c, fyne.KeyReturn) }},
		{"Adult who agreed in person...", func() { tapButton(t, r, "Adult who agreed in person...") }},
	} {
		test.TapCanvas(c, absolute(s, r.view, faceCentre(r, photo.Faces[1].Box)))
		step.open()
		top := c.Overlays().Top()
		if top == nil {
			t.Errorf("%s on the selected face opened no dialog", step.name)
			typeKeys(c, "nb")
			if r.photo != photo || r.afterCheck.Checked {
				t.Errorf("then typing \"nb\" moved to %s, after view %v", baseName(r.photo.Path), r.afterCheck.Checked)
			}
			s.win.openReview(photo)
			r.afterCheck.SetChecked(false)
			continue
		}
		// A text field: the adult's note, or the picker's search box.
		var entry fyne.Focusable
		var text func() string
		for _, o := range visibleObjects(top) {
			switch e := o.(type) {
			case *widget.Entry:
				entry, text = e, func() string { return e.Text }
			case *pickerSearch:
				entry, text = e, func() string { return e.Text }
			}
		}
		if entry == nil {
			t.Fatalf("the dialog of %s has no text field", step.name)
		}
		if c.Focused() == nil {
			c.Focus(entry) // the teacher clicks into the field
		}
		typeKeys(c, "nb")
		if r.photo != photo || r.afterCheck.Checked || s.win.area.Objects[0] != r {
			t.Errorf("typing \"nb\" after %s moved to %s, after view %v", step.name, baseName(r.photo.Path), r.afterCheck.Checked)
		}
		if text() != "nb" {
			t.Errorf("the text field of %s holds %q, want the letters typed", step.name, text())
		}
		tapButton(t, top, "Cancel")
		if c.Overlays().Top() != nil {
			t.Fatalf("Cancel left the dialog of %s open", step.name)
		}
	}
	pressKey(c, fyne.KeyB) // the review has the keys again
	if !r.afterCheck.Checked {
		t.Error("B does nothing once the dialogs are closed")
	}
}

// TestReviewKeysAfterClicks: ticking "nobody can be recognised", or
// choosing a face in the list, gives that widget the keyboard focus; the
// review's keys (N, Esc, the arrows) still work.
func TestReviewKeysAfterClicks(t *testing.T) {
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "a.png", widthTwoFaces), s.writePhoto(t, "b.png", widthNoFace), s.writePhoto(t, "c.png", widthTwoFaces))
	s.win.Resize(fyne.NewSize(1200, 800))
	c := s.win.Canvas()
	var empty *vet.Photo
	for _, p := range s.win.session.photos {
		if len(p.Faces) == 0 {
			empty = p
		}
	}
	s.win.openReview(empty)
	r := s.win.review
	test.Tap(r.noFace)
	if !empty.NoFaceConfirmed || c.Focused() == nil {
		t.Fatalf("ticking the box: confirmed %v, focus %v", empty.NoFaceConfirmed, c.Focused())
	}
	pressKey(c, fyne.KeyN)
	if r.photo == empty {
		t.Error("N after ticking \"nobody can be recognised\" stayed on the photo")
	}
	pressKey(c, fyne.KeyEscape)
	if s.win.area.Objects[0] != s.win.photos {
		t.Error("Esc after ticking \"nobody can be recognised\" did not go back to all photos")
	}

	first := s.win.session.photos[0]
	if first == empty {
		first = s.win.session.photos[1]
	}
	s.win.openReview(first)
	l := faceListOf(t, r)
	test.TapCanvas(c, fyne.CurrentApp().Driver().AbsolutePositionForObject(l).AddXY(l.Size().Width/2, 20))
	if l.selectedFace() != 0 || r.selected.face != 0 || c.Focused() == nil {
		t.Fatalf("clicking the list's first row: row %d, selection %+v, focus %v", l.selectedFace(), r.selected, c.Focused())
	}
	pressKey(c, fyne.KeyDown)
	if r.selected.face != 1 {
		t.Errorf("down in the face list selected %+v, want the second face", r.selected)
	}
	pressKey(c, fyne.KeyRight)
	if r.photo == first {
		t.Error("the right arrow after choosing in the face list stayed on the photo")
	}
}

// layoutAll lays out every container and widget under o again at its
// size, top down, as the window does on its next frame after texts
// changed (the test window does not).
func layoutAll(o fyne.CanvasObject) {
	switch x := o.(type) {
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		r.Layout(x.Size())
		for _, c := range r.Objects() {
			layoutAll(c)
		}
	case *fyne.Container:
		if x.Layout != nil {
			x.Layout.Layout(x.Objects, x.Size())
		}
		for _, c := range x.Objects {
			layoutAll(c)
		}
	}
}

// TestReviewButtonsStayInPlace: the panel's buttons are where they were
// when the texts above them grow (a blocking reason, a longer decision),
// so that a click meant for one cannot land on another.
func TestReviewButtonsStayInPlace(t *testing.T) {
	s, r := openTwoFaces(t)
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, r.photo.Faces[1].Box)))
	places := func() map[string]fyne.Position {
		layoutAll(s.win.Canvas().Content())
		m := map[string]fyne.Position{}
		for _, o := range visibleObjects(r) {
			if b, ok := o.(*widget.Button); ok && b.Text != "" {
				m[b.Text] = fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			}
		}
		return m
	}
	short, reasons := places(), r.reasons.Text
	r.apply(vet.SetChildWork([]string{"C1", "C2"}), vet.SetPhotographer("", nil)) // blocking reasons above the buttons
	if r.photo.Status != vet.Blocked || strings.Count(r.reasons.Text, "\n") < strings.Count(reasons, "\n")+2 {
		t.Fatalf("status %s, reasons %q: want a longer text above the buttons", r.photo.Status, r.reasons.Text)
	}
	long := places()
	for _, name := range []string{"Hide every unknown face", "This is...", "Hide this face", "Adult who agreed in person...",
		"Undo my choice", "Delete this box (Delete)", "Shows a child's work...", "Photographer of this photo..."} {
		a, okA := short[name]
		b, okB := long[name]
		switch {
		case !okA || !okB:
			t.Errorf("%q shown with the short text %v, with the long one %v: want it in place in both", name, okA, okB)
		case a != b:
			t.Errorf("%q moved from %v to %v when the text above grew", name, a, b)
		}
	}
}
