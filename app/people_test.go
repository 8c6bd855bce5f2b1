package app

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// widthFinder finds the faces listed for a photo's width, as the fake
// finder of helpers_test.go does for its two widths.
type widthFinder map[int][]vision.Face

func (f widthFinder) Find(_ context.Context, p *vision.Photo) ([]vision.Face, error) {
	return f[p.Width], nil
}

// descriptorAt is a descriptor at distance d from Ada's (adaDescriptor)
// along axis, which tells people apart.
func descriptorAt(axis int, d float32) vision.Descriptor {
	v := adaDescriptor()
	v[axis] = d
	return v
}

// faceAt is a face found at x with descriptor d.
func faceAt(x int, d vision.Descriptor) vision.Face {
	return vision.Face{Box: image.Rect(x, 60, x+100, 180), Score: 1, Detector: vision.RetinaFace, Descriptor: d}
}

// Photo widths of the people tests: on each, Ada (recognised) and
// someone the matcher cannot name. "Kim" is a child three photos show,
// far from everyone enrolled; "lookalike" is on two, 0.5 from Ada: not
// her by the threshold (0.45), near enough to suggest her.
const (
	widthKim1 = 410 + iota
	widthKim2
	widthKim3
	widthLookalike1
	widthLookalike2
)

// newPeopleSetup is a test setup whose finder sees Kim on three photos and
// the lookalike on two, each beside Ada, and the window with those five
// photos processed.
func newPeopleSetup(t *testing.T) *testSetup {
	t.Helper()
	kim, lookalike := descriptorAt(7, 2), descriptorAt(9, 0.5)
	finder := widthFinder{}
	for _, w := range []int{widthKim1, widthKim2, widthKim3} {
		finder[w] = []vision.Face{faceAt(20, adaDescriptor()), faceAt(240, kim)}
	}
	for _, w := range []int{widthLookalike1, widthLookalike2} {
		finder[w] = []vision.Face{faceAt(20, adaDescriptor()), faceAt(240, lookalike)}
	}
	a := test.NewTempApp(t)
	store := openTestRegister(t, t.TempDir())
	faces := vet.NewFaces(func() (vision.FaceFinder, int, error) { return finder, 2, nil })
	w := newMainWindow(a, store, faces, "test", msg.Text{})
	waitForWindow(t, w)
	w.jobAnswers = &heldAnswers{}
	w.session.Job.Photographer, w.session.Job.PhotographerChannels = "Pia Photo", []string{"instagram", "website"}
	// As choosing it does, without the drop-down: its Select still
	// refreshes after the choice, and the test driver hands the
	// register's answer over at once, from another goroutine.
	w.chooseChannel(slices.Index(w.channelIDs, "instagram"))
	waitForJob(t, w)
	s := &testSetup{app: a, win: w, store: store, dir: t.TempDir()}
	var paths []string
	for _, width := range []int{widthKim1, widthKim2, widthKim3, widthLookalike1, widthLookalike2} {
		paths = append(paths, s.writePhoto(t, "photo"+string(rune('a'+width-widthKim1))+".png", width))
	}
	s.drop(t, paths...)
	w.Resize(fyne.NewSize(1200, 800))
	return s
}

// openPeople opens "People in this batch" with its shortcut and waits
// until the groups are shown.
func openPeople(t *testing.T, s *testSetup) *peopleView {
	t.Helper()
	grouped := make(chan struct{})
	s.win.people.grouped = func() { close(grouped) }
	s.win.typedKey(&fyne.KeyEvent{Name: fyne.KeyP})
	waitFor(t, grouped, "the groups of faces")
	s.win.people.grouped = nil
	if !s.win.showing(s.win.people) {
		t.Fatal("P did not open the people in this batch")
	}
	return s.win.people
}

// groupSizes are the sizes of the view's groups, in its order.
func groupSizes(v *peopleView) []int {
	var sizes []int
	for _, g := range v.groups {
		sizes = append(sizes, len(g.faces))
	}
	return sizes
}

// assignedTo counts the faces of the batch the reviewer assigned to id.
func assignedTo(photos []*vet.Photo, id string) int {
	n := 0
	for _, p := range photos {
		for _, f := range p.Faces {
			if f.Review == consent.AssignedByHand && f.AssignedID == id {
				n++
			}
		}
	}
	return n
}

