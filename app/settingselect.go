package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settingSelect is the drop-down of a batch setting: where the photos are
// published, or the unit type. It decides who is hidden, so it changes
// only through its opened list.
//
// A widget.Select keeps the keyboard focus after a click and steps through
// its options on the left and right arrows while closed: one arrow press
// meant for the photos turned "Early childhood" into "Upper secondary".
// Giving the focus back after a choice is not enough on its own: the focus
// also stays when the list is closed without a choice, and Tab brings it
// back. So settingSelect does both: while closed it hands every key but
// those that open the list (Space, up, down) to the window's shortcuts,
// wherever the focus came from, and after a choice it gives the focus
// back, so that nothing shows it as active.
//
// It shows the setting that applies, never a mere choice: a choice goes to
// chosen, and the value shown changes only through show, once the window
// has applied it (after asking, while photos are in the batch).
type settingSelect struct {
	widget.Select
	shown int
	keys  func(*fyne.KeyEvent)
	// canvas is the window's. Fyne 2.7.1 can lose track of the canvas a
	// widget is on, and its Select then opens its list on none and
	// panics (fyne-io/fyne#5965, fixed after 2.7.1): a teacher's click
	// on "Publish on" closed the app. The list then opens on canvas.
	// knownCanvas is the canvas Fyne knows the drop-down to be on (the
	// driver's CanvasForObject), nil when it lost track.
	canvas      fyne.Canvas
	knownCanvas func(fyne.CanvasObject) fyne.Canvas
}

// newSettingSelect returns a setting drop-down on canvas that calls
// chosen with the index of the option the teacher picks, and hands the
// keys it does not use to keys.
func newSettingSelect(canvas fyne.Canvas, chosen func(index int), keys func(*fyne.KeyEvent)) *settingSelect {
	s := &settingSelect{shown: -1, keys: keys, canvas: canvas, knownCanvas: fyne.CurrentApp().Driver().CanvasForObject}
	s.OnChanged = func(string) {
		picked := s.SelectedIndex()
		s.show(s.shown)
		if c := s.knownCanvas(s); c != nil && c.Focused() == s {
			c.Unfocus() // before chosen, which may open a dialog with a focus of its own
		}
		if picked >= 0 && picked != s.shown {
			chosen(picked)
		}
	}
	s.ExtendBaseWidget(s)
	return s
}

// setOptions replaces the options; the one shown is then given by show.
func (s *settingSelect) setOptions(options []string) {
	s.Options = options
	s.show(s.shown)
}

// show displays option i (none for an index out of range) without calling
// chosen.
func (s *settingSelect) show(i int) {
	s.shown = i
	s.Selected = ""
	if i >= 0 && i < len(s.Options) {
		s.Selected = s.Options[i]
	} else {
		s.shown = -1
	}
	s.Refresh()
}

// MinSize is wide enough for the longest option: Fyne's Select is only as
// wide as its placeholder, and in Finnish the unit read "Varhaiskas…".
func (s *settingSelect) MinSize() fyne.Size {
	size := s.Select.MinSize()
	textSize := s.Theme().Size(theme.SizeNameText)
	widest := float32(0)
	for _, o := range s.Options {
		widest = max(widest, fyne.MeasureText(o, textSize, fyne.TextStyle{}).Width)
	}
	size.Width += max(0, widest-fyne.MeasureText(s.PlaceHolder, textSize, fyne.TextStyle{}).Width)
	return size
}

// Tapped opens the list, on the window's canvas when Fyne has lost track
// of the drop-down's (see canvas).
func (s *settingSelect) Tapped(e *fyne.PointEvent) {
	if s.Disabled() || s.canvas == nil || s.knownCanvas(s) != nil {
		s.Select.Tapped(e)
		return
	}
	items := make([]*fyne.MenuItem, len(s.Options))
	for i, o := range s.Options {
		items[i] = fyne.NewMenuItem(o, func() { s.SetSelected(o) })
	}
	list := widget.NewPopUpMenu(fyne.NewMenu("", items...), s.canvas)
	list.ShowAtPosition(e.AbsolutePosition.Subtract(e.Position).AddXY(0, s.Size().Height))
	list.Resize(fyne.NewSize(s.Size().Width, list.MinSize().Height))
}

// TypedKey opens the list on Space, up and down, like a widget.Select,
// and hands every other key to the window's shortcuts: closed, the
// drop-down never changes its value. While Fyne has lost track of the
// drop-down's canvas the keys do nothing (see canvas): the list would
// open on none.
func (s *settingSelect) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeySpace, fyne.KeyUp, fyne.KeyDown:
		if s.knownCanvas(s) != nil {
			s.Select.TypedKey(e)
		}
	default:
		if s.keys != nil {
			s.keys(e)
		}
	}
}
