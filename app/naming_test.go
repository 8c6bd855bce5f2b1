//go:build !race

// The real face engine runs without the race detector (make test runs
// this file on its own, as vet's naming test): it adds nothing to the C
// and C++ and slows the pixel loops several times.

package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
)

// effort counts what a reviewer does in the window: clicks (a
// double-click is two) and keys pressed.
type effort struct{ clicks, keys int }

func (e *effort) tap(o fyne.Tappable) {
	e.clicks++
	test.Tap(o)
}

func (e *effort) tapCanvas(c fyne.Canvas, pos fyne.Position) {
	e.clicks++
	test.TapCanvas(c, pos)
}

func (e *effort) typeText(o fyne.Focusable, s string) {
	e.keys += len([]rune(s))
	test.Type(o, s)
}

func (e *effort) press(o fyne.Focusable, key fyne.KeyName) {
	e.keys++
	o.TypedKey(&fyne.KeyEvent{Name: key})
}

func (e effort) String() string { return fmt.Sprintf("%d clicks and %d keys", e.clicks, e.keys) }

// openRecognitionBatch is a main window over a register of the class, with the
// portraits enrolled by the real engine and the batch processed.
func openRecognitionBatch(t *testing.T, faces *vet.Faces, dir string, c recognitionClass) *mainWindow {
	t.Helper()
	ctx := context.Background()
	a := test.NewTempApp(t)
	store := openTestRegisterWith(t, c.roster)
	finder, workers, err := faces.Finder()
	if err != nil {
		t.Fatal(err)
	}
	batch := t.TempDir()
	enrolled, files, err := c.enrol(ctx, store, finder, workers, batch)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d people in the register, %d enrolled from one portrait each, %d photos in the batch", len(c.names), enrolled, len(files))

	w := newMainWindow(a, store, faces, "test", msg.Text{})
	waitForWindow(t, w)
	w.jobAnswers = &heldAnswers{}
	w.session.Job.Photographer, w.session.Job.PhotographerChannels = "Pia Photo", []string{"website"}
	w.applyJob(consent.Job{Channel: "website", Unit: consent.School})
	waitForJob(t, w)
	w.Resize(fyne.NewSize(1200, 800))
	done := make(chan struct{})
	w.batchFinished = func() { close(done) }
	w.addURIs([]fyne.URI{storage.NewFileURI(batch)})
	select {
	case <-done:
	case <-time.After(20 * time.Minute):
		t.Fatal("the batch did not finish in 20 minutes")
	}
	w.batchFinished = nil
	if len(w.session.photos) != len(files) {
		t.Fatalf("%d photos processed of %d", len(w.session.photos), len(files))
	}
	return w
}

// whoIs returns the person face i of p shows by the data, "" for a face
// the data names nobody for: the largest face of a photo is the one its
// label names.
func whoIs(c recognitionClass, p *vet.Photo, i int) string {
	largest := 0
	for j, f := range p.Faces {
		if f.Box.Dy() > p.Faces[largest].Box.Dy() {
			largest = j
		}
	}
	if i != largest {
		return ""
	}
	return c.personOf[filepath.Base(p.Path)]
}

// overlayButton is the button with the text on the dialog on top.
func overlayButton(t *testing.T, w *mainWindow, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button on the dialog", text)
	return nil
}

// reviewFaceByFace clears the batch as main's review lets a teacher: open
// the first photo needing review; on each, click every face the teacher
// knows, "This is...", type the name, click the person and OK, or "Yes,
// this is ..." where PhotoVet recognised the face rightly; click a face
// recognised as someone the teacher cannot vouch for and hide it; "Hide
// every unknown face" for the rest; confirm a photo without a face; then
// "Next needing review".
func reviewFaceByFace(t *testing.T, w *mainWindow, c recognitionClass, e *effort) {
	t.Helper()
	first := w.session.nextNeedingReview(nil)
	if first == nil {
		return
	}
	e.clicks++ // the photo's thumbnail in the grid
	w.photos.grid.Select(slices.Index(w.photos.shown, first))
	r := w.review
	assign := r.assignButton
	for r.photo != nil && r.photo.Status == vet.NeedsReview {
		p := r.photo
		for i, f := range p.Faces {
			who := whoIs(c, p, i)
			if !f.ToConfirm() && (!f.Unknown() || who == "") {
				continue
			}
			e.tapCanvas(w.Canvas(), fyne.CurrentApp().Driver().AbsolutePositionForObject(r.view).Add(faceCentre(r, f.Box)))
			if r.selected.face != i {
				t.Fatalf("%s: a click on face %d selected %+v", p.Path, i, r.selected)
			}
			// A face recognised as the person the data names: "Yes, this
			// is ..."; as someone the data cannot vouch for: hidden.
			switch {
			case f.ToConfirm() && f.Decision.Recognised == who:
				e.tap(r.confirmButton)
				continue
			case f.ToConfirm() && who == "":
				e.tap(r.redactButton)
				continue
			}
			e.tap(assign)
			search := w.Canvas().Focused()
			e.typeText(search, c.names[who])
			var list *widget.List
			for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
				if l, ok := o.(*widget.List); ok {
					list = l
				}
			}
			e.tapCanvas(w.Canvas(), fyne.CurrentApp().Driver().AbsolutePositionForObject(list).AddXY(20, 10))
			e.tap(overlayButton(t, w, "OK"))
			if got := p.Faces[i].AssignedID; got != who {
				t.Fatalf("%s: face %d assigned to %q, want %s", p.Path, i, got, who)
			}
		}
		if slices.ContainsFunc(p.Faces, vet.Face.Unknown) {
			e.tap(r.hideUnknown)
		}
		if len(p.Faces) == 0 && !p.NoFaceConfirmed {
			e.tap(r.noFace)
		}
		if p.Status != vet.Cleared {
			t.Fatalf("%s is %s after its review: %v", p.Path, p.Status, p.Reasons)
		}
		if r.nextButton.Disabled() {
			break
		}
		e.tap(r.nextButton)
	}
}

