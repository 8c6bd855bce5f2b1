package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
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
	inEachLanguage(t, func(code string) {
		w := newTestSetup(t).win
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
			waitForWork(t, w.register)
			waitForJob(t, w)
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
	inEachLanguage(t, func(code string) {
		w := newTestSetup(t).win
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

// inEachLanguage calls check in each language PhotoVet speaks, and sets
// the language back afterwards.
func inEachLanguage(t *testing.T, check func(code string)) {
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
		check(code)
	}
}

// openRegister opens a window on the register's list of people, with the
// template roster imported.
func openRegister(t *testing.T) (*mainWindow, *registerView) {
	t.Helper()
	w := newTestSetup(t).win
	v := w.register
	importTemplate(t, v)
	closeDialogs(w)
	w.tabs.SelectIndex(1)
	waitForWork(t, w.register)
	waitForJob(t, w)
	v.tabs.SelectIndex(0)
	return w, v
}

// TestRegisterTableFitsTheWindow: in each language, at the size the
// window opens at, every column of the register's table shows with its
// heading whole, inside the table: the Dutch and Finnish tables ran off
// the window's right edge, and the face recognition column was cut in
// every language.
func TestRegisterTableFitsTheWindow(t *testing.T) {
	inEachLanguage(t, func(code string) {
		w, v := openRegister(t)
		opening := w.Canvas().Size()
		w.Resize(opening)
		if min := w.Content().MinSize(); min.Width > opening.Width {
			t.Errorf("%s: the register needs %.0f px, wider than the window opens (%.0f)", code, min.Width, opening.Width)
		}
		d := fyne.CurrentApp().Driver()
		right := d.AbsolutePositionForObject(v.table).X + v.table.Size().Width
		headings := map[string]bool{}
		for _, o := range visibleObjects(v.table) {
			l, ok := o.(*widget.Label)
			if !ok {
				continue
			}
			for _, c := range v.columns {
				if l.Text != c.title || headings[c.title] {
					continue
				}
				headings[c.title] = true
				end := d.AbsolutePositionForObject(l).X + l.Size().Width
				if end > right+0.5 || l.Size().Width < l.MinSize().Width-0.5 {
					t.Errorf("%s: the heading %q ends at %.0f px in %.0f px (table ends at %.0f), needing %.0f", code, c.title, end, l.Size().Width, right, l.MinSize().Width)
				}
			}
		}
		for _, c := range v.columns {
			if !headings[c.title] {
				t.Errorf("%s: the column %q is not on screen", code, c.title)
			}
		}
	})
}

// TestRegisterTableHeight: in each language, on a school laptop's
// 1366x768 screen, with a person selected, the register's table gets at
// least half the window's height and shows at least eight rows: it got
// about a third (six rows) under rows of their own for the actions, the
// counts and the search, and six lines of details. Every control of the
// tab stays inside the window.
func TestRegisterTableHeight(t *testing.T) {
	inEachLanguage(t, func(code string) {
		w, v := openRegister(t)
		v.selectPerson("S-1001")
		waitForWork(t, v)
		screen := fyne.NewSize(1366, 768)
		w.Resize(screen)
		if min := w.Content().MinSize(); min.Width > screen.Width || min.Height > screen.Height {
			t.Errorf("%s: the register needs %.0fx%.0f px, more than the screen's %.0fx%.0f", code, min.Width, min.Height, screen.Width, screen.Height)
		}
		height := v.table.Size().Height
		// A row is a cell and the divider under it, below the headings.
		rows := (height - v.table.CreateHeader().MinSize().Height) / (v.table.CreateCell().MinSize().Height + theme.Padding())
		if height < screen.Height/2 || rows < 8 {
			t.Errorf("%s: at %.0fx%.0f the table is %.0f px high (about %.0f rows), want at least half the window and eight rows", code, screen.Width, screen.Height, height, rows)
		}
		d := fyne.CurrentApp().Driver()
		for _, o := range []fyne.CanvasObject{v.search, v.importButton, v.withdrawBtn, v.removeButton, v.summary, v.details} {
			pos := d.AbsolutePositionForObject(o)
			if pos.X+o.Size().Width > screen.Width+0.5 || pos.Y+o.Size().Height > screen.Height+0.5 || o.Size().Height < 1 {
				t.Errorf("%s: %T at %v, %v, is not inside the window", code, o, pos, o.Size())
			}
		}
	})
}

// TestPeopleFitTheWindow: in each language, People in this batch, on a
// group to confirm and on one with suggestions, needs no more width than
// the photos it opens from, nor than the window opens at: in Dutch, its
// buttons in one row made the window 1,222 px wide.
func TestPeopleFitTheWindow(t *testing.T) {
	inEachLanguage(t, func(code string) {
		s := newPeopleSetup(t)
		w := s.win
		w.Resize(fyne.NewSize(windowWidth, windowHeight))
		photos := w.tabs.Items[0].Content.MinSize().Width
		v := openPeople(t, s)
		for _, group := range []int{0, 2} { // Ada's to confirm; the lookalike's, who looks like Ada
			v.list.Select(group)
			if width := w.tabs.Items[0].Content.MinSize().Width; width > photos || width > windowWidth {
				t.Errorf("%s, group %d: People in this batch needs %.0f px; the photos %.0f, the window opens at %d", code, group, width, photos, windowWidth)
			}
		}
	})
}
