package app

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// The fake finder tells what is on a generated photo by its width.
const (
	widthTwoFaces = 400 // Ada (enrolled, Instagram consent) left, a stranger right
	widthNoFace   = 300 // nobody
)

// testRoster has Ada with Instagram consent, Ben with website consent
// only, and Sam, staff with Instagram consent.
const testRoster = `id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until
C1,Ada Test,child,3B,school,2016-04-12,instagram|website,instagram|website,instagram,yes,2026-08-17,2027-07-31
C2,Ben Test,child,3B,school,2016-09-30,website,website,,yes,2026-08-17,2027-07-31
T1,Sam Staff,staff,,school,,,instagram,,yes,2026-08-17,2027-07-31
`

// adaDescriptor is Ada's enrolled reference; the stranger's is far away.
func adaDescriptor() vision.Descriptor {
	var d vision.Descriptor
	d[0] = 1
	return d
}

// fakeFinder finds faces by the photo's width (see widthTwoFaces).
type fakeFinder struct{}

func (fakeFinder) Find(_ context.Context, p *vision.Photo) ([]vision.Face, error) {
	if p.Width != widthTwoFaces {
		return nil, nil
	}
	var stranger vision.Descriptor
	stranger[5] = 1
	return []vision.Face{
		{Box: image.Rect(40, 60, 140, 180), Score: 1, Detector: vision.RetinaFace, Descriptor: adaDescriptor()},
		{Box: image.Rect(240, 60, 340, 180), Score: 1, Detector: vision.RetinaFace, Descriptor: stranger},
	}, nil
}

// testSetup is a main window over a fresh register with testRoster, Ada
// enrolled, and the fake finder.
type testSetup struct {
	app   fyne.App
	win   *mainWindow
	store *consent.Store
	dir   string // where the test photos are
}

func newTestSetup(t *testing.T) *testSetup {
	t.Helper()
	return newTestSetupOver(t, test.NewTempApp(t), openTestRegister(t, t.TempDir()))
}

// newTestSetupOver is newTestSetup over a register filled as
// openTestRegister fills it.
func newTestSetupOver(t *testing.T, a fyne.App, store *consent.Store) *testSetup {
	t.Helper()
	faces := vet.NewFaces(func() (vision.FaceFinder, int, error) { return fakeFinder{}, 2, nil })
	w := newMainWindow(a, store, faces, "test", msg.Text{})
	waitForWindow(t, w)
	w.jobAnswers = &heldAnswers{}
	w.session.Job.Photographer, w.session.Job.PhotographerChannels = "Pia Photo", []string{"instagram", "website"}
	// As choosing it does, without the drop-down: its Select still
	// refreshes after the choice, and the test driver hands the
	// register's answer over at once, from another goroutine.
	w.chooseChannel(slices.Index(w.channelIDs, "instagram"))
	waitForJob(t, w)
	return &testSetup{app: a, win: w, store: store, dir: t.TempDir()}
}

// openTestRegister opens a register in dir with testRoster, Ada
// enrolled, and Pia Photo's permission for Instagram and the website.
func openTestRegister(t *testing.T, dir string) *consent.Store {
	t.Helper()
	ctx := context.Background()
	store, err := consent.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fillTestRegister(t, store)
	return store
}

