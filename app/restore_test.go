package app

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// countingFinder is the fake finder as the real engine is used: it counts
// the photos searched for faces (and fails the search when searchFails),
// describes a face at a kept box, and names its detection.
type countingFinder struct {
	searchFails bool
	searches    atomic.Int32
}

func (f *countingFinder) Find(ctx context.Context, p *vision.Photo) ([]vision.Face, error) {
	f.searches.Add(1)
	if f.searchFails {
		return nil, errors.New("the photo was searched for faces again")
	}
	return fakeFinder{}.Find(ctx, p)
}

func (f *countingFinder) Describe(ctx context.Context, p *vision.Photo, box image.Rectangle) (vision.Descriptor, error) {
	faces, _ := fakeFinder{}.Find(ctx, p)
	for _, face := range faces {
		if face.Box == box {
			return face.Descriptor, nil
		}
	}
	return vision.Descriptor{}, errors.New("no face at that box")
}

func (f *countingFinder) DetectionKey() string { return "fake finder" }

// openWindow opens the main window as Run does, over the register in
// dataDir with finder, and waits until the batch kept there is back when
// one was kept.
func openWindow(t *testing.T, dataDir string, finder vision.FaceFinder, kept bool) *mainWindow {
	t.Helper()
	a := test.NewTempApp(t)
	store, err := consent.Open(context.Background(), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	faces := vet.NewFaces(func() (vision.FaceFinder, int, error) { return finder, 2, nil })
	w := newMainWindow(a, store, faces, "test", msg.Text{})
	waitForWindow(t, w)
	w.jobAnswers = &heldAnswers{}
	done := make(chan struct{}, 1)
	w.batchFinished = func() { done <- struct{}{} }
	w.restoreBatch()
	waitForJob(t, w) // the batch kept is processed once its job applies
	if kept {
		waitFor(t, done, "the batch from last time")
	}
	w.batchFinished = nil
	return w
}

// TestBatchRestoredAfterRestart: a batch with a channel, a unit, a
// photographer, a review and an export comes back as it was in a new
// window on the same data directory, without searching its photos for
// faces again; a photo changed meanwhile says so.
func TestBatchRestoredAfterRestart(t *testing.T) {
	dataDir := t.TempDir()
	openTestRegister(t, dataDir).Close()
	first := &countingFinder{}
	w := openWindow(t, dataDir, first, false)
	s := &testSetup{win: w, store: w.store, dir: t.TempDir()}
	w.applyPhotographer(nil, "Pia Photo", []string{"instagram", "website"})
	w.applyJob(consent.Job{Channel: "instagram", Unit: consent.UpperSecondary})
	waitForJob(t, w)
	ada := s.writePhoto(t, "ada and a stranger.png", widthTwoFaces)
	empty := s.writePhoto(t, "empty.png", widthNoFace)
	changed := s.writePhoto(t, "changed.png", widthNoFace)
	s.drop(t, ada, empty, changed)
	photo := func(w *mainWindow, path string) *vet.Photo {
		t.Helper()
		i := slices.IndexFunc(w.session.photos, func(p *vet.Photo) bool { return p.Path == path })
		if i < 0 {
			t.Fatalf("%s is not in the batch", path)
		}
		return w.session.photos[i]
	}
	if err := w.session.Reviewer().Apply(context.Background(), photo(w, ada), vet.ConfirmRecognised(), vet.HideUnknown()); err != nil {
		t.Fatal(err)
	}
	w.photoChanged(photo(w, ada))
	sum := exportAndWait(t, s, filepath.Join(t.TempDir(), "cleared"))
	if sum.exported != 1 {
		t.Fatalf("%d photos exported, want Ada's photo only", sum.exported)
	}
	exported := w.session.exported[photo(w, ada)]
	var order []string
	for _, p := range w.session.photos {
		order = append(order, p.Path)
	}
	w.Close()
	s.writePhoto(t, "changed.png", widthNoFace+1)

	again := &countingFinder{searchFails: true}
	w = openWindow(t, dataDir, again, true)
	if n := again.searches.Load(); n != 0 {
		t.Errorf("%d photos were searched for faces again after the restart, want none", n)
	}
	if job := w.session.Job.Job; job.Channel != "instagram" || job.Unit != consent.UpperSecondary {
		t.Errorf("the job came back as %s, %s; want instagram, upper secondary", job.Channel, job.Unit)
	}
	if name, channels := w.session.Job.Photographer, w.session.Job.PhotographerChannels; name != "Pia Photo" || !slices.Equal(channels, []string{"instagram", "website"}) {
		t.Errorf("the photographer came back as %q %v", name, channels)
	}
	var restored []string
	for _, p := range w.session.photos {
		restored = append(restored, p.Path)
	}
	if !slices.Equal(restored, order) {
		t.Fatalf("the photos came back as %v, want %v", restored, order)
	}
	a := photo(w, ada)
	if a.Status != vet.Cleared || a.Faces[1].Review != consent.ForceRedacted || w.session.exported[a] != exported || exported == "" {
		t.Errorf("Ada's photo came back %s, stranger %v, exported to %q; want cleared, hidden, exported to %q", a.Status, a.Faces[1].Review, w.session.exported[a], exported)
	}
	if p := photo(w, empty); p.Status != vet.NeedsReview || w.session.exported[p] != "" {
		t.Errorf("the empty photo came back %s, exported %q; want it to need review, not exported", p.Status, w.session.exported[p])
	}
	if p := photo(w, changed); p.Status != vet.Failed || !strings.Contains(p.Error.String(), "changed since it was added") {
		t.Errorf("the changed photo came back %s: %q; want it to say it changed", p.Status, p.Error.String())
	}
	grid := flatText(visibleTexts(w.Content()))
	for _, want := range []string{"Exported", "ada and a stranger.png", "changed.png"} {
		if !strings.Contains(grid, want) {
			t.Errorf("the window does not show %q:\n%s", want, grid)
		}
	}
}

// TestReaddNotSearchedAgain: a photo added again, after "New batch", is
// not searched for faces again.
func TestReaddNotSearchedAgain(t *testing.T) {
	finder := &countingFinder{}
	s := newTestSetup(t)
	s.win.session.Faces = vet.NewFaces(func() (vision.FaceFinder, int, error) { return finder, 2, nil })
	path := s.writePhoto(t, "ada and a stranger.png", widthTwoFaces)
	s.drop(t, path)
	s.win.newBatch()
	finder.searchFails = true
	s.drop(t, path)
	if n := finder.searches.Load(); n != 1 {
		t.Errorf("the photo was searched %d times, want once", n)
	}
	if p := s.win.session.photos; len(p) != 1 || p[0].Status == vet.Failed || len(p[0].Faces) != 2 || p[0].Faces[0].Decision.Recognised != "C1" {
		t.Errorf("added again: %+v, want Ada and the stranger", p)
	}
}

// requestClose does what the window manager's close button does: the
// window's close intercept when it has one, else it closes. The test
// window keeps the intercept in a field of its own.
func requestClose(w fyne.Window) {
	field := reflect.ValueOf(w).Elem().FieldByName("onCloseIntercepted")
	intercept := reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Interface().(func())
	if intercept == nil {
		w.Close()
		return
	}
	intercept()
}

// isOpen reports whether the app still has the window.
func isOpen(w fyne.Window) bool {
	return slices.Contains(fyne.CurrentApp().Driver().AllWindows(), w)
}

// TestCloseAsks: closing the window with cleared photos not exported asks
// first; "Keep working" keeps it open, "Close PhotoVet" closes it; with
// everything exported it closes at once.
func TestCloseAsks(t *testing.T) {
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	s.reviewAll(t)
	s.win.photoChanged(nil)
	requestClose(s.win.Window)
	top := s.win.Canvas().Overlays().Top()
	if top == nil || !isOpen(s.win.Window) {
		t.Fatal("closing with a cleared photo not exported did not ask")
	}
	if text := flatText(visibleTexts(top)); !strings.Contains(text, "1 cleared photo") || !strings.Contains(text, "Close PhotoVet?") {
		t.Errorf("the question says %q", text)
	}
	tapButton(t, top, "Keep working")
	if !isOpen(s.win.Window) {
		t.Fatal("\"Keep working\" closed the window")
	}
	requestClose(s.win.Window)
	tapButton(t, s.win.Canvas().Overlays().Top(), "Close PhotoVet")
	if isOpen(s.win.Window) {
		t.Error("\"Close PhotoVet\" left the window open")
	}

	s = newTestSetup(t)
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	s.reviewAll(t)
	exportAndWait(t, s, t.TempDir())
	requestClose(s.win.Window)
	if isOpen(s.win.Window) {
		t.Error("with every cleared photo exported the window did not close at once")
	}
}

// TestRestoredOrder: the photos of the batch kept from last time take
// their places again, and the photos added after them follow in the order
// they were added, whatever order the workers finish them in.
func TestRestoredOrder(t *testing.T) {
	s, err := newSession(nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	s.restore(vet.OpenBatch{Photos: []vet.OpenPhoto{{Path: "a.jpg"}, {Path: "b.jpg"}, {Path: "c.jpg"}}})
	s.newPaths([]string{"new1.jpg", "new2.jpg", "a.jpg"})
	for _, path := range []string{"c.jpg", "new2.jpg", "a.jpg", "new1.jpg", "b.jpg"} {
		s.add(&vet.Photo{Path: path}, nil, publication{})
	}
	var got []string
	for _, p := range s.photos {
		got = append(got, p.Path)
	}
	if want := []string{"a.jpg", "b.jpg", "c.jpg", "new1.jpg", "new2.jpg"}; !slices.Equal(got, want) {
		t.Errorf("the grid shows %v, want %v", got, want)
	}
}

// waitingFinder finds nothing until its photo's search is cancelled.
type waitingFinder struct{ countingFinder }

func (f *waitingFinder) Find(ctx context.Context, _ *vision.Photo) ([]vision.Face, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestCloseWhileProcessing: closing while photos are looked at asks
// first; closed anyway, the photo not processed yet is kept for the next
// start.
func TestCloseWhileProcessing(t *testing.T) {
	dataDir := t.TempDir()
	openTestRegister(t, dataDir).Close()
	w := openWindow(t, dataDir, &waitingFinder{}, false)
	s := &testSetup{win: w, dir: t.TempDir()}
	path := s.writePhoto(t, "ada and a stranger.png", widthTwoFaces)
	done := make(chan struct{})
	w.batchFinished = func() { close(done) }
	w.addURIs([]fyne.URI{storage.NewFileURI(path)})
	requestClose(w.Window)
	top := w.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(flatText(visibleTexts(top)), "Photos are still being looked at for faces.") {
		t.Fatal("closing while a photo was looked at did not ask")
	}
	tapButton(t, top, "Close PhotoVet")
	waitFor(t, done, "the stopped batch")
	if isOpen(w.Window) {
		t.Error("\"Close PhotoVet\" left the window open")
	}
	kept, err := vet.NewBatchFile(dataDir).Load()
	if err != nil || len(kept.Photos) != 1 || kept.Photos[0].Path != path {
		t.Errorf("kept for the next start: %+v (%v), want the photo not processed yet", kept, err)
	}
}