// suggestionButton is the group's suggestion for the person named name.
func suggestionButton(t *testing.T, v *peopleView, name string) *widget.Button {
	t.Helper()
	for _, o := range v.suggestions.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == name {
			return b
		}
	}
	t.Fatalf("the group shown does not suggest %s", name)
	return nil
}

// TestPeopleViewOpenedAgain: opened a second time, the view shows its
// first group, as the first time (its panel was empty and a click on the
// highlighted group did nothing: the list kept its old selection).
func TestPeopleViewOpenedAgain(t *testing.T) {
	s := newPeopleSetup(t)
	for round := range 2 {
		v := openPeople(t, s)
		if v.current != 0 || !v.detail.Visible() || v.count.Text == "" {
			t.Fatalf("opened %d times: group %d shown (panel visible %v, %q); want the first group", round+1, v.current, v.detail.Visible(), v.count.Text)
		}
		s.win.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if s.win.showing(v) {
			t.Fatal("Escape did not go back to the photos")
		}
		s.win.openReview(s.win.session.photos[0])
	}
}

// TestPeopleResultGoesWhenTheTeacherMovesOn: "Done: 5 shown, 0 hidden"
// says what came of the group just named while the view shows the next
// one, and goes when the teacher picks another group or takes a face out
// of the one shown (it stayed on screen beside other people's faces).
func TestPeopleResultGoesWhenTheTeacherMovesOn(t *testing.T) {
	s := newPeopleSetup(t)
	v := openPeople(t, s)
	test.Tap(v.confirm) // Ada's five
	if !strings.Contains(v.result.Text, "Done: 5 shown, 0 hidden") {
		t.Fatalf("after confirming Ada the view says %q, want 5 shown", v.result.Text)
	}
	v.list.Select(1)
	if v.result.Text != "" {
		t.Errorf("on another group the view still says %q", v.result.Text)
	}
	v.list.Select(0)
	test.Tap(v.hideButton) // Kim's three
	if !strings.Contains(v.result.Text, "Done: 0 shown, 3 hidden") {
		t.Fatalf("after hiding Kim the view says %q, want 3 hidden", v.result.Text)
	}
	test.Tap(v.tileOut[0])
	if strings.Contains(v.result.Text, "Done:") {
		t.Errorf("after taking a face out of the group the view still says %q", v.result.Text)
	}
}

