package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

func TestMainWindowDrop(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"trip/a.jpg", "trip/b.HEIC", "trip/list.txt", "c.png"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		dropped    []string
		wantPhotos int
		wantHint   string
	}{
		{"folder and file", []string{"trip", "c.png"}, 3, "3 photos added"},
		{"nothing usable", []string{"trip/list.txt"}, 0, "Drag photos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSetup(t)
			w := s.win
			var paths []string
			for _, name := range tt.dropped {
				paths = append(paths, filepath.Join(dir, name))
			}
			if tt.wantPhotos > 0 {
				s.drop(t, paths...)
			} else {
				w.addURIs([]fyne.URI{storage.NewFileURI(paths[0])})
			}
			if got := len(w.session.photos); got != tt.wantPhotos {
				t.Errorf("%d photos in the batch, want %d", got, tt.wantPhotos)
			}
			for _, p := range w.session.photos {
				if p.Status != vet.Failed { // the files only pretend to be photos
					t.Errorf("%s: %s, want failed", p.Path, p.Status)
				}
			}
			if got := w.drop.hint.Text; !strings.HasPrefix(got, tt.wantHint) {
				t.Errorf("drop zone says %q, want it to start with %q", got, tt.wantHint)
			}
		})
	}
}

func TestMainWindowModelProblem(t *testing.T) {
	a := test.NewTempApp(t)
	store, err := consent.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	faces := vet.NewFaces(func() (vision.FaceFinder, int, error) { return fakeFinder{}, 1, nil })
	w := newMainWindow(a, store, faces, "test", msg.Text{})
	waitForWindow(t, w)
	if w.warning != nil {
		t.Errorf("a warning is shown although the models verify: %q", w.warning.Text)
	}
	problem := msg.New("PhotoVet cannot recognise faces yet: the face model {{.File}} is missing. "+
		"Ask your IT contact to install PhotoVet again (or, in its source folder, to run \"make run\" once with a network connection).", "File", "/x/mmod.dat")
	w = newMainWindow(a, store, faces, "test", problem)
	waitForWindow(t, w)
	if w.warning == nil || w.warning.Text != problem.String() || !w.warning.Visible() {
		t.Error("the model problem is not shown in the window")
	}
}

// TestLanguageSwitchRebuildsWindow: choosing Dutch in the settings shows
// the window in Dutch at once, with the batch still there.
func TestLanguageSwitchRebuildsWindow(t *testing.T) {
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "trip.png", widthTwoFaces))
	s.win.tabs.SelectIndex(1)
	waitForWork(t, s.win.register)
	waitForJob(t, s.win)
	t.Cleanup(func() { setUpLanguage("en") })
	if err := s.win.register.settings.setLanguage("nl"); err != nil {
		t.Fatal(err)
	}
	waitForWindow(t, s.win)
	if got := s.win.tabs.Items[0].Text; got != "Foto's" {
		t.Errorf("photos tab after switching to Dutch: %q", got)
	}
	if len(s.win.session.photos) != 1 || s.win.tabs.SelectedIndex() != 1 {
		t.Errorf("after the switch: %d photos, tab %d; want the batch and the register tab kept", len(s.win.session.photos), s.win.tabs.SelectedIndex())
	}
	if err := s.win.register.settings.setLanguage("en"); err != nil {
		t.Fatal(err)
	}
	waitForWindow(t, s.win)
	if got := s.win.tabs.Items[0].Text; got != "Photos" {
		t.Errorf("photos tab after switching back: %q", got)
	}
}

// blockingFinder holds every photo until the batch is cancelled.
type blockingFinder struct{ started chan struct{} }

