package app

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// openTwoFaces drops one photo with Ada and a stranger and opens its
// review at a known size.
func openTwoFaces(t *testing.T) (*testSetup, *reviewView) {
	t.Helper()
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "trip.png", widthTwoFaces))
	if n := len(s.win.session.photos); n != 1 {
		t.Fatalf("%d photos processed, want 1", n)
	}
	s.win.Resize(fyne.NewSize(1200, 800))
	s.win.openReview(s.win.session.photos[0])
	return s, s.win.review
}

// faceCentre is where face i of the photo shows in the view.
func faceCentre(r *reviewView, box image.Rectangle) fyne.Position {
	v := r.view
	c := box.Min.Add(box.Max).Div(2)
	return v.imageOrigin.AddXY(float32(c.X)*v.imageScale, float32(c.Y)*v.imageScale)
}

// confirmAda clicks Ada's face, whom the matcher recognised, and "Yes,
// this is Ada Test", as a teacher confirms her.
func confirmAda(t *testing.T, s *testSetup, r *reviewView) {
	t.Helper()
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, r.photo.Faces[0].Box)))
	if !r.confirmButton.Visible() || r.confirmButton.Text != "Yes, this is Ada Test" {
		t.Fatalf("Ada selected: confirm button shown %v, %q", r.confirmButton.Visible(), r.confirmButton.Text)
	}
	test.Tap(r.confirmButton)
	if f := r.photo.Faces[0]; !f.Decision.Visible || f.Review != consent.AssignedByHand || f.AssignedID != "C1" {
		t.Fatalf("Ada after confirming: %+v", f)
	}
}

// TestReviewShowsDecisions: Ada, recognised, stays hidden with her name
// asked about until the teacher confirms her in one click; the stranger
// is hidden and needs a name. An adult is not offered on Ada, and the
// panel says why.
func TestReviewShowsDecisions(t *testing.T) {
	s, r := openTwoFaces(t)
	p := r.photo
	if p.Status != vet.NeedsReview {
		t.Fatalf("status %s, want needs review (a stranger)", p.Status)
	}
	if p.Faces[0].Decision.Visible || !p.Faces[0].ToConfirm() || p.Faces[1].Decision.Visible {
		t.Fatalf("decisions %+v, want Ada recognised but hidden until confirmed, the stranger hidden", p.Faces)
	}
	if got := r.faceLabel(p.Faces[0]); got != "Ada Test?" {
		t.Errorf("Ada's box says %q, want her name asked", got)
	}
	if got := r.reasons.Text; !strings.Contains(got, "1 recognised face") {
		t.Errorf("reasons %q, want the recognised face to confirm", got)
	}
	// Marking Ada an adult the rules would refuse: not offered, and the
	// panel says why beside the button (it said nothing).
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, p.Faces[0].Box)))
	if !r.adultButton.Disabled() {
		t.Error("\"Adult who agreed in person\" is offered on a face recognised as Ada")
	}
	why := "Not possible: recognised as Ada Test: assign the face instead of marking an adult."
	if panel := flatText(visibleTexts(r.tools)); !strings.Contains(panel, why) {
		t.Errorf("the panel says %q beside the disabled adult button, want %q", panel, why)
	}
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, p.Faces[1].Box)))
	if panel := flatText(visibleTexts(r.tools)); r.adultButton.Disabled() || strings.Contains(panel, "Not possible") {
		t.Errorf("on the stranger: adult offered %v, the panel says %q; want offered, no refusal", !r.adultButton.Disabled(), panel)
	}
	confirmAda(t, s, r)
	if got := r.faceLabel(p.Faces[0]); got != "Ada Test" {
		t.Errorf("Ada's box says %q, want her name", got)
	}
	if got := r.status.Text; got != "Needs review" {
		t.Errorf("status label %q", got)
	}
	if !strings.Contains(r.reasons.Text, "1 unknown face") {
		t.Errorf("reasons %q, want the unknown face named", r.reasons.Text)
	}
}

