package vet

import (
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// TestReviewEdits: each reviewer action changes the decision the way R8
// allows, and a refused action leaves the photo as it was.
func TestReviewEdits(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir := t.TempDir()
	paths := map[int]string{}
	for _, w := range []int{widthAda, widthBen, widthStranger, widthNobody} {
		paths[w] = filepath.Join(dir, "p"+string(rune('a'+w-widthAda))+".png")
		writeTestPhoto(t, paths[w], w, 200)
	}
	tests := []struct {
		name        string
		width       int
		edits       []Edit
		wantErr     bool
		wantStatus  Status
		wantVisible []bool // per face
		wantBoxes   int    // manual boxes
	}{
		{"stranger as is", widthStranger, nil, false, NeedsReview, []bool{false}, 0},
		{"stranger assigned to Ada", widthStranger, []Edit{AssignFace(0, "C1")}, false, Cleared, []bool{true}, 0},
		{"stranger assigned to Ben, no Instagram consent", widthStranger, []Edit{AssignFace(0, "C2")}, false, Cleared, []bool{false}, 0},
		{"stranger force-redacted", widthStranger, []Edit{ForceRedact(0)}, false, Cleared, []bool{false}, 0},
		{"adult without a note", widthStranger, []Edit{MarkAdult(0, "  ")}, true, NeedsReview, []bool{false}, 0},
		{"adult with a note", widthStranger, []Edit{MarkAdult(0, "Tom's father, agreed on the trip")}, false, Cleared, []bool{true}, 0},
		// Ada is recognised: hidden until the reviewer confirms her.
		{"Ada as recognised", widthAda, nil, false, NeedsReview, []bool{false}, 0},
		{"Ada confirmed", widthAda, []Edit{ConfirmRecognised()}, false, Cleared, []bool{true}, 0},
		{"Ada force-redacted", widthAda, []Edit{ForceRedact(0)}, false, Cleared, []bool{false}, 0},
		{"Ada reset after confirming", widthAda, []Edit{ConfirmRecognised(), ResetFace(0)}, false, NeedsReview, []bool{false}, 0},
		{"Ada assigned to nobody", widthAda, []Edit{ConfirmRecognised(), AssignFace(0, "")}, true, NeedsReview, []bool{false}, 0},
		{"face out of range", widthAda, []Edit{ConfirmRecognised(), ForceRedact(3)}, true, NeedsReview, []bool{false}, 0},
		{"manual box", widthAda, []Edit{ConfirmRecognised(), AddBox(image.Rect(10, 10, 60, 40))}, false, Cleared, []bool{true}, 1},
		{"manual box too small", widthAda, []Edit{ConfirmRecognised(), AddBox(image.Rect(10, 10, 12, 40))}, true, NeedsReview, []bool{false}, 0},
		{"manual box removed", widthAda, []Edit{ConfirmRecognised(), AddBox(image.Rect(10, 10, 60, 40)), RemoveBox(0)}, false, Cleared, []bool{true}, 0},
		{"no face, not confirmed", widthNobody, nil, false, NeedsReview, nil, 0},
		{"no face, confirmed", widthNobody, []Edit{ConfirmNoFace(true)}, false, Cleared, nil, 0},
		{"Ben's work, no work consent", widthAda, []Edit{ConfirmRecognised(), SetChildWork([]string{"C2"})}, false, Blocked, []bool{true}, 0},
		{"Ada's work", widthAda, []Edit{ConfirmRecognised(), SetChildWork([]string{"C1"})}, false, Cleared, []bool{true}, 0},
		{"photographer without Instagram", widthAda, []Edit{ConfirmRecognised(), SetPhotographer("Pia Photo", []string{"website"})}, false, Blocked, []bool{true}, 0},
	}
	b := testBatch(t, store, &fakeFinder{})
	rev := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			photos, err := b.Run(ctx, []string{paths[tt.width]})
			if err != nil {
				t.Fatal(err)
			}
			p := photos[0]
			err = rev.Apply(ctx, p, tt.edits...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Apply: %v, want error %v", err, tt.wantErr)
			}
			if p.Status != tt.wantStatus {
				t.Errorf("status %s %v, want %s", p.Status, p.Reasons, tt.wantStatus)
			}
			if len(p.Faces) != len(tt.wantVisible) {
				t.Fatalf("%d faces, want %d", len(p.Faces), len(tt.wantVisible))
			}
			for i, f := range p.Faces {
				if f.Decision.Visible != tt.wantVisible[i] {
					t.Errorf("face %d visible %v (%s), want %v", i, f.Decision.Visible, f.Decision.Reason, tt.wantVisible[i])
				}
			}
			if len(p.ManualBoxes) != tt.wantBoxes {
				t.Errorf("%d manual boxes, want %d", len(p.ManualBoxes), tt.wantBoxes)
			}
			if got, want := len(p.redactedFaces())+len(p.ManualBoxes), tt.wantBoxes+countFalse(tt.wantVisible); got != want {
				t.Errorf("%d redacted areas, want %d", got, want)
			}
		})
	}
}