// TestPeopleViewGroupsAndNames opens the people in this batch: Ada, whom
// the matcher recognised on all five photos, is the first group, hidden
// until one click on "Yes, this is Ada Test" confirms the five; Kim's three faces are
// one group with her face cut from the photo, the lookalike's two a third
// that suggests Ada; one click on the suggestion names both faces, Enter
// in the picker names Kim's three, and each is then decided by the rules
// for that person (Ada shown, Ben without Instagram consent hidden) until
// every photo is cleared.
func TestPeopleViewGroupsAndNames(t *testing.T) {
	s := newPeopleSetup(t)
	if !s.win.peopleButton.Visible() || s.win.peopleButton.Disabled() {
		t.Fatal("no \"People in this batch\" button after a batch")
	}
	v := openPeople(t, s)
	if got := groupSizes(v); !slices.Equal(got, []int{5, 3, 2}) {
		t.Fatalf("groups of %v faces, want Ada's 5 to confirm, Kim's 3, the lookalike's 2", got)
	}
	if !strings.HasPrefix(v.summary.Text, "10 faces to decide") {
		t.Errorf("the view says %q, want 10 faces to decide", v.summary.Text)
	}
	for _, p := range s.win.session.photos {
		if p.Faces[0].Decision.Visible || p.Status == vet.Cleared {
			t.Fatalf("%s: Ada shown before anyone confirmed her: %+v", p.Path, p.Faces[0].Decision)
		}
	}
	if !v.confirm.Visible() || v.confirm.Text != "Yes, this is Ada Test" {
		t.Fatalf("Ada's group: confirm shown %v, %q", v.confirm.Visible(), v.confirm.Text)
	}
	if texts := visibleTexts(v.list); !strings.Contains(texts, "Ada Test: to confirm") {
		t.Errorf("the list says %q, want Ada to confirm", texts)
	}
	test.Tap(v.confirm)
	if n := assignedTo(s.win.session.photos, "C1"); n != 5 {
		t.Errorf("%d faces confirmed as Ada, want 5", n)
	}
	if v.confirm.Visible() {
		t.Error("\"Yes, this is ...\" is shown on Kim's group, whom nobody recognised")
	}
	if got := groupSizes(v); !slices.Equal(got, []int{3, 2}) {
		t.Fatalf("after confirming Ada: groups of %v faces, want Kim's 3 then the lookalike's 2", got)
	}
	if v.current != 0 || v.count.Text != "In 3 photos" || v.face.Image == nil {
		t.Fatalf("shown: group %d, %q, face %v; want Kim's group with her face", v.current, v.count.Text, v.face.Image)
	}
	if b := v.face.Image.Bounds(); b.Dx() < 50 || b.Dx() > detailCropSize {
		t.Errorf("Kim's face is %v, want a crop of her face, not the photo", b)
	}
	if len(v.suggestions.Objects) != 0 {
		t.Errorf("Kim's group suggests %d things; she is near nobody enrolled", len(v.suggestions.Objects))
	}

	// The lookalike: one click on the suggestion. Ada has Instagram
	// consent, so the rules show both faces.
	v.list.Select(1)
	test.Tap(suggestionButton(t, v, "Ada Test"))
	if n := assignedTo(s.win.session.photos, "C1"); n != 7 {
		t.Errorf("%d faces assigned to Ada, want her 5 and the lookalike's 2", n)
	}
	if got := groupSizes(v); !slices.Equal(got, []int{3}) || v.current != 0 {
		t.Fatalf("after naming the lookalike: groups %v, shown %d; want Kim's left and shown", got, v.current)
	}
	if !strings.Contains(v.result.Text, "2 shown, 0 hidden") {
		t.Errorf("the view says %q, want 2 shown", v.result.Text)
	}

	// Kim: "This is...", then typing and Enter in the picker. She is
	// named Ben here: no Instagram consent, hidden by the rules.
	test.Tap(v.nameButton)
	search, ok := s.win.Canvas().Focused().(*pickerSearch)
	if !ok {
		t.Fatalf("the picker's search box has no focus (%T)", s.win.Canvas().Focused())
	}
	test.Type(search, "ben")
	search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if s.win.Canvas().Overlays().Top() != nil {
		t.Error("the picker is still open after Enter")
	}
	if n := assignedTo(s.win.session.photos, "C2"); n != 3 {
		t.Errorf("%d faces assigned to Ben, want Kim's 3", n)
	}
	for _, p := range s.win.session.photos {
		for _, f := range p.Faces {
			if f.AssignedID == "C2" && f.Decision.Visible {
				t.Errorf("%s: Ben is shown without Instagram consent", p.Path)
			}
		}
		if p.Status != vet.Cleared {
			t.Errorf("%s is %s %v, want cleared", p.Path, p.Status, p.Reasons)
		}
	}
	if len(v.groups) != 0 || !v.done.Visible() || v.detail.Visible() || v.summary.Text != "" {
		t.Errorf("groups left %d, done shown %v, summary %q", len(v.groups), v.done.Visible(), v.summary.Text)
	}
	v.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !s.win.showing(s.win.photos) {
		t.Error("Escape did not go back to the photos")
	}
}