// TestAdultOfferedOnlyWhereAllowed: "Adult who agreed in person" is
// offered on the stranger, and not in early childhood, where the rules
// show no adult outside the register (it was offered, then refused).
func TestAdultOfferedOnlyWhereAllowed(t *testing.T) {
	s, r := openTwoFaces(t)
	stranger := absolute(s, r.view, faceCentre(r, r.photo.Faces[1].Box))
	test.TapCanvas(s.win.Canvas(), stranger)
	if r.selected.face != 1 || r.adultButton.Disabled() {
		t.Fatalf("selection %+v, adult offered %v; want the stranger selected and the adult offered", r.selected, !r.adultButton.Disabled())
	}
	chooseWithPointer(t, s.win.Canvas(), s.win.unit, unitLabel(consent.EarlyChildhood))
	answerDialog(t, s.win.Canvas(), "Change and check again")
	waitForJob(t, s.win)
	test.TapCanvas(s.win.Canvas(), stranger)
	if r.selected.face != 1 || !r.adultButton.Disabled() {
		t.Errorf("in early childhood: selection %+v, adult offered %v; want it not offered", r.selected, !r.adultButton.Disabled())
	}
}

// TestAdultNotCarriedToAnotherChannel: an adult's agreement in person was
// noted for the channel of the moment (R8), so after the teacher changes
// "Publish on" the face is hidden and undecided again (it stayed shown on
// the new channel), offered to mark again with a note for it; Ada's
// confirmation carries over.
func TestAdultNotCarriedToAnotherChannel(t *testing.T) {
	s, r := openTwoFaces(t)
	confirmAda(t, s, r)
	stranger := absolute(s, r.view, faceCentre(r, r.photo.Faces[1].Box))
	test.TapCanvas(s.win.Canvas(), stranger)
	test.Tap(r.adultButton)
	top := s.win.Canvas().Overlays().Top()
	for _, o := range visibleObjects(top) {
		if e, ok := o.(*widget.Entry); ok {
			test.Type(e, "Tom's father, agreed to Instagram")
		}
	}
	tapButton(t, top, "Save")
	if f := r.photo.Faces[1]; !f.Decision.Visible || f.Review != consent.AdultWithNote {
		t.Fatalf("the adult on Instagram: %+v", f)
	}
	chooseWithPointer(t, s.win.Canvas(), s.win.channel, channelName("website"))
	answerDialog(t, s.win.Canvas(), "Change and check again")
	waitForJob(t, s.win)
	p := s.win.session.photos[0]
	if f := p.Faces[1]; f.Decision.Visible || f.Review != consent.NotReviewed || !f.Undecided() {
		t.Errorf("the adult on the website: %+v, want hidden and undecided", f)
	}
	if f := p.Faces[0]; f.Review != consent.AssignedByHand || f.AssignedID != "C1" {
		t.Errorf("Ada's confirmation did not carry over: %+v", f)
	}
	s.win.openReview(p)
	test.TapCanvas(s.win.Canvas(), stranger)
	if r.selected.face != 1 || r.adultButton.Disabled() {
		t.Errorf("on the website: selection %+v, adult offered %v; want it offered again", r.selected, !r.adultButton.Disabled())
	}
	// Back on Instagram, the note given for Instagram holds again.
	chooseWithPointer(t, s.win.Canvas(), s.win.channel, channelName("instagram"))
	answerDialog(t, s.win.Canvas(), "Change and check again")
	waitForJob(t, s.win)
	if f := p.Faces[1]; !f.Decision.Visible || f.Review != consent.AdultWithNote {
		t.Errorf("the adult back on Instagram: %+v, want shown with the Instagram note", f)
	}
}

// TestEarlyChildhoodAsksForNoName: in early childhood the rules hide an
// unknown face with no question, and the review says so: the face list
// said "needs a name" and "Hide every unknown face" stood out over a
// photo already cleared.
func TestEarlyChildhoodAsksForNoName(t *testing.T) {
	s, r := openTwoFaces(t)
	asks := func(unit string, want bool) {
		t.Helper()
		texts := visibleTexts(faceListOf(t, r))
		if asked := strings.Contains(texts, "needs a name"); asked != want {
			t.Errorf("%s: the face list says %q; a name asked %v, want %v", unit, texts, asked, want)
		}
		if high := r.hideUnknown.Importance == widget.HighImportance; high != want {
			t.Errorf("%s: \"Hide every unknown face\" highlighted %v, want %v", unit, high, want)
		}
	}
	asks("school", true)
	chooseWithPointer(t, s.win.Canvas(), s.win.unit, unitLabel(consent.EarlyChildhood))
	answerDialog(t, s.win.Canvas(), "Change and check again")
	waitForJob(t, s.win)
	if r.photo.Status != vet.Cleared {
		t.Fatalf("in early childhood the photo is %s %v, want cleared", r.photo.Status, r.photo.Reasons)
	}
	asks("early childhood", false)
}

