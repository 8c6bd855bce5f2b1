package app

import (
	"context"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// pressKey presses a key in the window the way the desktop driver hands it
// on: to the focused widget when there is one, else to the window.
func pressKey(c fyne.Canvas, name fyne.KeyName) {
	e := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(e)
	} else if h := c.OnTypedKey(); h != nil {
		h(e)
	}
}

// chooseWithPointer clicks a drop-down, then its option with the given
// text, as the teacher does with the mouse.
func chooseWithPointer(t *testing.T, c fyne.Canvas, dropDown fyne.Tappable, option string) {
	t.Helper()
	test.Tap(dropDown)
	tapOption(t, c, option)
}

// tapOption taps option in the drop-down list open on c.
func tapOption(t *testing.T, c fyne.Canvas, option string) {
	t.Helper()
	list := c.Overlays().Top()
	if list == nil {
		t.Fatal("clicking the drop-down opened no list")
	}
	for _, o := range visibleObjects(list) {
		if text, ok := o.(*canvas.Text); ok && text.Text == option {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(text)
			test.TapCanvas(c, pos.Add(fyne.NewPos(2, 2)))
			return
		}
	}
	t.Fatalf("the list has no option %q:\n%s", option, visibleTexts(list))
}

// TestSettingOpensOffItsCanvas: a setting drop-down Fyne has lost the
// canvas of opens its list on the window's all the same, and the choice
// counts. Fyne 2.7.1 panicked there, and a click on "Publish on" closed
// the app (fyne-io/fyne#5965).
func TestSettingOpensOffItsCanvas(t *testing.T) {
	a := test.NewTempApp(t)
	win := a.NewWindow("settings")
	win.Resize(fyne.NewSize(600, 400))
	picked := -1
	s := newSettingSelect(win.Canvas(), func(i int) { picked = i }, nil)
	s.setOptions([]string{"Website", "Instagram"})
	s.show(0)
	s.Resize(s.MinSize())
	// Fyne has lost the drop-down's canvas. The test driver would answer
	// with its newest window's: another one, so that a list opened there
	// is not found on the drop-down's.
	s.knownCanvas = func(fyne.CanvasObject) fyne.Canvas { return nil }
	another := a.NewWindow("another")
	test.Tap(s)
	another.Close() // the driver finds the options' places on its newest window
	tapOption(t, win.Canvas(), "Instagram")
	if picked != 1 {
		t.Errorf("chose option %d, want Instagram (1)", picked)
	}
}

// answerDialog taps the button of the dialog on top of the window; it
// reports a missing dialog without stopping the test.
func answerDialog(t *testing.T, c fyne.Canvas, button string) {
	t.Helper()
	top := c.Overlays().Top()
	if top == nil {
		t.Errorf("no dialog asked before the setting changed (wanted to answer %q)", button)
		return
	}
	tapButton(t, top, button)
}