func countFalse(v []bool) int {
	n := 0
	for _, b := range v {
		if !b {
			n++
		}
	}
	return n
}

// TestBlockedListsEverything: a blocked photo names its refusal and what
// review still needs.
func TestBlockedListsEverything(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	path := filepath.Join(t.TempDir(), "stranger.png")
	writeTestPhoto(t, path, widthStranger, 200)
	b := testBatch(t, store, &fakeFinder{})
	b.Photographer, b.PhotographerChannels = "", nil
	photos, err := b.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	p := photos[0]
	if p.Status != Blocked || len(p.Reasons) != 2 {
		t.Fatalf("status %s, reasons %v; want blocked for the photographer and the unknown face listed", p.Status, p.Reasons)
	}
	if !strings.Contains(p.Reasons[0].String(), "photographer") || !strings.Contains(p.Reasons[1].String(), "unknown face") {
		t.Errorf("reasons %v", p.Reasons)
	}
}

// vetStranger vets a photo of one unknown face with a batch that saves its
// reviews in store, and returns the batch, the photo's path and what the
// batch made of it.
func vetStranger(t *testing.T, store *consent.Store) (Batch, string, []*Photo) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trip.png")
	writeTestPhoto(t, path, widthStranger, 200)
	b := testBatch(t, store, &fakeFinder{})
	b.Store = store
	photos, err := b.Run(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	return b, path, photos
}

// TestReviewRestored: a photo reviewed, then processed again by a new batch
// (the app restarted), comes back with the reviewer's work.
func TestReviewRestored(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	b, path, photos := vetStranger(t, store)
	rev := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	if err := rev.Apply(ctx, photos[0], AssignFace(0, "C1"), AddBox(image.Rect(0, 0, 50, 50)), SetChildWork([]string{"C1"})); err != nil {
		t.Fatal(err)
	}
	again, err := b.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	p := again[0]
	if p.Faces[0].Review != consent.AssignedByHand || p.Faces[0].AssignedID != "C1" || !p.Faces[0].Decision.Visible {
		t.Errorf("face after restart %+v, want assigned to C1 and visible", p.Faces[0])
	}
	if len(p.ManualBoxes) != 1 || len(p.ChildWork) != 1 || p.Status != Cleared {
		t.Errorf("after restart boxes %v, child work %v, status %s; want the review back and cleared", p.ManualBoxes, p.ChildWork, p.Status)
	}
	// The rules decide the restored photo again: its reasons are messages
	// with their values, which the app translates, not the English saved.
	if r := p.Faces[0].Decision.Reason; !strings.Contains(r.Format, "{{") || len(r.Args) == 0 {
		t.Errorf("the restored face's reason is %q with %v, want a message with its values", r.Format, r.Args)
	}
	// Another channel has its own review.
	b.Job.Channel = "website"
	other, err := b.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if other[0].Faces[0].Review != consent.NotReviewed || len(other[0].ManualBoxes) != 0 {
		t.Errorf("website review %+v, want none (the review was for Instagram)", other[0])
	}
}