func TestReviewClickAndAssign(t *testing.T) {
	s, r := openTwoFaces(t)
	confirmAda(t, s, r)
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, r.photo.Faces[1].Box)))
	if r.selected.face != 1 || !r.faceBox.Visible() {
		t.Fatalf("after clicking the stranger the selection is %+v", r.selected)
	}
	if r.faceWho.Text != "Not recognised" || r.adultButton.Disabled() {
		t.Errorf("panel says %q, adult offered %v; want Not recognised, and the adult offered", r.faceWho.Text, !r.adultButton.Disabled())
	}

	// The picker finds Ben by a part of his name; assigning him keeps the
	// face hidden (no Instagram consent) but decides the photo.
	k := newPersonPicker(s.win.session.people(), nil, false)
	test.Type(k.search, "ben")
	if len(k.shown) != 1 || k.shown[0].ID != "C2" {
		t.Fatalf("search for ben shows %d people", len(k.shown))
	}
	k.list.Select(0)
	r.assign(1, k.ids())
	f := r.photo.Faces[1]
	if f.Review != consent.AssignedByHand || f.Decision.PersonID != "C2" || f.Decision.Visible {
		t.Errorf("face after assigning Ben %+v, want Ben, hidden", f)
	}
	if r.photo.Status != vet.Cleared {
		t.Errorf("status %s %v, want cleared", r.photo.Status, r.photo.Reasons)
	}
	if !strings.Contains(r.faceDecision.Text, "no Instagram consent") {
		t.Errorf("panel says %q, want the reason", r.faceDecision.Text)
	}
	// The grid counts follow.
	if !contains(s.win.photos.filter.Options, "Cleared (1)") {
		t.Errorf("filters %v, want one cleared", s.win.photos.filter.Options)
	}
	// Assigning Ada to her own face by hand keeps her visible.
	r.assign(0, []string{"C1"})
	if !r.photo.Faces[0].Decision.Visible {
		t.Error("Ada assigned by hand is hidden")
	}
}

func TestReviewForceRedactAndUndo(t *testing.T) {
	s, r := openTwoFaces(t)
	confirmAda(t, s, r)
	if r.selected.face != 0 {
		t.Fatalf("selection %+v, want Ada's face", r.selected)
	}
	test.Tap(r.redactButton)
	if f := r.photo.Faces[0]; f.Decision.Visible || f.Review != consent.ForceRedacted {
		t.Fatalf("Ada after Hide this face: %+v", f)
	}
	if got := r.faceLabel(r.photo.Faces[0]); !strings.Contains(got, "hidden") {
		t.Errorf("box label %q, want hidden", got)
	}
	test.Tap(r.undoButton)
	if f := r.photo.Faces[0]; f.Decision.Visible || !f.ToConfirm() || !r.confirmButton.Visible() {
		t.Error("Undo did not bring back the matcher's decision: Ada recognised, to confirm")
	}
}

