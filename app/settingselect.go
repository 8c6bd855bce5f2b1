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
}

// newSettingSelect returns a setting drop-down that calls chosen with the
// index of the option the teacher picks, and hands the keys it does not
// use to keys.
func newSettingSelect(chosen func(index int), keys func(*fyne.KeyEvent)) *settingSelect {
	s := &settingSelect{shown: -1, keys: keys}
	s.OnChanged = func(string) {
		picked := s.SelectedIndex()
		s.show(s.shown)
		if c := fyne.CurrentApp().Driver().CanvasForObject(s); c != nil && c.Focused() == s {
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

// TypedKey opens the list on Space, up and down, like a widget.Select,
// and hands every other key to the window's shortcuts: closed, the
// drop-down never changes its value.
func (s *settingSelect) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeySpace, fyne.KeyUp, fyne.KeyDown:
		s.Select.TypedKey(e)
	default:
		if s.keys != nil {
			s.keys(e)
		}
	}
}
