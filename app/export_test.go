package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// exportAndWait exports the batch to dir and returns the summary.
func exportAndWait(t *testing.T, s *testSetup, dir string) exportSummary {
	t.Helper()
	done := make(chan exportSummary, 1)
	s.win.exportFinished = func(sum exportSummary) { done <- sum }
	s.win.export(dir, "Tess Teacher")
	select {
	case sum := <-done:
		return sum
	case <-time.After(30 * time.Second):
		t.Fatal("the export did not finish")
		return exportSummary{}
	}
}

// TestPhotographerAndExport: without the photographer's permission nothing
// is exported; once set, the cleared photos are written clean, named
// neutrally, recorded, and not exported twice.
func TestPhotographerAndExport(t *testing.T) {
	ctx := context.Background()
	s := newTestSetup(t)
	s.dropWithoutPhotographer(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces), s.writePhoto(t, "empty.png", widthNoFace))
	// The whole batch gets a photographer who permits the website only.
	s.win.applyPhotographer(nil, "Pia Photo", []string{"website"})
	for _, p := range s.win.session.photos {
		if p.Status != vet.Blocked {
			t.Errorf("%s: %s, want blocked: no Instagram permission", p.Path, p.Status)
		}
	}
	s.win.applyPhotographer(nil, "Pia Photo", []string{"instagram", "website"})
	if got, err := s.store.PhotographerChannels(ctx, "Pia Photo"); err != nil || !slices.Equal(got, []string{"instagram", "website"}) {
		t.Errorf("recorded permission %v (%v)", got, err)
	}
	// Review: hide the stranger; confirm the empty photo.
	s.reviewAll(t)
	for _, p := range s.win.session.photos {
		if p.Status != vet.Cleared {
			t.Fatalf("%s: %s %v, want cleared", p.Path, p.Status, p.Reasons)
		}
	}
	out := filepath.Join(t.TempDir(), "cleared")
	sum := exportAndWait(t, s, out)
	if sum.exported != 2 || len(sum.notDone) != 0 || len(sum.failed) != 0 {
		t.Fatalf("summary %+v, want both exported", sum)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	today := s.win.session.Job.Job.Date.String()
	for i, e := range entries {
		want := today + "_instagram_00" + string(rune('1'+i)) + ".jpg"
		if e.Name() != want {
			t.Errorf("exported %s, want %s", e.Name(), want)
		}
		if p, err := vision.Load(filepath.Join(out, e.Name())); err != nil || p.Metadata.EXIF || p.Metadata.XMP {
			t.Errorf("%s: %v, metadata %+v", e.Name(), err, p.Metadata)
		}
	}
	pubs, err := s.store.Publications(ctx)
	if err != nil || len(pubs) != 2 || pubs[0].VettedBy != "Tess Teacher" {
		t.Errorf("ledger %+v (%v), want two publications vetted by Tess", pubs, err)
	}
	// A second export writes nothing again.
	if again := exportAndWait(t, s, out); again.exported != 0 {
		t.Errorf("second export wrote %d photos again", again.exported)
	}
	// Nor does one after a restart, which forgot what it exported: the
	// ledger knows, and the summary says where each photo went.
	s.win.session.exported = map[*vet.Photo]string{}
	again := exportAndWait(t, s, filepath.Join(t.TempDir(), "other"))
	if again.exported != 0 || len(again.notDone) != 2 || !strings.Contains(again.notDone[0], "already published as "+filepath.Join(out, today+"_instagram_00")) {
		t.Errorf("export after a restart: %+v, want both photos left out as already published", again)
	}
}

// TestSummariseNamesEveryFailedPhoto summarises an export during which
// the shared register was lost: each failed line names its photo, once,
// whether the message names the file (a changed photo) or not (the
// register cannot be reached, wrapped as vet wraps it).
func TestSummariseNamesEveryFailedPhoto(t *testing.T) {
	lost := &consent.UnreachableError{Register: "postgres://staff@server/photovet", Since: time.Now(), Cause: errors.New("connection refused")}
	changed := &msg.Error{Text: msg.New("{{.File}} changed since it was vetted: add it again to vet it again", "File", "/photos/trip/changed.jpg")}
	outcomes := []vet.Outcome{
		{Photo: &vet.Photo{Path: "/photos/trip/beach.jpg"}, Err: fmt.Errorf("export beach: %w", lost)},
		{Photo: &vet.Photo{Path: "/photos/trip/forest.jpg"}, Err: lost},
		{Photo: &vet.Photo{Path: "/photos/trip/changed.jpg"}, Err: changed},
	}
	sum := summarise("/exports", outcomes)
	if len(sum.failed) != len(outcomes) {
		t.Fatalf("failed lines %q, want one per photo (%d)", sum.failed, len(outcomes))
	}
	for i, name := range []string{"beach.jpg", "forest.jpg", "changed.jpg"} {
		if got := sum.failed[i]; strings.Count(got, name) != 1 {
			t.Errorf("failed line %q names %s %d times, want once", got, name, strings.Count(got, name))
		}
	}
	if got, want := sum.failed[0], "beach.jpg: the shared register postgres://staff@server/photovet cannot be reached"; !strings.HasPrefix(got, want) {
		t.Errorf("failed line %q, want it to begin %q", got, want)
	}
}