func TestReviewManualBox(t *testing.T) {
	s, r := openTwoFaces(t)
	confirmAda(t, s, r)
	from := absolute(s, r.view, r.view.imageOrigin.AddXY(150*r.view.imageScale, 190*r.view.imageScale))
	test.Drag(s.win.Canvas(), from, 60*r.view.imageScale, 30*r.view.imageScale)
	if len(r.photo.ManualBoxes) != 1 {
		t.Fatalf("%d manual boxes after a drag, want 1", len(r.photo.ManualBoxes))
	}
	b := r.photo.ManualBoxes[0]
	if b.Min.X < 145 || b.Min.X > 155 || b.Dx() < 55 || b.Dx() > 65 {
		t.Errorf("box %v, want about (150,190)-(210,220) in the photo", b)
	}
	if r.selected.box != 0 || !r.boxBox.Visible() {
		t.Errorf("the new box is not selected: %+v", r.selected)
	}
	hidden := len(r.photo.ManualBoxes)
	for _, f := range r.photo.Faces {
		if !f.Decision.Visible {
			hidden++
		}
	}
	if hidden != 2 {
		t.Errorf("%d areas hidden, want the stranger and the box", hidden)
	}
	r.typedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if len(r.photo.ManualBoxes) != 0 {
		t.Error("Delete did not remove the selected box")
	}
	// A click is not a box.
	test.TapCanvas(s.win.Canvas(), from)
	if len(r.photo.ManualBoxes) != 0 {
		t.Error("a click added a box")
	}
}

func TestReviewBeforeAfter(t *testing.T) {
	s, r := openTwoFaces(t)
	confirmAda(t, s, r)
	before := r.view.image.Image
	r.typedKey(&fyne.KeyEvent{Name: fyne.KeyB})
	if !r.afterCheck.Checked || !r.view.after {
		t.Fatal("B did not switch to what will be published")
	}
	after := r.view.image.Image
	stranger, ada := r.photo.Faces[1].Box, r.photo.Faces[0].Box
	centre := func(b image.Rectangle) image.Point { return b.Min.Add(b.Max).Div(2) }
	if same(before.At(centre(stranger).X, centre(stranger).Y), after.At(centre(stranger).X, centre(stranger).Y)) &&
		same(before.At(centre(stranger).X+7, centre(stranger).Y+3), after.At(centre(stranger).X+7, centre(stranger).Y+3)) {
		t.Error("the stranger's face looks the same after redaction")
	}
	if !same(before.At(centre(ada).X, centre(ada).Y+40), after.At(centre(ada).X, centre(ada).Y+40)) {
		t.Error("Ada's visible face changed in the after view")
	}
	r.typedKey(&fyne.KeyEvent{Name: fyne.KeyB})
	if r.view.after {
		t.Error("B did not switch back")
	}
}

func TestReviewNoFaceAndNavigation(t *testing.T) {
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "a.png", widthTwoFaces), s.writePhoto(t, "b.png", widthNoFace), s.writePhoto(t, "c.png", widthTwoFaces))
	photos := s.win.session.photos
	if len(photos) != 3 {
		t.Fatalf("%d photos", len(photos))
	}
	var empty *vet.Photo
	for _, p := range photos {
		if len(p.Faces) == 0 {
			empty = p
		}
	}
	s.win.openReview(empty)
	r := s.win.review
	if empty.Status != vet.NeedsReview || !r.noFace.Visible() {
		t.Fatalf("a photo with no face: status %s, confirmation shown %v", empty.Status, r.noFace.Visible())
	}
	test.Tap(r.noFace)
	if empty.Status != vet.Cleared || !empty.NoFaceConfirmed {
		t.Errorf("after confirming: %s", empty.Status)
	}
	r.typedKey(&fyne.KeyEvent{Name: fyne.KeyN})
	if r.photo == empty || r.photo.Status != vet.NeedsReview {
		t.Errorf("N went to %s (%s), want the next photo needing review", r.photo.Path, r.photo.Status)
	}
	r.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if r.photo != nil || s.win.area.Objects[0] != s.win.photos {
		t.Error("Escape did not go back to all photos")
	}
}

func TestReviewHideUnknown(t *testing.T) {
	s, r := openTwoFaces(t)
	if r.hideUnknown.Disabled() {
		t.Fatal("\"Hide every unknown face\" is disabled although the stranger is unknown")
	}
	test.Tap(r.hideUnknown)
	if f := r.photo.Faces[1]; f.Review != consent.ForceRedacted || f.Decision.Visible {
		t.Errorf("stranger after hiding every unknown face: %+v", f)
	}
	// Ada is not unknown: recognised, she waits for the teacher.
	if !r.photo.Faces[0].ToConfirm() || r.photo.Status != vet.NeedsReview || !r.hideUnknown.Disabled() {
		t.Errorf("Ada %+v, status %s; want Ada still to confirm and the photo needing review", r.photo.Faces[0].Decision, r.photo.Status)
	}
	confirmAda(t, s, r)
	if r.photo.Status != vet.Cleared {
		t.Errorf("status %s %v after confirming Ada, want cleared", r.photo.Status, r.photo.Reasons)
	}
}