// TestArrowKeysAfterChoosingSetting: after the teacher chooses a unit or a
// channel in its drop-down during review, with the mouse or from the
// keyboard, the arrow keys and the review's other keys work on the photos
// and leave the setting as chosen, whether the drop-down was just used or
// got the focus back through Tab.
func TestArrowKeysAfterChoosingSetting(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	c := w.Canvas()
	// Photos with nobody on them need review in every unit (in early
	// childhood an unknown face does not), so N has somewhere to go.
	s.drop(t, s.writePhoto(t, "a.png", widthNoFace), s.writePhoto(t, "b.png", widthNoFace), s.writePhoto(t, "c.png", widthNoFace))
	photos := w.session.photos
	w.openReview(photos[1])

	// arrows presses Right then Left and checks the photo moved each time
	// while the job stayed want.
	arrows := func(when string, want consent.Job) {
		t.Helper()
		for _, k := range []struct {
			key  fyne.KeyName
			want *vet.Photo
		}{{fyne.KeyRight, photos[2]}, {fyne.KeyLeft, photos[1]}} {
			pressKey(c, k.key)
			if got := w.session.Job.Job; got.Channel != want.Channel || got.Unit != want.Unit {
				t.Errorf("%s, %s changed the setting to %s, %s; want %s, %s", when, k.key, got.Channel, got.Unit, want.Channel, want.Unit)
			}
			if w.unit.Selected != unitLabel(want.Unit) || w.channel.Selected != channelName(want.Channel) {
				t.Errorf("%s, %s: the drop-downs show %q and %q; want %q and %q", when, k.key,
					w.channel.Selected, w.unit.Selected, channelName(want.Channel), unitLabel(want.Unit))
			}
			if w.review.photo != k.want {
				t.Errorf("%s, %s did not move to %s", when, k.key, baseName(k.want.Path))
				w.review.show(k.want) // for the next press
			}
		}
	}

	chooseWithPointer(t, c, w.unit, unitLabel(consent.EarlyChildhood))
	answerDialog(t, c, "Change and check again")
	waitForJob(t, w)
	if w.session.Job.Job.Unit != consent.EarlyChildhood {
		t.Fatalf("the unit is %s after choosing early childhood", w.session.Job.Job.Unit)
	}
	if f := c.Focused(); f != nil {
		t.Errorf("the unit's drop-down kept the focus after the choice: %T", f)
	}
	arrows("after choosing the unit with the mouse", consent.Job{Channel: "instagram", Unit: consent.EarlyChildhood})

	chooseWithPointer(t, c, w.channel, "Website")
	answerDialog(t, c, "Change and check again")
	waitForJob(t, w)
	want := consent.Job{Channel: "website", Unit: consent.EarlyChildhood}
	arrows("after choosing the channel with the mouse", want)

	// Tab brings the focus back to a drop-down: the arrows still go to
	// the photos.
	c.Focus(w.unit)
	arrows("with the focus back on the unit", want)
	c.Focus(w.channel)
	arrows("with the focus back on the channel", want)

	// Opened from the keyboard, the list is used with the keyboard; the
	// teacher then keeps the unit, and no key reaches the photos behind
	// the question.
	c.Focus(w.unit)
	pressKey(c, fyne.KeySpace)
	if c.Overlays().Top() == nil {
		t.Fatal("Space did not open the unit's list")
	}
	pressKey(c, fyne.KeyDown) // early childhood, the first option
	pressKey(c, fyne.KeyDown) // school
	pressKey(c, fyne.KeyEnter)
	pressKey(c, fyne.KeyRight)
	if w.review.photo != photos[1] {
		t.Error("a key pressed while the question was open moved to another photo")
	}
	answerDialog(t, c, "Keep "+unitLabel(consent.EarlyChildhood))
	arrows("after keeping the unit", want)

	// The review's other keys work after the choices too.
	pressKey(c, fyne.KeyN)
	if w.review.photo == photos[1] {
		t.Error("N did not move to the next photo needing review")
	}
	pressKey(c, fyne.KeyB)
	if !w.review.afterCheck.Checked {
		t.Error("B did not show what will be published")
	}
	pressKey(c, fyne.KeyEscape)
	if w.review.photo != nil {
		t.Error("Esc did not go back to all photos")
	}
	if w.session.Job.Job.Channel != want.Channel || w.session.Job.Job.Unit != want.Unit {
		t.Errorf("the keys changed the setting to %s, %s", w.session.Job.Job.Channel, w.session.Job.Job.Unit)
	}
}

// TestSettingChangeAsksWhilePhotosAreIn: with no photo in the batch a
// setting changes at once; with photos in it the teacher is asked first,
// and "Keep" leaves the setting and every decision as they were.
func TestSettingChangeAsksWhilePhotosAreIn(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	c := w.Canvas()
	chooseWithPointer(t, c, w.unit, unitLabel(consent.UpperSecondary))
	waitForJob(t, w)
	if c.Overlays().Top() != nil || w.session.Job.Job.Unit != consent.UpperSecondary {
		t.Fatalf("with no photo: a dialog %v, unit %s; want upper secondary at once", c.Overlays().Top() != nil, w.session.Job.Job.Unit)
	}
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	p := w.session.photos[0]
	before := p.Clone()

	chooseWithPointer(t, c, w.channel, "X")
	top := c.Overlays().Top()
	if top == nil {
		t.Fatal("choosing X with a photo in the batch did not ask")
	}
	for _, want := range []string{"Publish on X?", "checked for Instagram", "checked again for X", "(1)"} {
		if got := flatText(visibleTexts(top)); !strings.Contains(got, want) {
			t.Errorf("the question says %q, want it to say %q", got, want)
		}
	}
	if w.channel.Selected != "Instagram" {
		t.Errorf("while asking, the drop-down shows %q; want the channel that applies, Instagram", w.channel.Selected)
	}
	tapButton(t, top, "Keep Instagram")
	if w.session.Job.Job.Channel != "instagram" || w.channel.Selected != "Instagram" || p.Status != before.Status || !sameDecision(p.Faces[0].Decision, before.Faces[0].Decision) {
		t.Errorf("after Keep: channel %s shown as %q, photo %s, Ada %+v; want all as before", w.session.Job.Job.Channel, w.channel.Selected, p.Status, p.Faces[0].Decision)
	}
}