// TestReviewAcrossAChannelChange: reviews are kept for each channel. After
// the batch's channel changed, the reviewer's work carries over: it is
// saved for the new channel at once (a restart there brings it back), and
// the next edit is saved, not refused as changed elsewhere (it was, for
// every photo: the photo held the version of the old channel's review).
// A photo without the reviewer's work takes the review saved for the new
// channel before, but keeps the batch's photographer (the old review's
// came back, and photos went out on two people's permissions); one still
// being vetted at the change saves its edits all the same.
func TestReviewAcrossAChannelChange(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir := t.TempDir()
	hidden, untouched, inFlight := filepath.Join(dir, "hidden.png"), filepath.Join(dir, "untouched.png"), filepath.Join(dir, "in flight.png")
	for i, path := range []string{hidden, untouched, inFlight} {
		writeTestPhoto(t, path, widthStranger, 200+i)
	}
	b := testBatch(t, store, &fakeFinder{})
	b.Store = store
	b.Job.Channel = "website"
	// Last week the untouched photo was reviewed for the newsletter.
	newsletter := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	newsletter.Job.Channel = "newsletter"
	before, err := b.Run(ctx, []string{untouched})
	if err != nil {
		t.Fatal(err)
	}
	if err := newsletter.Apply(ctx, before[0], AddBox(image.Rect(0, 0, 40, 40)), SetPhotographer("Ben Teacher", []string{"newsletter"})); err != nil {
		t.Fatal(err)
	}

	photos, err := b.Run(ctx, []string{hidden, untouched, inFlight})
	if err != nil {
		t.Fatal(err)
	}
	website := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	// Today's photographer, for the whole batch, is Bea.
	if err := website.SetPhotographer(ctx, photos, "Bea Photographer", []string{"website", "newsletter"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Photo{photos[0], photos[2]} {
		if err := website.Apply(ctx, p, HideUnknown()); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range photos[:2] {
		if err := newsletter.ChangeChannel(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*Photo{photos[0], photos[2]} {
		if err := newsletter.Apply(ctx, p, AddBox(image.Rect(10, 10, 30, 30))); err != nil {
			t.Errorf("%s: an edit after the channel change: %v", filepath.Base(p.Path), err)
		}
	}
	for _, tt := range []struct {
		path        string
		hiddenFaces int
		boxes       int
	}{
		{hidden, 1, 1},    // carried over, then a box
		{untouched, 0, 1}, // last week's newsletter review
		{inFlight, 1, 1},  // edited for the newsletter without the change
	} {
		saved, err := LoadReview(ctx, store, photos[slices.IndexFunc(photos, func(p *Photo) bool { return p.Path == tt.path })].SHA256, "newsletter")
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(tt.path), err)
		}
		hiddenFaces := 0
		for _, f := range saved.Faces {
			if f.Review == consent.ForceRedacted {
				hiddenFaces++
			}
		}
		if hiddenFaces != tt.hiddenFaces || len(saved.ManualBoxes) != tt.boxes || saved.Photographer != "Bea Photographer" {
			t.Errorf("%s: saved for the newsletter with %d faces hidden, %d boxes, photographer %q; want %d, %d and Bea (today's, for the whole batch)",
				filepath.Base(tt.path), hiddenFaces, len(saved.ManualBoxes), saved.Photographer, tt.hiddenFaces, tt.boxes)
		}
	}
}

// TestAdultAcrossAChannelChange: an adult who agreed in person agreed
// with a note that may be for one channel only (R8), so after a change of
// channel the face is undecided and hidden again (it stayed visible on
// the new channel), while the photo's other work carries over: a drawn
// box, and a hidden face on another photo. Marked again with a note for
// the new channel it is shown there, and back on the first channel the
// note given for it comes back, also on a photo with no other work (it
// stayed hidden there: the window's state was taken for the first
// channel's review).
func TestAdultAcrossAChannelChange(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir := t.TempDir()
	adult, hidden, alone := filepath.Join(dir, "adult.png"), filepath.Join(dir, "hidden.png"), filepath.Join(dir, "alone.png")
	writeTestPhoto(t, adult, widthStranger, 200)
	writeTestPhoto(t, hidden, widthStranger, 201)
	writeTestPhoto(t, alone, widthStranger, 202)
	b := testBatch(t, store, &fakeFinder{})
	b.Store = store
	b.Job.Channel = "website"
	photos, err := b.Run(ctx, []string{adult, hidden, alone})
	if err != nil {
		t.Fatal(err)
	}
	website := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	newsletter := website
	newsletter.Job.Channel = "newsletter"
	if err := website.SetPhotographer(ctx, photos, "Pia Photo", []string{"website", "newsletter"}); err != nil {
		t.Fatal(err)
	}
	box := image.Rect(0, 0, 40, 40)
	if err := website.Apply(ctx, photos[0], MarkAdult(0, "Tom's father, agreed to the website"), AddBox(box)); err != nil {
		t.Fatal(err)
	}
	if err := website.Apply(ctx, photos[1], ForceRedact(0)); err != nil {
		t.Fatal(err)
	}
	if err := website.Apply(ctx, photos[2], MarkAdult(0, "Tom's mother, agreed to the website")); err != nil {
		t.Fatal(err)
	}
	if f := photos[0].Faces[0]; !f.Decision.Visible {
		t.Fatalf("the adult is hidden on the website: %v", f.Decision.Reason)
	}

	for _, p := range photos {
		if err := newsletter.ChangeChannel(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	f := photos[0].Faces[0]
	if f.Decision.Visible || f.Review != consent.NotReviewed || f.Note != "" || !f.Undecided() || photos[0].Status != NeedsReview {
		t.Errorf("on the newsletter the adult is %+v (%v), photo %s; want undecided and hidden, the photo needing review", f, f.Decision.Reason, photos[0].Status)
	}
	if !slices.Equal(photos[0].ManualBoxes, []image.Rectangle{box}) {
		t.Errorf("the drawn box did not carry over: %v", photos[0].ManualBoxes)
	}
	if f := photos[1].Faces[0]; f.Review != consent.ForceRedacted {
		t.Errorf("the hidden face did not carry over: %+v", f)
	}
	if f := photos[2].Faces[0]; f.Decision.Visible || f.Review != consent.NotReviewed {
		t.Errorf("on the newsletter the adult alone on a photo is %+v, want undecided and hidden", f)
	}
	if err := website.ChangeChannel(ctx, photos[2]); err != nil {
		t.Fatal(err)
	}
	if f := photos[2].Faces[0]; !f.Decision.Visible || f.Note != "Tom's mother, agreed to the website" {
		t.Errorf("back on the website the adult alone on a photo is %+v (%v), want shown with the website's note", f, f.Decision.Reason)
	}
	// With work that carries over (the box), and no note for the
	// newsletter, the website's note comes back all the same.
	boxed := photos[0].Clone()
	if err := website.ChangeChannel(ctx, boxed); err != nil {
		t.Fatal(err)
	}
	if f := boxed.Faces[0]; !f.Decision.Visible || f.Note != "Tom's father, agreed to the website" {
		t.Errorf("back on the website straight away the adult is %+v (%v), want shown with the website's note", f, f.Decision.Reason)
	}
	saved, err := LoadReview(ctx, store, photos[0].SHA256, "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	if f := saved.Faces[0]; f.Review != consent.NotReviewed || len(saved.ManualBoxes) != 1 {
		t.Errorf("saved for the newsletter: face %+v, boxes %v; want the box and no adult", f, saved.ManualBoxes)
	}

	if err := newsletter.Apply(ctx, photos[0], MarkAdult(0, "Tom's father, agreed to the newsletter")); err != nil {
		t.Fatal(err)
	}
	if f := photos[0].Faces[0]; !f.Decision.Visible {
		t.Errorf("marked again for the newsletter, the adult is hidden: %v", f.Decision.Reason)
	}
	// Back on the website, the newsletter's note does not hold, but the
	// one given for the website does, the drawn box carried over with it.
	if err := website.ChangeChannel(ctx, photos[0]); err != nil {
		t.Fatal(err)
	}
	if f := photos[0].Faces[0]; !f.Decision.Visible || f.Note != "Tom's father, agreed to the website" || len(photos[0].ManualBoxes) != 1 {
		t.Errorf("back on the website the adult is %+v (%v), boxes %v; want shown with the website's note, and the box", f, f.Decision.Reason, photos[0].ManualBoxes)
	}
}

// TestPhotographerFromEXIF: a photographer named in EXIF Artist is looked
// up in the register, so their recorded permission counts (R5).
func TestPhotographerFromEXIF(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	if err := store.SetPhotographerPermission(ctx, "Ann Photographer", []string{"instagram"}, testDay); err != nil {
		t.Fatal(err)
	}
	b := testBatch(t, store, &fakeFinder{})
	b.Photographer, b.PhotographerChannels, b.Store = "", nil, store
	path := filepath.Join(t.TempDir(), "artist.jpg")
	writeJPEGWithArtist(t, path, widthAda, 200, "Ann Photographer")
	photos, err := b.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	p := photos[0]
	if p.Photographer != "Ann Photographer" || p.Status == Blocked {
		t.Errorf("photographer %q channels %v status %s %v; want Ann with her Instagram permission, not blocked", p.Photographer, p.PhotographerChannels, p.Status, p.Reasons)
	}
}

// writeJPEGWithArtist writes a patterned JPEG whose EXIF names the artist,
// written by ExifTool as a camera would.
func writeJPEGWithArtist(t *testing.T, path string, w, h int, artist string) {
	t.Helper()
	png := path + ".png"
	writeTestPhoto(t, png, w, h)
	img, err := vision.Load(png)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(vision.EncodeClean(f, img.Image), f.Close()); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("exiftool", "-overwrite_original", "-Artist="+artist, path).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool (make test installs it): %v\n%s", err, out)
	}
}

// TestReviewOfARemovedPerson: a face the reviewer assigned to a person
// who was then removed from the register (the saved review keeps the id)
// comes back hidden and waiting for a decision, as an unknown face, under
// no name: vetted again after a restart, and decided again in the same
// session (the window reads the register again when the teacher comes
// back from the register's tab). It came back hidden, but as reviewed:
// the photo was cleared without anyone deciding who the face is.
func TestReviewOfARemovedPerson(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	b, path, photos := vetStranger(t, store)
	before := photos[0]
	rev := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	if err := rev.Apply(ctx, before, AssignFace(0, "C1")); err != nil {
		t.Fatal(err)
	}
	if before.Status != Cleared || !before.Faces[0].Decision.Visible {
		t.Fatalf("assigned to Ada, the photo is %s, its face %+v; want it cleared and the face visible", before.Status, before.Faces[0].Decision)
	}
	if err := store.RemovePerson(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	reg, err := store.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before.Decide(reg, b.Job)
	restarted := testBatch(t, store, &fakeFinder{})
	restarted.Store = store
	again, err := restarted.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	for when, p := range map[string]*Photo{"decided again": before, "vetted again": again[0]} {
		f := p.Faces[0]
		if f.Decision.Visible || !f.Unknown() || !p.WaitsForReviewer() || p.Status != NeedsReview {
			t.Errorf("%s after Ada's removal: the photo is %s (waits for the reviewer: %v), its face %+v, unknown %v; want it hidden and unknown, the photo needing review",
				when, p.Status, p.WaitsForReviewer(), f, f.Unknown())
		}
		if f.Decision.PersonID != "" || strings.Contains(f.Decision.Reason.String(), "Ada") {
			t.Errorf("%s after Ada's removal: the face is taken for %q, because %q; want nobody", when, f.Decision.PersonID, f.Decision.Reason)
		}
	}
}

// TestReviewOfAPersonListedAgain: a face assigned to Ada and her work
// marked on the photo, saved; Ada removed from the register, then listed
// again by the next roster import (the same id, so perhaps another child
// given a freed number). After a restart the saved review names an id
// that is back, but not the registration the reviewer saw: the face waits
// for the reviewer under no name and the photo is refused for the work,
// until the reviewer names both again.
func TestReviewOfAPersonListedAgain(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	b, path, photos := vetStranger(t, store)
	rev := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	if err := rev.Apply(ctx, photos[0], AssignFace(0, "C1"), SetChildWork([]string{"C1"})); err != nil {
		t.Fatal(err)
	}
	if p := photos[0]; p.Status != Cleared || p.Faces[0].AssignedKey != b.Register.People["C1"].RegistrationKey || p.ChildWorkKeys["C1"] != p.Faces[0].AssignedKey {
		t.Fatalf("assigned to Ada: the photo is %s, its face's key %q, the work's %v; want it cleared, both with Ada's key %q",
			p.Status, p.Faces[0].AssignedKey, p.ChildWorkKeys, b.Register.People["C1"].RegistrationKey)
	}
	if err := store.RemovePerson(ctx, "C1"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportRoster(ctx, strings.NewReader(testRoster), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	restarted := testBatch(t, store, &fakeFinder{})
	restarted.Store = store
	again, err := restarted.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	p := again[0]
	if f := p.Faces[0]; f.Decision.Visible || f.Decision.PersonID != "" || f.Review != consent.NotReviewed || !p.WaitsForReviewer() {
		t.Errorf("Ada listed again: the face %+v (waits for the reviewer: %v); want it hidden, taken for nobody, waiting for the reviewer", f, p.WaitsForReviewer())
	}
	const refused = `shows the work of "C1", marked before that id left the register and came back: mark whose work it is again`
	if p.Status != Blocked || !slices.ContainsFunc(p.Reasons, func(r msg.Text) bool { return r.String() == refused }) {
		t.Errorf("Ada listed again: the photo is %s because %v; want it blocked: %s", p.Status, p.Reasons, refused)
	}

	rev = Reviewer{Store: store, Register: restarted.Register, Job: restarted.Job}
	if err := rev.Apply(ctx, p, AssignFace(0, "C1"), SetChildWork([]string{"C1"})); err != nil {
		t.Fatal(err)
	}
	if p.Status != Cleared || !p.Faces[0].Decision.Visible {
		t.Errorf("Ada named again: the photo is %s because %v, its face %+v; want it cleared and the face visible", p.Status, p.Reasons, p.Faces[0].Decision)
	}
}

// TestReviewMarkFollowsEdits: a copy of a photo keeps the photo's review
// mark until either is saved. An edit of the photo gives the photo a new
// mark (so that work done on the copy meanwhile is known to be stale), a
// channel change that saves the copy gives the copy one, and a copy
// decided again without saving keeps the photo's.
func TestReviewMarkFollowsEdits(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	b, _, photos := vetStranger(t, store)
	p := photos[0]
	website := Reviewer{Store: store, Register: b.Register, Job: b.Job}
	website.Job.Channel = "website"

	decided := p.Clone()
	decided.Decide(b.Register, website.Job)
	if decided.ReviewMark() != p.ReviewMark() {
		t.Error("a copy decided again without saving has another mark than the photo")
	}

	if err := (Reviewer{Store: store, Register: b.Register, Job: b.Job}).Apply(ctx, p, HideUnknown()); err != nil {
		t.Fatal(err)
	}
	stale := p.Clone()
	before := p.ReviewMark()
	if err := (Reviewer{Store: store, Register: b.Register, Job: b.Job}).Apply(ctx, p, AddBox(image.Rect(0, 0, 20, 20))); err != nil {
		t.Fatal(err)
	}
	if p.ReviewMark() == before || stale.ReviewMark() != before {
		t.Errorf("after an edit the photo's mark is %v, its earlier copy's %v; want the photo's changed from %v and the copy's not",
			p.ReviewMark(), stale.ReviewMark(), before)
	}

	moved := p.Clone()
	if err := website.ChangeChannel(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if moved.ReviewMark() == p.ReviewMark() {
		t.Error("a copy whose review was carried over to the website and saved there has the photo's mark")
	}
}
