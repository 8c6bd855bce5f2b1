package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
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
		wantStatus string
		wantHint   string
	}{
		{"folder and file", []string{"trip", "c.png"}, "3 photos found, 1 other files skipped.", "3 photos added"},
		{"nothing usable", []string{"trip/list.txt"}, "0 photos found, 1 other files skipped.", "Drag photos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			w := NewMainWindow(a, "test", "")
			var uris []fyne.URI
			for _, name := range tt.dropped {
				uris = append(uris, storage.NewFileURI(filepath.Join(dir, name)))
			}
			w.AddURIs(uris)
			if got := w.status.Text; got != tt.wantStatus {
				t.Errorf("status = %q, want %q", got, tt.wantStatus)
			}
			if got := w.drop.hint.Text; !strings.HasPrefix(got, tt.wantHint) {
				t.Errorf("drop zone says %q, want it to start with %q", got, tt.wantHint)
			}
		})
	}
}

func TestMainWindowModelProblem(t *testing.T) {
	a := test.NewTempApp(t)
	if w := NewMainWindow(a, "test", ""); w.warning != nil {
		t.Errorf("a warning is shown although the models verify: %q", w.warning.Text)
	}
	problem := "PhotoVet cannot recognise faces yet: the face model x is missing."
	w := NewMainWindow(a, "test", problem)
	if w.warning == nil || w.warning.Text != problem || !w.warning.Visible() {
		t.Error("the model problem is not shown in the window")
	}
}
