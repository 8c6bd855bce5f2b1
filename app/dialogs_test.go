package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// tapText taps the innermost tappable object under o that shows text.
func tapText(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var target fyne.Tappable
	for _, c := range visibleObjects(o) {
		if tap, ok := c.(fyne.Tappable); ok && strings.Contains(visibleTexts(c), text) {
			target = tap
		}
	}
	if target == nil {
		t.Fatalf("nothing to tap shows %q in:\n%s", text, visibleTexts(o))
	}
	test.Tap(target)
}

// TestDialogsStartInLastFolder: each file dialog starts in the folder last
// used for its purpose (the nearest one left when it is gone); the dialog
// for chosen photos shows the photos, not other files, adds the photo
// chosen, remembers its folder and opens again for the next.
func TestDialogsStartInLastFolder(t *testing.T) {
	s := newTestSetup(t)
	root := t.TempDir()
	trip := filepath.Join(root, "school-trip")
	for _, name := range []string{"school-trip/pupils.jpg", "school-trip/iphone.HEIC", "school-trip/notes.txt", "for-instagram/x", "other/y"} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	forPhotos.remember(filepath.Join(root, "other"))
	forExport.remember(filepath.Join(root, "for-instagram"))
	forPortraits.remember(filepath.Join(trip, "gone", "deeper"))
	top := func() string { return flatText(visibleTexts(s.win.Canvas().Overlays().Top())) }
	for _, tt := range []struct {
		open      func()
		want, not string
	}{
		{s.win.chooseExportFolder, "for-instagram", "school-trip"},
		{s.win.register.choosePortraits, "school-trip", "gone"},
	} {
		tt.open()
		if text := top(); !strings.Contains(text, tt.want) || strings.Contains(text, tt.not) {
			t.Errorf("a folder dialog opens showing %q, want it in %s", text, tt.want)
		}
		s.win.Canvas().Overlays().Remove(s.win.Canvas().Overlays().Top())
	}

	s.win.choosePhotoFiles()
	if text := top(); !strings.Contains(text, "other") || strings.Contains(text, "school-trip") {
		t.Fatalf("the photos dialog opens showing %q, want it in the folder last used", text)
	}
	forPhotos.remember(trip) // as if the teacher had gone there last time
	s.win.Canvas().Overlays().Remove(s.win.Canvas().Overlays().Top())
	s.win.choosePhotoFiles()
	text := top()
	for _, want := range []string{"school-trip", "pupils", "iphone"} {
		if !strings.Contains(text, want) {
			t.Errorf("the photos dialog does not show %q: %s", want, text)
		}
	}
	if strings.Contains(text, "notes") {
		t.Errorf("the photos dialog shows a file that is no photo: %s", text)
	}
	done := make(chan struct{})
	s.win.batchFinished = func() { close(done) }
	tapText(t, s.win.Canvas().Overlays().Top(), "pupils")
	tapButton(t, s.win.Canvas().Overlays().Top(), "Add this photo")
	waitFor(t, done, "the chosen photo")
	if p := s.win.session.photos; len(p) != 1 || p[0].Path != filepath.Join(trip, "pupils.jpg") {
		t.Errorf("the batch holds %v, want the chosen photo", p)
	}
	if text := top(); !strings.Contains(text, "1 photo") || !strings.Contains(text, "school-trip") {
		t.Errorf("after a photo was chosen the dialog shows %q, want it open again in its folder, counting it", text)
	}
}