// TestStatusLineFollowsTheUnit: deciding the batch again for another
// unit updates the counts in the status line with the grid's (it kept the
// counts of the unit before).
func TestStatusLineFollowsTheUnit(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	c := w.Canvas()
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	if want := "0 cleared, 1 need review"; !strings.Contains(w.status.Text, want) {
		t.Fatalf("status line %q before the switch, want %q in it", w.status.Text, want)
	}
	// In early childhood the stranger is hidden with no question (R2) and
	// Ada, recognised, is hidden at once: the photo is cleared.
	chooseWithPointer(t, c, w.unit, unitLabel(consent.EarlyChildhood))
	answerDialog(t, c, "Change and check again")
	waitForJob(t, w)
	if p := w.session.photos[0]; p.Status != vet.Cleared {
		t.Fatalf("in early childhood the photo is %s %v, want cleared", p.Status, p.Reasons)
	}
	if want := "1 cleared, 0 need review"; !strings.Contains(w.status.Text, want) {
		t.Errorf("status line %q after the switch, want %q in it", w.status.Text, want)
	}
}

// TestChannelSwitchKeepsTheReview: after the channel changed, the
// teacher's choices are saved for the new channel (a restart brings them
// back) and the next change is saved: every one was refused as "someone
// else saved a review of this photo", a box over a missed face included.
func TestChannelSwitchKeepsTheReview(t *testing.T) {
	ctx := context.Background()
	s := newTestSetup(t)
	w := s.win
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	p := w.session.photos[0]
	if err := w.session.Reviewer().Apply(ctx, p, vet.HideUnknown()); err != nil {
		t.Fatal(err)
	}
	chooseWithPointer(t, w.Canvas(), w.channel, "Website")
	answerDialog(t, w.Canvas(), "Change and check again")
	waitForJob(t, w)
	saved, err := vet.LoadReview(ctx, s.store, p.SHA256, "website")
	if err != nil || saved.Faces[1].Review != consent.ForceRedacted {
		t.Fatalf("the review saved for the website: %v, %v; want the stranger hidden by the teacher", saved, err)
	}
	if err := w.session.Reviewer().Apply(ctx, p, vet.AddBox(image.Rect(0, 0, 30, 30))); err != nil {
		t.Errorf("a box drawn after the switch: %v", err)
	}
}

// sameDecision reports whether two decisions on a face say the same.
func sameDecision(a, b consent.Decision) bool {
	return a.Visible == b.Visible && a.PersonID == b.PersonID && a.Reason.String() == b.Reason.String()
}

// gatedFinder finds faces as fakeFinder does, each photo only once the
// test lets it through.
type gatedFinder struct {
	started chan struct{}
	pass    chan struct{}
}

