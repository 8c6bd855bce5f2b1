package app

import (
	"slices"
	"testing"
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
		batch, settings := s.win.unit.Options, s.win.register.settings.unit.Options
		if len(batch) != len(units()) || !slices.Equal(batch, settings) {
			t.Errorf("%s: the batch offers the units %q, the settings %q", code, batch, settings)
		}
		if len(slices.Compact(slices.Clone(batch))) != len(batch) {
			t.Errorf("%s: two units have the same words: %q", code, batch)
		}
	}
}