func TestReviewChildWorkBlocks(t *testing.T) {
	_, r := openTwoFaces(t)
	r.apply(vet.SetChildWork([]string{"C2"}))
	if r.photo.Status != vet.Blocked {
		t.Fatalf("status %s, want blocked: Ben has no work consent", r.photo.Status)
	}
	if !strings.Contains(r.reasons.Text, "Ben Test") || !strings.Contains(r.childWork.Text, "Ben Test") {
		t.Errorf("reasons %q / %q, want Ben named", r.reasons.Text, r.childWork.Text)
	}
}

// TestReviewChildWorkOfAnIdGivenToAnother: Ben's work marked on a photo;
// Ben leaves the register and the school office gives his number to Bea,
// who has work consent. The photo stays refused and says C2, not Bea: the
// mark was made for Ben; asked whose work it is, the teacher starts from
// nobody.
func TestReviewChildWorkOfAnIdGivenToAnother(t *testing.T) {
	s, r := openTwoFaces(t)
	r.apply(vet.SetChildWork([]string{"C2"}))
	ctx := context.Background()
	store := s.win.session.Store
	if err := store.RemovePerson(ctx, "C2"); err != nil {
		t.Fatal(err)
	}
	bea := "C2,Bea New,child,3B,school,2016-05-02,instagram,instagram,instagram,no,2026-08-17,2027-07-31\n"
	roster := testRoster[:strings.Index(testRoster, "\n")+1] + bea
	if _, err := store.ImportRoster(ctx, strings.NewReader(roster), consent.ImportOptions{Today: consent.NewDate(2026, 11, 21)}); err != nil {
		t.Fatal(err)
	}
	s.win.loadJob() // as coming back to the Photos tab does
	waitForJob(t, s.win)
	r.show(r.photo)
	if r.photo.Status != vet.Blocked || strings.Contains(r.childWork.Text, "Bea") || !strings.Contains(r.childWork.Text, "C2") {
		t.Errorf("status %s, child's work %q; want the photo blocked and the work said to be C2's, not Bea's", r.photo.Status, r.childWork.Text)
	}
	if !strings.Contains(r.reasons.Text, "mark whose work it is again") {
		t.Errorf("reasons %q, want them to ask for the work to be marked again", r.reasons.Text)
	}
	// Asked whose work it is, the teacher finds nobody ticked: OK as it
	// opens must not give the work to Bea.
	r.chooseChildWork()
	var ok *widget.Button
	for _, o := range test.LaidOutObjects(s.win.Canvas().Overlays().Top()) {
		if b, isButton := o.(*widget.Button); isButton && b.Text == "OK" {
			ok = b
		}
	}
	if ok == nil {
		t.Fatal("the picker has no OK button")
	}
	test.Tap(ok)
	if len(r.photo.ChildWork) != 0 {
		t.Errorf("OK on the picker as it opened marked the work of %v, want nobody's", r.photo.ChildWork)
	}
}

// absolute turns a position inside o into a position on the canvas.
func absolute(s *testSetup, o fyne.CanvasObject, pos fyne.Position) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(pos)
}