// TestExportOnlyWhatWaits: once every cleared photo is exported, Export
// says so instead of exporting nothing; in a new batch, a photo published
// before is badged exported as it is added and not counted as waiting (the
// close prompt once named photos that could never be exported again).
// Exported means published on the batch's channel: after a change of
// channel the ledger says which photos are.
func TestExportOnlyWhatWaits(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	trip := exportTrip(t, s)
	if got := w.photos.hint.Text; !strings.HasPrefix(got, "Every cleared photo is exported.") {
		t.Errorf("after the export the hint says %q", got)
	}
	w.confirmExport(t.TempDir())
	texts := visibleTexts(w.Canvas().Overlays().Top())
	if !strings.Contains(texts, "Every cleared photo of this batch has been exported.") || strings.Contains(texts, "will be saved") {
		t.Errorf("Export with everything exported says:\n%s", texts)
	}
	closeDialogs(w)

	// Added again in a new batch, the trip photo is known as published.
	// The new batch's photographer is named again (R5).
	w.newBatch()
	w.applyPhotographer(nil, "Pia Photo", []string{"instagram", "website"})
	s.drop(t, trip, s.writePhoto(t, "empty.png", widthNoFace))
	s.reviewAll(t)
	published := func(when string, want ...bool) {
		t.Helper()
		for i, p := range w.session.photos {
			if got := w.session.exported[p] != ""; got != want[i] {
				t.Errorf("%s: %s badged exported %v, want %v", when, baseName(p.Path), got, want[i])
			}
		}
	}
	published("added again", true, false)
	if n := w.session.unexported(); n != 1 {
		t.Fatalf("%d photos waiting for export, want the empty one", n)
	}
	if sum := exportAndWait(t, s, t.TempDir()); sum.exported != 1 || len(sum.notDone) != 0 {
		t.Errorf("export of the new batch: %d exported, not done %v; want the empty photo alone", sum.exported, sum.notDone)
	}
	if n := w.session.unexported(); n != 0 {
		t.Errorf("%d photos still waiting for export, want none", n)
	}

	// Published on Instagram, the photos still wait for the website (Export
	// said "every cleared photo has been exported" there), and are
	// published again when the channel comes back.
	chooseWithPointer(t, w.Canvas(), w.channel, "Website")
	answerDialog(t, w.Canvas(), "Change and check again")
	waitForJob(t, w)
	waitForLookups(t, w)
	published("on the website", false, false)
	chooseWithPointer(t, w.Canvas(), w.channel, "Instagram")
	answerDialog(t, w.Canvas(), "Change and check again")
	waitForJob(t, w)
	waitForLookups(t, w)
	published("back on Instagram", true, true)
}

// failingOpen is the app whose OpenURL fails, as on a desktop without a
// file manager.
type failingOpen struct{ fyne.App }

func (failingOpen) OpenURL(*url.URL) error { return errors.New("no file manager") }

// TestOpenFolderFails: when "Open folder" cannot open the export folder,
// a dialog about opening the folder says so and where it is (the error
// came titled "Export finished", as if it were the export's result).
func TestOpenFolderFails(t *testing.T) {
	s := newTestSetup(t)
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	s.reviewAll(t)
	out := filepath.Join(t.TempDir(), "cleared")
	if sum := exportAndWait(t, s, out); sum.exported != 1 {
		t.Fatalf("summary %+v, want the photo exported", sum)
	}
	c := s.win.Canvas()
	finished := c.Overlays().Top()
	if texts := visibleTexts(finished); !strings.Contains(texts, "Export finished") {
		t.Fatalf("after the export the window shows %q", texts)
	}
	fyne.SetCurrentApp(failingOpen{s.app})
	t.Cleanup(func() { fyne.SetCurrentApp(s.app) })
	tapButton(t, finished, "Open folder")
	top := c.Overlays().Top()
	if top == nil || top == finished {
		t.Fatal("no dialog says that the folder could not be opened")
	}
	texts := visibleTexts(top)
	if !strings.Contains(texts, "The folder could not be opened") || strings.Contains(texts, "Export finished") ||
		!strings.Contains(flatText(texts), "Open "+out+" in your file manager") {
		t.Errorf("when the folder cannot be opened the dialog says %q; want it titled about opening the folder, naming %s", texts, out)
	}
}

// exportTrip drops a photo of Ada and a stranger into the setup's batch,
// reviews it and exports it, and returns its path.
func exportTrip(t *testing.T, s *testSetup) string {
	t.Helper()
	trip := s.writePhoto(t, "ada and a stranger.png", widthTwoFaces)
	s.drop(t, trip)
	s.reviewAll(t)
	if sum := exportAndWait(t, s, t.TempDir()); sum.exported != 1 {
		t.Fatalf("%d exported, want the trip photo", sum.exported)
	}
	return trip
}