// fillTestRegister fills store with testRoster, Ada enrolled, and Pia
// Photo's permission for Instagram and the website.
func fillTestRegister(t *testing.T, store *consent.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := store.ImportRoster(ctx, strings.NewReader(testRoster), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	d := adaDescriptor()
	if err := store.SetDescriptors(ctx, "C1", [][]float32{d[:]}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetPhotographerPermission(ctx, "Pia Photo", []string{"instagram", "website"}, consent.Today()); err != nil {
		t.Fatal(err)
	}
}

// writePhoto writes a patterned PNG of the given width into the setup's
// photo folder.
func (s *testSetup) writePhoto(t *testing.T, name string, width int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, width, 240))
	for y := range 240 {
		for x := range width {
			v := uint8(0)
			if (x/6+y/6)%2 == 0 {
				v = 255
			}
			img.SetNRGBA(x, y, color.NRGBA{v, uint8(x), uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// reviewAll reviews every photo as a teacher who has looked at them: it
// confirms the faces recognised, hides the unknown ones and confirms the
// photos without a face.
func (s *testSetup) reviewAll(t *testing.T) {
	t.Helper()
	for _, p := range s.win.session.photos {
		edits := []vet.Edit{vet.ConfirmRecognised(), vet.HideUnknown()}
		if len(p.Faces) == 0 {
			edits = []vet.Edit{vet.ConfirmNoFace(true)}
		}
		if err := s.win.session.Reviewer().Apply(context.Background(), p, edits...); err != nil {
			t.Fatal(err)
		}
	}
}

// confirmRecognised confirms the faces the matcher recognised, as a
// teacher who checked each, and leaves the rest as they are.
func (s *testSetup) confirmRecognised(t *testing.T) {
	t.Helper()
	for _, p := range s.win.session.photos {
		if slices.ContainsFunc(p.Faces, vet.Face.ToConfirm) {
			if err := s.win.session.Reviewer().Apply(context.Background(), p, vet.ConfirmRecognised()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// drop drops paths on the window the way the drop callback does and
// waits until the batch is processed.
func (s *testSetup) drop(t *testing.T, paths ...string) {
	t.Helper()
	done := make(chan struct{})
	s.win.batchFinished = func() { close(done) }
	uris := make([]fyne.URI, len(paths))
	for i, p := range paths {
		uris[i] = storage.NewFileURI(p)
	}
	s.win.addURIs(uris)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the batch did not finish")
	}
	s.win.batchFinished = nil
}

// dropWithoutPhotographer drops paths on a window whose batch has no
// photographer yet, and checks that every photo is blocked for it (R5).
func (s *testSetup) dropWithoutPhotographer(t *testing.T, paths ...string) {
	t.Helper()
	s.win.session.Job.Photographer, s.win.session.Job.PhotographerChannels = "", nil
	s.drop(t, paths...)
	for _, p := range s.win.session.photos {
		if p.Status != vet.Blocked {
			t.Fatalf("%s is %s, want blocked: no photographer", p.Path, p.Status)
		}
	}
}

// waitFor waits for a value from ch, or fails the test after 30 seconds
// saying what it waited for.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// waitForLookups waits until the ledger answered the window's questions
// about where photos were published (lookUpPublished), for at most 30
// seconds.
func waitForLookups(t *testing.T, w *mainWindow) {
	t.Helper()
	done := make(chan struct{})
	go func() { w.lookups.Wait(); close(done) }()
	waitFor(t, done, "the ledger's answers about published photos")
}

// waitForJob waits until the register answered the window's last change
// of the batch's job and the photos are decided for it (applyJob), for at
// most 30 seconds.
func waitForJob(t *testing.T, w *mainWindow) {
	t.Helper()
	for {
		done := make(chan struct{})
		go func() { w.jobWork.Wait(); close(done) }()
		waitFor(t, done, "the batch's job to be applied")
		held, ok := w.jobAnswers.(*heldAnswers)
		if !ok || !held.run() { // a round's answer may ask another
			break
		}
	}
	if w.change != nil {
		t.Fatalf("the change to %s, %s is still under way after the register answered", w.change.job.Channel, w.change.job.Unit)
	}
}

// heldAnswers keeps the answers to job changes (mainWindow.jobAnswers)
// until the test waits for them (waitForJob), and then runs them on the
// test's goroutine, as Fyne's own goroutine runs them in the app.
type heldAnswers struct {
	mu   sync.Mutex
	held []func()
}

func (h *heldAnswers) Do(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = append(h.held, f)
}

// run runs the answers held, and reports whether there were any.
func (h *heldAnswers) run() bool {
	h.mu.Lock()
	held := h.held
	h.held = nil
	h.mu.Unlock()
	for _, f := range held {
		f()
	}
	return len(held) > 0
}

// waitForWindow waits until the register's answers a new or rebuilt
// window asked for (loadJob, registerView.refresh) are shown, for at most
// 30 seconds each.
func waitForWindow(t *testing.T, w *mainWindow) {
	t.Helper()
	waitForWork(t, w.register)
	waitForJob(t, w)
}