// TestPeopleViewHideAndTakeOut takes one face out of Kim's group, hides
// the two left with one click, and finds the face taken out still on its
// own, unknown, when the view is opened again; "Hide every unknown face
// left" then hides it and the lookalike's, and every photo is cleared.
func TestPeopleViewHideAndTakeOut(t *testing.T) {
	s := newPeopleSetup(t)
	s.confirmRecognised(t)
	v := openPeople(t, s)
	if len(v.tileOut) != 3 {
		t.Fatalf("Kim's group shows %d faces, want 3", len(v.tileOut))
	}
	out := v.groups[0].faces[1]
	test.Tap(v.tileOut[1])
	if got := groupSizes(v); !slices.Equal(got, []int{2, 2, 1}) {
		t.Fatalf("after taking a face out: groups %v, want 2, 2 and the face alone", got)
	}
	if v.current != 0 || len(v.tileOut) != 2 {
		t.Fatalf("shown: group %d with %d faces, want Kim's with 2", v.current, len(v.tileOut))
	}
	test.Tap(v.hideButton)
	hidden := 0
	for _, p := range s.win.session.photos {
		for i, f := range p.Faces {
			switch {
			case p == out.photo && i == out.face:
				if !f.Unknown() {
					t.Errorf("the face taken out was decided: %+v", f)
				}
			case f.Review == consent.ForceRedacted:
				hidden++
				if f.Decision.Visible {
					t.Errorf("%s: a face hidden by the reviewer is shown", p.Path)
				}
			}
		}
	}
	if hidden != 2 {
		t.Errorf("%d faces hidden, want Kim's 2 left in the group", hidden)
	}

	v.back()
	v = openPeople(t, s)
	if got := groupSizes(v); !slices.Equal(got, []int{2, 1}) {
		t.Fatalf("opened again: groups %v, want the lookalike's 2 and the face taken out", got)
	}
	if g := v.groups[1]; g.faces[0] != out {
		t.Errorf("the face on its own is %v, want the one taken out (%v)", g.faces[0], out)
	}
	// Faces alone cannot be taken out of anything.
	v.list.Select(1)
	if len(v.tileOut) != 1 || !v.tileOut[0].Disabled() {
		t.Error("a face on its own offers to be taken out")
	}

	// The rest, the lookalike's two faces and the one taken out: one
	// click hides them all.
	if v.hideRest.Text != "Hide every unknown face left (3)" {
		t.Errorf("the button says %q, want 3 faces left", v.hideRest.Text)
	}
	test.Tap(v.hideRest)
	for _, p := range s.win.session.photos {
		if p.Status != vet.Cleared || p.Faces[1].Review != consent.ForceRedacted || !p.Faces[0].Decision.Visible {
			t.Errorf("%s after hiding the rest: %s, faces %+v", p.Path, p.Status, p.Faces)
		}
	}
	if len(v.groups) != 0 || !v.done.Visible() || !v.hideRest.Disabled() {
		t.Errorf("after hiding the rest: %d groups, done shown %v", len(v.groups), v.done.Visible())
	}
}

// openStrangerPicker opens the review of one photo with Ada and a
// stranger, selects the stranger and opens "This is...", returning the
// picker's search box.
func openStrangerPicker(t *testing.T) (*testSetup, *reviewView, *pickerSearch) {
	t.Helper()
	s, r := openTwoFaces(t)
	test.TapCanvas(s.win.Canvas(), absolute(s, r.view, faceCentre(r, r.photo.Faces[1].Box)))
	if r.selected.face != 1 {
		t.Fatalf("selection %+v, want the stranger", r.selected)
	}
	r.chooseAssignee()
	search, ok := s.win.Canvas().Focused().(*pickerSearch)
	if !ok {
		t.Fatalf("the picker's search box has no focus (%T)", s.win.Canvas().Focused())
	}
	return s, r, search
}

// TestPickerShowsTheFace: the picker shows the face being named, large.
func TestPickerShowsTheFace(t *testing.T) {
	s, r, _ := openStrangerPicker(t)
	var face *canvas.Image
	for _, o := range test.LaidOutObjects(s.win.Canvas().Overlays().Top()) {
		if img, ok := o.(*canvas.Image); ok && img.Image != nil && img.Size().Width >= facePickerSize {
			face = img
		}
	}
	if face == nil {
		t.Fatalf("the picker shows no face of at least %d units", facePickerSize)
	}
	// It is the stranger's face: the preview's pixels around the box.
	want := previewCrop(r.photo, r.photo.Faces[1].Box, facePickerSize)
	if face.Image.Bounds() != want.Bounds() || !same(face.Image.At(20, 20), want.At(20, 20)) {
		t.Errorf("the picker's face is %v, want the stranger's crop %v", face.Image.Bounds(), want.Bounds())
	}
}