// same reports whether two colours are equal but for rounding.
func same(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	near := func(x, y uint32) bool { return max(x, y)-min(x, y) <= 3*257 }
	return near(r1, r2) && near(g1, g2) && near(b1, b2)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPersonPickerShowsNames: every row names its person, in both modes,
// and a search narrows the list.
func TestPersonPickerShowsNames(t *testing.T) {
	s := newTestSetup(t)
	s.win.loadJob()
	waitForJob(t, s.win)
	people := s.win.session.people()
	for _, multiple := range []bool{false, true} {
		k := newPersonPicker(people, []string{"C1"}, multiple)
		test.NewTempWindow(t, k.list)
		item := k.list.CreateItem()
		k.list.UpdateItem(0, item)
		text := ""
		switch o := item.(type) {
		case *widget.Check:
			text = o.Text
		case *pickerRow:
			text = o.label.Text
		}
		if !strings.Contains(text, people[0].DisplayName()) {
			t.Errorf("multiple %v: the first row says %q, want %s", multiple, text, people[0].DisplayName())
		}
		test.Type(k.search, "sam")
		if len(k.shown) != 1 || k.shown[0].ID != "T1" {
			t.Errorf("multiple %v: search for sam shows %d people", multiple, len(k.shown))
		}
		k.list.Select(0)
		want := []string{"T1"}
		if multiple {
			want = []string{"C1", "T1"}
		}
		if got := k.ids(); !slices.Equal(got, want) {
			t.Errorf("multiple %v: chosen %v, want %v", multiple, got, want)
		}
	}
}

// TestReviewBeforeThePhotographer: until a photographer is set every
// photo is blocked, yet its faces can be reviewed meanwhile: the photos
// with faces to decide are counted and listed under "Needs review" (the
// window read "Needs review (0)" with every face undecided), and "Next
// needing review" goes to them. Each photo is counted once: a blocked
// photo waiting for the reviewer is not also "blocked" (the status line
// read "0 cleared, 2 need review, 2 blocked" for two photos), and the
// counts add up to the batch.
func TestReviewBeforeThePhotographer(t *testing.T) {
	s := newTestSetup(t)
	s.dropWithoutPhotographer(t, s.writePhoto(t, "a.png", widthTwoFaces), s.writePhoto(t, "b.png", widthTwoFaces))
	listed := func(want int) {
		t.Helper()
		blocked := 2 - want
		if got := len(s.win.session.filtered(vet.NeedsReview)); got != want {
			t.Errorf("%d photos listed under Needs review, want %d", got, want)
		}
		if got := len(s.win.session.filtered(vet.Blocked)); got != blocked {
			t.Errorf("%d photos listed under Blocked, want %d", got, blocked)
		}
		for _, label := range []string{fmt.Sprintf("Needs review (%d)", want), fmt.Sprintf("Blocked (%d)", blocked)} {
			if !slices.Contains(s.win.photos.filter.Options, label) {
				t.Errorf("filters %q, want %q", s.win.photos.filter.Options, label)
			}
		}
		if text, part := s.win.status.Text, fmt.Sprintf("0 cleared, %d need review, %d blocked", want, blocked); !strings.Contains(text, part) {
			t.Errorf("status line %q, want %q in it", text, part)
		}
		sum := 0
		for _, n := range s.win.session.counts() {
			sum += n
		}
		if sum != len(s.win.session.photos) {
			t.Errorf("counts %v add up to %d, the batch holds %d", s.win.session.counts(), sum, len(s.win.session.photos))
		}
		// The badge on each photo names the list it is counted in.
		for _, p := range s.win.session.photos {
			want := "Blocked"
			if slices.Contains(s.win.session.filtered(vet.NeedsReview), p) {
				want = "Needs review"
			}
			if got := photoStatusLabel(p); got != want {
				t.Errorf("%s is badged %q, listed under %q", p.Path, got, want)
			}
		}
	}
	listed(2)
	first := s.win.session.nextNeedingReview(nil)
	if first == nil {
		t.Fatal("no photo to review before the photographer is set")
	}
	s.win.openReview(first)
	r := s.win.review
	if r.nextButton.Disabled() {
		t.Fatal("\"Next needing review\" is disabled on a blocked photo with faces to decide")
	}
	r.typedKey(&fyne.KeyEvent{Name: fyne.KeyN})
	if r.photo == first || r.photo == nil {
		t.Error("N did not go to the other photo with faces to decide")
	}

	// Reviewed, a photo still blocked by the photographer leaves the list.
	if err := s.win.session.Reviewer().Apply(context.Background(), first, vet.ConfirmRecognised(), vet.HideUnknown()); err != nil {
		t.Fatal(err)
	}
	s.win.photoChanged(first)
	listed(1)
}
