package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
)

// TestPhotographerBarCountsOnlyVettedPhotos shows the photographer bar for
// batches whose photos all failed: none of them says anything about the
// photographer's permission, so the bar does not say that every photo
// has it, but what it says before any photo is added.
func TestPhotographerBarCountsOnlyVettedPhotos(t *testing.T) {
	test.NewTempApp(t)
	failed := func() *vet.Photo {
		return &vet.Photo{Path: "/photos/trip/beach.jpg", Error: msg.New("{{.File}}: the file is damaged or truncated", "File", "/photos/trip/beach.jpg")}
	}
	permitted := &vet.Photo{Path: "/photos/trip/forest.jpg", Photographer: "Pia Photo", PhotographerChannels: []string{"website"}}
	job := consent.Job{Channel: "website"}
	for _, c := range []struct {
		name    string
		set     string // the batch's photographer, "" when none
		photos  []*vet.Photo
		want    string
		mustNot string
	}{
		{"every photo failed, no photographer", "", []*vet.Photo{failed(), failed()},
			"Photographer: not set yet.", "for every photo"},
		{"every photo failed, a photographer", "Pia Photo", []*vet.Photo{failed()},
			"Photographer: Pia Photo, who permits", "for every photo"},
		{"a vetted photo with permission", "", []*vet.Photo{failed(), permitted},
			"Permission for Website: yes, for every photo.", "not set yet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newPhotographerBar(func([]*vet.Photo) {})
			b.show(c.photos, vet.Job{Job: job, Photographer: c.set, PhotographerChannels: []string{"website"}})
			got := b.label.Text
			if !strings.Contains(got, c.want) || strings.Contains(got, c.mustNot) {
				t.Errorf("the bar says %q, want %q and not %q", got, c.want, c.mustNot)
			}
		})
	}
}

// TestPhotographerDialogTakesTyping: the photographer dialog opens with
// its name field focused, so typing goes there, and Enter applies it (a
// walkthrough typed into nothing).
func TestPhotographerDialogTakesTyping(t *testing.T) {
	s := newTestSetup(t)
	w := s.win
	w.session.Job.Photographer = ""
	w.editPhotographer(nil)
	name, ok := w.Canvas().Focused().(*widget.Entry)
	if !ok {
		t.Fatalf("the photographer dialog focuses %T, want its name field", w.Canvas().Focused())
	}
	test.Type(name, "Jan Smit")
	name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog is still open after Enter")
	}
	if got := w.session.Job.Photographer; got != "Jan Smit" {
		t.Errorf("the batch's photographer is %q after Enter, want Jan Smit", got)
	}
}
