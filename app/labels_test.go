package app

import (
	"slices"
	"testing"

	"github.com/photovet/photovet/vet"
)

// TestOneUnitList: the batch's unit drop-down and the settings' default
// unit offer the unit types in the same order and the same words, in
// every language.
func TestOneUnitList(t *testing.T) {
	s := newTestSetup(t)
	t.Cleanup(func() { setUpLanguage("en") })
	for _, code := range languageFiles() {
		if err := setUpLanguage(code); err != nil {
			t.Fatal(err)
		}
		s.win.rebuild()
		waitForWindow(t, s.win)
		batch, settings := s.win.unit.Options, s.win.register.settings.unit.Options
		if len(batch) != len(units()) || !slices.Equal(batch, settings) {
			t.Errorf("%s: the batch offers the units %q, the settings %q", code, batch, settings)
		}
		if len(slices.Compact(slices.Clone(batch))) != len(batch) {
			t.Errorf("%s: two units have the same words: %q", code, batch)
		}
	}
}

// TestCountsInPluralForms: a count of one and a count of two take their
// own words in each language ("1 photo found", "2 photos found").
func TestCountsInPluralForms(t *testing.T) {
	s := newTestSetup(t)
	t.Cleanup(func() { setUpLanguage("en") })
	for _, c := range []struct{ lang, one, two string }{
		{"en", "1 photo found.", "2 photos found."},
		{"nl", "1 foto gevonden.", "2 foto's gevonden."},
		{"fi", "1 kuva löytyi.", "2 kuvaa löytyi."},
	} {
		if err := setUpLanguage(c.lang); err != nil {
			t.Fatal(err)
		}
		for _, want := range []struct {
			photos []string
			text   string
		}{{[]string{"a.jpg"}, c.one}, {[]string{"a.jpg", "b.jpg"}, c.two}} {
			s.win.showCollection(vet.Collection{Photos: want.photos})
			if got := s.win.status.Text; got != want.text {
				t.Errorf("%s, %d photos: the status says %q, want %q", c.lang, len(want.photos), got, want.text)
			}
		}
	}
}