// TestPickerKeysAndDoubleClick: Enter after typing picks the highlighted
// person, a double-click picks the row, Escape cancels, and nothing is
// picked without the reviewer's say: Enter with no row highlighted does
// nothing.
func TestPickerKeysAndDoubleClick(t *testing.T) {
	tests := []struct {
		name string
		act  func(t *testing.T, s *testSetup, search *pickerSearch)
		// want is who the stranger is after, "" for nobody; open
		// whether the picker is still open.
		want string
		open bool
	}{
		{"type and Enter", func(t *testing.T, _ *testSetup, search *pickerSearch) {
			test.Type(search, "ben")
			search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}, "C2", false},
		{"arrow down and Enter", func(t *testing.T, _ *testSetup, search *pickerSearch) {
			search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
			search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
			search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}, "C2", false},
		{"double-click", func(t *testing.T, s *testSetup, search *pickerSearch) {
			test.Type(search, "sam")
			row := pickerRowAt(t, s, 0)
			test.DoubleTap(row)
		}, "T1", false},
		{"Enter without a choice", func(t *testing.T, _ *testSetup, search *pickerSearch) {
			search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}, "", true},
		{"Escape", func(t *testing.T, _ *testSetup, search *pickerSearch) {
			test.Type(search, "ben")
			search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r, search := openStrangerPicker(t)
			tt.act(t, s, search)
			f := r.photo.Faces[1]
			if f.AssignedID != tt.want {
				t.Errorf("the stranger is %q, want %q", f.AssignedID, tt.want)
			}
			if open := s.win.Canvas().Overlays().Top() != nil; open != tt.open {
				t.Errorf("picker open %v, want %v", open, tt.open)
			}
		})
	}
}

// pickerRowAt is the picker's rendered row for the shown person i.
func pickerRowAt(t *testing.T, s *testSetup, i int) *pickerRow {
	t.Helper()
	for _, o := range test.LaidOutObjects(s.win.Canvas().Overlays().Top()) {
		if row, ok := o.(*pickerRow); ok && row.id == i && row.Visible() {
			return row
		}
	}
	t.Fatalf("the picker shows no row %d", i)
	return nil
}

// TestPickerSuggestsFirst: the people suggested for a face come first,
// marked, nearest first; the others follow by name.
func TestPickerSuggestsFirst(t *testing.T) {
	s := newTestSetup(t)
	s.win.loadJob()
	waitForJob(t, s.win)
	k := newPersonPicker(s.win.session.people(), nil, false)
	k.suggestFirst([]string{"T1", "C2"})
	var ids []string
	for _, p := range k.shown {
		ids = append(ids, p.ID)
	}
	if want := []string{"T1", "C2", "C1"}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
	test.NewTempWindow(t, k.list)
	row := k.list.CreateItem().(*pickerRow)
	k.list.UpdateItem(0, row)
	if row.mark.Text != "suggested" || !strings.Contains(row.label.Text, "Sam Staff") {
		t.Errorf("the first row says %q %q, want Sam, suggested", row.label.Text, row.mark.Text)
	}
	k.list.UpdateItem(2, row)
	if row.mark.Text != "" {
		t.Errorf("Ada, not suggested, is marked %q", row.mark.Text)
	}
	if len(k.ids()) != 0 {
		t.Errorf("chosen %v before the reviewer chose", k.ids())
	}
}

// TestPeopleViewKeysWithTheListFocused: once a group was clicked the list
// has the focus, and Escape and P still go back, to all photos (the
// button says so) even when the view was opened from a review; the arrows
// and Space still move through the groups.
func TestPeopleViewKeysWithTheListFocused(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyP} {
		s := newPeopleSetup(t)
		s.win.openReview(s.win.session.photos[0])
		v := openPeople(t, s)
		s.win.Canvas().Focus(v.list)
		v.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		v.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
		if v.current != 1 {
			t.Errorf("Down and Space in the list show group %d, want the second", v.current)
		}
		s.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: key})
		if !s.win.showing(s.win.photos) || s.win.review.photo != nil {
			t.Errorf("%s with the list focused: not back to all photos", key)
		}
	}
}

// TestPickerSaysNobodyMatches: typing what matches nobody says so, in
// place of an empty list, and the sentence goes once something matches.
func TestPickerSaysNobodyMatches(t *testing.T) {
	s := newTestSetup(t)
	s.win.loadJob()
	waitForJob(t, s.win)
	k := newPersonPicker(s.win.session.people(), nil, false)
	test.Type(k.search, "zzz")
	if !k.nobody.Visible() || k.nobody.Text != `Nobody in the register matches "zzz".` || len(k.shown) != 0 {
		t.Errorf("typing zzz: %d shown, the picker says %q (shown %v)", len(k.shown), k.nobody.Text, k.nobody.Visible())
	}
	k.search.SetText("ada")
	if k.nobody.Visible() || len(k.shown) != 1 {
		t.Errorf("typing ada: %d shown, nobody-matches shown %v", len(k.shown), k.nobody.Visible())
	}
}
