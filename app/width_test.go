package app

import (
	"testing"
)

// laptopWidth is the narrowest screen a school laptop has, in Fyne's
// device-independent pixels.
const laptopWidth = 1280

// TestWindowFitsALaptop opens every tab of the main window, and every tab
// of the register, in each language and checks the width each needs: a
// window wider than the screen puts Export and the review's buttons off
// its edge (the Dutch settings once needed 1,884 px).
func TestWindowFitsALaptop(t *testing.T) {
	t.Cleanup(func() {
		if err := setUpLanguage(""); err != nil {
			t.Error(err)
		}
	})
	for _, code := range []string{"en", "nl", "fi"} {
		if err := setUpLanguage(code); err != nil {
			t.Fatal(err)
		}
		w := newTestSetup(t).win
		check := func(view string) {
			width := w.Content().MinSize().Width
			t.Logf("%s, %s: %.0f px", code, view, width)
			if width > laptopWidth {
				t.Errorf("%s, %s: the window needs %.0f px, wider than a %d px laptop", code, view, width, laptopWidth)
			}
		}
		for i, tab := range w.tabs.Items {
			w.tabs.SelectIndex(i)
			check(tab.Text)
		}
		for i, tab := range w.register.tabs.Items {
			w.register.tabs.SelectIndex(i)
			check(w.tabs.Items[1].Text + " / " + tab.Text)
		}
	}
}