func (f blockingFinder) Find(ctx context.Context, _ *vision.Photo) ([]vision.Face, error) {
	f.started <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestCancelBatch: Cancel stops the batch, shows no photo as failed, and a
// second drop of the same folder processes the photos again.
func TestCancelBatch(t *testing.T) {
	s := newTestSetup(t)
	started := make(chan struct{}, 8)
	s.win.session.Faces = vet.NewFaces(func() (vision.FaceFinder, int, error) { return blockingFinder{started}, 1, nil })
	paths := []string{s.writePhoto(t, "a.png", widthTwoFaces), s.writePhoto(t, "b.png", widthTwoFaces)}
	done := make(chan struct{})
	s.win.batchFinished = func() { close(done) }
	s.win.addURIs([]fyne.URI{storage.NewFileURI(s.dir)})
	waitFor(t, started, "the first photo to be looked at")
	if !s.win.photos.progressBox.Visible() {
		t.Error("no progress bar while processing")
	}
	s.win.cancelBatch()
	waitFor(t, done, "the cancelled batch to finish")
	if n := len(s.win.session.photos); n != 0 {
		t.Errorf("%d photos after cancelling the first, want none", n)
	}
	if s.win.photos.progressBox.Visible() || !strings.HasPrefix(s.win.status.Text, "Stopped") {
		t.Errorf("after Cancel: progress shown %v, status %q", s.win.photos.progressBox.Visible(), s.win.status.Text)
	}
	s.win.session.Faces = vet.NewFaces(func() (vision.FaceFinder, int, error) { return fakeFinder{}, 1, nil })
	s.drop(t, paths...)
	if n := len(s.win.session.photos); n != 2 {
		t.Errorf("%d photos after dropping them again, want 2", n)
	}
}

// TestRepairedFileAddedAgain: a file PhotoVet could not read says so
// without the review's tools, and once repaired and dropped again it
// replaces its failed entry; a good photo dropped again is not redone.
func TestRepairedFileAddedAgain(t *testing.T) {
	s := newTestSetup(t)
	good := s.writePhoto(t, "ada and a stranger.png", widthTwoFaces)
	broken := filepath.Join(s.dir, "broken.png")
	if err := os.WriteFile(broken, []byte("half a photo"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.drop(t, good, broken)
	if c := s.win.session.counts(); c[vet.Failed] != 1 || len(s.win.session.photos) != 2 {
		t.Fatalf("counts %v, want one failed of two", c)
	}
	if !strings.HasSuffix(s.win.status.Text, "Files that could not be read: 1.") {
		t.Errorf("the status line says %q, want it to count the unreadable file", s.win.status.Text)
	}
	failed := s.win.session.filtered(vet.Failed)[0]
	s.win.openReview(failed)
	if s.win.review.tools.Visible() || !strings.Contains(s.win.review.reasons.Text, "never exported") {
		t.Errorf("the review of an unreadable file shows its tools (%v) or says %q", s.win.review.tools.Visible(), s.win.review.reasons.Text)
	}
	s.win.closeReview()

	s.writePhoto(t, "broken.png", widthNoFace) // repaired
	firstGood := s.win.session.photos[slices.IndexFunc(s.win.session.photos, func(p *vet.Photo) bool { return p.Path == good })]
	s.drop(t, good, broken)
	if c := s.win.session.counts(); c[vet.Failed] != 0 || len(s.win.session.photos) != 2 {
		t.Errorf("after dropping the repaired file again: counts %v, %d photos; want two photos, none failed", c, len(s.win.session.photos))
	}
	if !slices.Contains(s.win.session.photos, firstGood) {
		t.Error("the good photo was processed again")
	}
	s.win.openReview(s.win.session.photos[1])
	if !s.win.review.tools.Visible() {
		t.Error("the review of the repaired photo hides its tools")
	}
}

// TestNewBatch: "New batch" empties the window for the next photos, asks
// first while cleared photos are not exported, and the same photos added
// again are processed again with their review kept.
func TestNewBatch(t *testing.T) {
	s := newTestSetup(t)
	if !s.win.newBatchButton.Disabled() {
		t.Error("New batch is enabled with no photos")
	}
	paths := []string{s.writePhoto(t, "ada and a stranger.png", widthTwoFaces), s.writePhoto(t, "empty.png", widthNoFace)}
	s.drop(t, paths...)
	if s.win.newBatchButton.Disabled() {
		t.Fatal("New batch is disabled after a batch")
	}
	if n := s.win.session.unexported(); n != 0 {
		t.Fatalf("%d photos cleared before review, want none", n)
	}
	// Review: hide the stranger; confirm the empty photo.
	s.reviewAll(t)

	// Two cleared photos are not exported: the teacher is asked, and a
	// "Cancel" keeps the batch.
	test.Tap(s.win.newBatchButton)
	top := s.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(flatText(visibleTexts(top)), "2 cleared photos have not been exported yet") {
		t.Fatalf("New batch with unexported photos did not ask; overlay: %v", top)
	}
	tapButton(t, top, "Cancel")
	if len(s.win.session.photos) != 2 {
		t.Fatalf("Cancel cleared the batch: %d photos", len(s.win.session.photos))
	}
	test.Tap(s.win.newBatchButton)
	tapButton(t, s.win.Canvas().Overlays().Top(), "New batch")
	if len(s.win.session.photos) != 0 || s.win.area.Objects[0].(*fyne.Container).Objects[0] != s.win.drop ||
		!strings.HasPrefix(s.win.drop.hint.Text, "Drag photos") || !s.win.newBatchButton.Disabled() || !s.win.exportButton.Disabled() {
		t.Errorf("after New batch: %d photos, drop zone %q, buttons disabled: new %v, export %v",
			len(s.win.session.photos), s.win.drop.hint.Text, s.win.newBatchButton.Disabled(), s.win.exportButton.Disabled())
	}

	s.drop(t, paths...)
	if len(s.win.session.photos) != 2 {
		t.Fatalf("%d photos after adding them again, want 2", len(s.win.session.photos))
	}
	for _, p := range s.win.session.photos {
		if p.Status != vet.Cleared {
			t.Errorf("%s came back %s %v, want cleared with its review kept", p.Path, p.Status, p.Reasons)
		}
	}
}

// TestNewBatchForgetsThePhotographer: "New batch" keeps the channel and
// the unit (the teacher's class) but not the photographer, who with their
// permission belongs to the photos (R5): the next batch's photos, maybe
// someone else's, wait for the teacher to name theirs (it kept the last
// batch's, and a stranger's photos went out on Pia's permission).
func TestNewBatchForgetsThePhotographer(t *testing.T) {
	s := newTestSetup(t)
	s.win.chooseUnit(slices.Index(units(), consent.UpperSecondary))
	waitForJob(t, s.win)
	s.win.applyPhotographer(nil, "Bea Photographer", []string{"instagram"})
	s.drop(t, s.writePhoto(t, "first.png", widthTwoFaces))
	if p := s.win.session.photos[0]; p.Photographer != "Bea Photographer" {
		t.Fatalf("the first batch's photo was taken by %q, want Bea", p.Photographer)
	}
	job := s.win.session.Job.Job

	s.win.newBatch()
	if got := s.win.photographer.label.Text; !strings.Contains(got, "Photographer: not set yet.") {
		t.Errorf("after New batch the photographer bar says %q, want it not set", got)
	}
	if got := s.win.session.Job.Job; got.Channel != job.Channel || got.Unit != consent.UpperSecondary {
		t.Errorf("after New batch the job is %s, %s; want %s, %s kept", got.Channel, got.Unit, job.Channel, consent.UpperSecondary)
	}
	s.drop(t, s.writePhoto(t, "second.png", widthTwoFaces))
	p := s.win.session.photos[0]
	if p.Photographer != "" || p.Status != vet.Blocked {
		t.Errorf("the next batch's photo was taken by %q, %s; want nobody yet, blocked (R5)", p.Photographer, p.Status)
	}
}

// tapButton taps the button with the text among o's visible objects.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	if o == nil {
		t.Fatalf("no dialog to tap %q in", text)
	}
	for _, c := range visibleObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no %q button in:\n%s", text, visibleTexts(o))
}