func (f gatedFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	f.started <- struct{}{}
	select {
	case <-f.pass:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return fakeFinder{}.Find(ctx, p)
}

// TestChannelSwitchMidBatchDecidesAgain: the channel changes twice while
// photos are processed, once as the batch starts and once while a photo
// is being looked at; every photo, those decided before and those that
// finish after the switch, ends up decided for the last channel. Run
// with -race: the batch's worker must not read the session's job.
func TestChannelSwitchMidBatchDecidesAgain(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	c := w.Canvas()
	s.drop(t, s.writePhoto(t, "decided before.png", widthTwoFaces))
	s.confirmRecognised(t)
	if p := w.session.photos[0]; !p.Faces[0].Decision.Visible {
		t.Fatalf("Ada is hidden on Instagram before the switch: %+v", p.Faces[0].Decision)
	}

	gate := gatedFinder{started: make(chan struct{}, 4), pass: make(chan struct{})}
	w.session.Faces = vet.NewFaces(func() (vision.FaceFinder, int, error) { return gate, 1, nil })
	done := make(chan struct{})
	w.batchFinished = func() { close(done) }
	w.addURIs([]fyne.URI{storage.NewFileURI(s.writePhoto(t, "later 1.png", widthTwoFaces)),
		storage.NewFileURI(s.writePhoto(t, "later 2.png", widthTwoFaces))})

	// As the batch starts: the website (Ada may be shown there too).
	chooseWithPointer(t, c, w.channel, "Website")
	answerDialog(t, c, "Change and check again")
	waitForJob(t, w)
	select {
	case <-gate.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the batch did not start looking at a photo")
	}
	// While the first photo is looked at: X, where Ada has no consent.
	chooseWithPointer(t, c, w.channel, "X")
	answerDialog(t, c, "Change and check again")
	waitForJob(t, w)
	for range 2 {
		select {
		case gate.pass <- struct{}{}:
		case <-time.After(30 * time.Second):
			t.Fatal("the batch did not ask for the next photo")
		}
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the batch did not finish")
	}

	job := w.session.Job.Job
	if job.Channel != "x" || len(w.session.photos) != 3 {
		t.Fatalf("after the switches: channel %s, %d photos; want x, 3", job.Channel, len(w.session.photos))
	}
	reg, err := s.store.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range w.session.photos {
		fresh := p.Clone()
		fresh.Decide(reg, job)
		if p.Status != fresh.Status || fmt.Sprint(p.Reasons) != fmt.Sprint(fresh.Reasons) {
			t.Errorf("%s: %s %v; decided for X it is %s %v", baseName(p.Path), p.Status, p.Reasons, fresh.Status, fresh.Reasons)
		}
		for i, f := range p.Faces {
			if !sameDecision(f.Decision, fresh.Faces[i].Decision) {
				t.Errorf("%s, face %d: %+v; decided for X: %+v", baseName(p.Path), i, f.Decision, fresh.Faces[i].Decision)
			}
			if f.Decision.Visible {
				t.Errorf("%s, face %d (%s) is visible on X", baseName(p.Path), i, f.NearestID)
			}
		}
	}
}

// TestExportConfirmationNamesChannelAndUnit: before exporting, the dialog
// names where the photos go and the unit type they were checked as, in
// words and in the teacher's language.
func TestExportConfirmationNamesChannelAndUnit(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	t.Cleanup(func() { setUpLanguage("en") })
	chooseWithPointer(t, w.Canvas(), w.unit, unitLabel(consent.EarlyChildhood))
	waitForJob(t, w)
	chooseWithPointer(t, w.Canvas(), w.channel, "Website")
	waitForJob(t, w)
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	s.reviewAll(t)
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Publish on", "Website", "Unit", "Early childhood", "1 cleared photo will be saved"}},
		{"nl", []string{"Publiceren via", "Website", "Onderwijsvorm", "Kinderopvang", "De goedgekeurde foto (1) wordt"}},
		{"fi", []string{"Julkaisukanava", "Verkkosivut", "Yksikkö", "Varhaiskasvatus", "Hyväksytty kuva (1) tallennetaan"}},
	} {
		if err := setUpLanguage(tt.lang); err != nil {
			t.Fatal(err)
		}
		closeDialogs(w)
		w.confirmExport(t.TempDir())
		top := w.Canvas().Overlays().Top()
		if top == nil {
			t.Fatalf("%s: no export dialog", tt.lang)
		}
		texts := visibleTexts(top)
		for _, want := range tt.want {
			if !strings.Contains(texts, want) {
				t.Errorf("%s: the export dialog does not say %q:\n%s", tt.lang, want, texts)
			}
		}
	}
}

// TestVettedByAskedOnce: the export asks who vets, never offering the
// computer's login name in their place, and remembers the answer for the
// next export.
func TestVettedByAskedOnce(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	s.reviewAll(t)
	vettedBy := func() *widget.Entry {
		t.Helper()
		top := w.Canvas().Overlays().Top()
		for _, o := range visibleObjects(top) {
			if e, ok := o.(*widget.Entry); ok {
				return e
			}
		}
		t.Fatalf("the export dialog asks no name:\n%s", visibleTexts(top))
		return nil
	}

	exportButton := func() *widget.Button {
		t.Helper()
		for _, o := range visibleObjects(w.Canvas().Overlays().Top()) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Export" {
				return b
			}
		}
		t.Fatal("the export dialog has no Export button")
		return nil
	}

	w.confirmExport(t.TempDir())
	if e := vettedBy(); e.Text != "" {
		t.Errorf("the first export offers %q as who vets, want an empty field to fill in", e.Text)
	}
	// Without a name, Export cannot be pressed (it once closed the dialog
	// and exported nothing).
	if !exportButton().Disabled() || w.Canvas().Focused() != vettedBy() {
		t.Errorf("no name yet: Export disabled %v, name field focused %v; want both", exportButton().Disabled(), w.Canvas().Focused() == vettedBy())
	}
	test.Type(vettedBy(), "Tess Teacher")
	if exportButton().Disabled() {
		t.Error("Export is still disabled once a name is given")
	}
	done := make(chan exportSummary, 1)
	w.exportFinished = func(sum exportSummary) { done <- sum }
	tapButton(t, w.Canvas().Overlays().Top(), "Export")
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the export did not finish")
	}
	closeDialogs(w)

	// The next photo's export offers the name given before.
	s.drop(t, s.writePhoto(t, "empty.png", widthNoFace))
	s.reviewAll(t)
	w.confirmExport(t.TempDir())
	if e := vettedBy(); e.Text != "Tess Teacher" {
		t.Errorf("the next export offers %q as who vets, want the name given before", e.Text)
	}
}