// checkCleared fails unless every photo is cleared and every face the
// data names is named rightly.
func checkCleared(t *testing.T, w *mainWindow, c recognitionClass) {
	t.Helper()
	named := 0
	for _, p := range w.session.photos {
		if p.Status != vet.Cleared {
			t.Errorf("%s is %s: %v", p.Path, p.Status, p.Reasons)
		}
		for i, f := range p.Faces {
			who := whoIs(c, p, i)
			switch id := f.Decision.PersonID; {
			case who != "" && id == who:
				named++
			case who != "" && id != "":
				t.Errorf("%s: %s is named %s", p.Path, who, id)
			case who != "" && f.Review != consent.ForceRedacted:
				t.Errorf("%s: %s is neither named nor hidden", p.Path, who)
			}
		}
	}
	t.Logf("%d faces the data names are named rightly", named)
}

// TestRecognitionBatchClicks clears a batch of the recognition folder with
// the real engine, one portrait per labelled person enrolled, twice: face
// by face in the review (as main lets a teacher), then person by person
// in "People in this batch" (a suggestion's button where the person is
// suggested, else "This is..." with the name typed and Enter; "Hide this
// person" for faces the data names nobody for); what is left, a photo
// without a face, through the review. It counts the clicks and keys of
// each and prints them.
func TestRecognitionBatchClicks(t *testing.T) {
	dir := filepath.Join(testdata.Dir(t), "recognition")
	c := newRecognitionClass(t, dir)
	faces := vet.NewFaces(vet.LoadEngine)
	t.Cleanup(func() { faces.Close() })

	var faceByFace, personByPerson effort
	t.Run("face by face", func(t *testing.T) {
		w := openRecognitionBatch(t, faces, dir, c)
		reviewFaceByFace(t, w, c, &faceByFace)
		checkCleared(t, w, c)
	})
	t.Run("person by person", func(t *testing.T) {
		w := openRecognitionBatch(t, faces, dir, c)
		reviewPersonByPerson(t, w, c, &personByPerson)
		checkCleared(t, w, c)
	})
	t.Logf("clearing the batch: face by face in the review %v; person by person in People in this batch %v",
		faceByFace, personByPerson)
	if personByPerson.clicks >= faceByFace.clicks {
		t.Errorf("person by person takes %d clicks, face by face %d", personByPerson.clicks, faceByFace.clicks)
	}
}

// reviewPersonByPerson clears the batch through "People in this batch":
// each group the data names a person for is selected in the list (a
// click, unless it is the one shown), any face in it the data names
// someone else for taken out, and the group named (the person's
// suggestion button, or "This is...", the name and Enter); then "Hide
// every unknown face left". What is left, a photo without a face, goes
// through the review (reviewFaceByFace).
func reviewPersonByPerson(t *testing.T, w *mainWindow, c recognitionClass, e *effort) {
	t.Helper()
	grouped := make(chan struct{})
	w.people.grouped = func() { close(grouped) }
	e.tap(w.peopleButton)
	waitFor(t, grouped, "the groups of faces")
	w.people.grouped = nil
	v := w.people
	sizes := map[int]int{}
	for _, g := range v.groups {
		sizes[len(g.faces)]++
	}
	t.Logf("groups by size (faces: groups): %v", sizes)
	suggested := 0
	for round := 0; ; round++ {
		if round > 1000 {
			t.Fatal("the groups do not go away when named")
		}
		next, who := -1, ""
		for i, g := range v.groups {
			count := map[string]int{}
			for _, f := range g.faces {
				count[whoIs(c, f.photo, f.face)]++
			}
			for id, n := range count {
				if id != "" && (who == "" || n > count[who]) {
					who = id
				}
			}
			if who != "" {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		if v.current != next {
			e.clicks++ // the group's row in the list
			v.list.Select(next)
		}
		g := v.groups[next]
		for j := len(g.faces) - 1; j >= 0; j-- {
			if other := whoIs(c, g.faces[j].photo, g.faces[j].face); other != "" && other != who {
				t.Errorf("%s and %s are in one group", c.names[who], c.names[other])
				e.tap(v.tileOut[j])
			}
		}
		var suggestion *widget.Button
		for _, o := range v.suggestions.Objects {
			if b, ok := o.(*widget.Button); ok && b.Text == c.names[who] {
				suggestion = b
			}
		}
		if suggestion != nil {
			suggested++
			e.tap(suggestion)
			continue
		}
		e.tap(v.nameButton)
		search := w.Canvas().Focused()
		e.typeText(search, c.names[who])
		e.press(search, fyne.KeyReturn)
	}
	t.Logf("named by a suggestion's button: %d groups", suggested)
	if !v.hideRest.Disabled() {
		e.tap(v.hideRest)
	}
	e.keys++ // Escape: back to the photos
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	reviewFaceByFace(t, w, c, e)
}
