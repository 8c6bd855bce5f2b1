package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// laptopWidth is the narrowest screen a school laptop has, in Fyne's
// device-independent pixels; laptopHeight is what a 768 px screen leaves
// a window under its title bar and above the taskbar.
const (
	laptopWidth  = 1280
	laptopHeight = 680
)

// TestWindowFitsALaptop opens every tab of the main window, and every tab
// of the register, in each language and checks the size each needs and
// the size the window opens at: a window wider than the screen puts
// Export and the review's buttons off its edge (the Dutch settings once
// needed 1,884 px); one taller hides the status bar (it opened 800 px
// tall).
func TestWindowFitsALaptop(t *testing.T) {
	inEachLanguage(t, func(code string, w *mainWindow) {
		if size := w.Canvas().Size(); size.Width > laptopWidth || size.Height > laptopHeight {
			t.Errorf("%s: the window opens at %.0fx%.0f, larger than %dx%d", code, size.Width, size.Height, laptopWidth, laptopHeight)
		}
		check := func(view string) {
			size := w.Content().MinSize()
			t.Logf("%s, %s: %.0fx%.0f px", code, view, size.Width, size.Height)
			if size.Width > laptopWidth || size.Height > laptopHeight {
				t.Errorf("%s, %s: the window needs %.0fx%.0f px, more than a %dx%d laptop gives it", code, view, size.Width, size.Height, laptopWidth, laptopHeight)
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
	})
}

// TestSettingsShowWholeOptions: the channel and unit drop-downs are wide
// enough for every option in each language (in Finnish the unit read
// "Varhaiskas…": Fyne's Select is only as wide as its placeholder).
func TestSettingsShowWholeOptions(t *testing.T) {
	inEachLanguage(t, func(code string, w *mainWindow) {
		for _, sel := range []*settingSelect{w.channel, w.unit} {
			textSize := sel.Theme().Size(theme.SizeNameText)
			empty := newSettingSelect(nil, nil, nil)
			chrome := empty.MinSize().Width - fyne.MeasureText(empty.PlaceHolder, textSize, fyne.TextStyle{}).Width
			for _, o := range sel.Options {
				text := fyne.MeasureText(o, textSize, fyne.TextStyle{}).Width
				if room := sel.MinSize().Width - chrome; room < text {
					t.Errorf("%s: %q needs %.0f px, the drop-down leaves it %.0f", code, o, text, room)
				}
			}
		}
	})
}

// inEachLanguage calls check with a new main window in each language
// PhotoVet speaks, and sets the language back afterwards.
func inEachLanguage(t *testing.T, check func(code string, w *mainWindow)) {
	t.Helper()
	t.Cleanup(func() {
		if err := setUpLanguage(""); err != nil {
			t.Error(err)
		}
	})
	for _, code := range languageFiles() {
		if err := setUpLanguage(code); err != nil {
			t.Fatal(err)
		}
		check(code, newTestSetup(t).win)
	}
}
