package app

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
)

// registerSettings is the register's settings form: the data folder (shown,
// not changed here), the own-consent age, the recognition strictness (the
// match threshold), the redaction
// style, the default unit type and the channels. Save checks the values
// with consent.Settings.Validate before storing them.
type registerSettings struct {
	widget.BaseWidget
	v *registerView

	current    consent.Settings // as loaded; fields the form does not show are kept
	dataDir    *widget.Label
	age        *widget.Entry
	strictness *widget.Select // the match threshold, as strictnessLevels name it
	style      *widget.RadioGroup
	unit       *widget.Select
	channels   *widget.Entry
	language   *widget.Select // this computer's language, applied at once
	register   *widget.Entry  // this computer's shared register, used from the next start
	test       *widget.Button
	status     *widget.Label
	save       *widget.Button
}

// redactionStyles are the redaction styles, in the order the form shows
// them.
func redactionStyles() []string { return []string{"blur", "solid"} }

func newRegisterSettings(v *registerView) *registerSettings {
	s := &registerSettings{v: v}
	s.dataDir = widget.NewLabel("")
	s.dataDir.Wrapping = fyne.TextWrapBreak
	s.age = widget.NewEntry()
	s.strictness = widget.NewSelect(nil, nil)
	var styles []string
	for _, st := range redactionStyles() {
		styles = append(styles, styleName(st))
	}
	s.style = widget.NewRadioGroup(styles, nil)
	s.style.Horizontal = false
	s.style.Required = true
	var unitOptions []string
	for _, u := range units() {
		unitOptions = append(unitOptions, unitLabel(u))
	}
	s.unit = widget.NewSelect(unitOptions, nil)
	s.channels = widget.NewEntry()
	s.language = widget.NewSelect(nil, nil)
	s.showLanguage()
	s.register = widget.NewEntry()
	s.register.SetPlaceHolder("postgres://staff@server/photovet?sslmode=verify-full")
	s.register.SetText(fyne.CurrentApp().Preferences().String(registerKey))
	s.test = widget.NewButton(lang.L("Test connection"), func() { s.testRegister() })
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.save = widget.NewButtonWithIcon(lang.L("Save settings"), theme.DocumentSaveIcon(), func() { s.saveForm() })
	s.save.Importance = widget.HighImportance
	s.ExtendBaseWidget(s)
	return s
}

// CreateRenderer implements fyne.Widget.
func (s *registerSettings) CreateRenderer() fyne.WidgetRenderer {
	form := widget.NewForm(
		hintedItem(lang.L("Data folder"), s.dataDir,
			lang.L("The register and PhotoVet's records are kept here. To use another folder, start PhotoVet with --data FOLDER or set PHOTOVET_DATA (ask your IT contact).")),
		hintedItem(lang.L("Own-consent age"), s.age,
			lang.L("From this age a pupil's own consent is enough; below it the guardian and the pupil must both agree. 15 in Finland, 16 in the Netherlands.")),
		hintedItem(lang.L("Recognition strictness"), s.strictness,
			lang.L("How alike a face and a portrait must be before PhotoVet names the person; stricter hides more faces until you name them.")),
		hintedItem(lang.L("Redaction style"), s.style,
			lang.L("How hidden faces look in exported photos.")),
		hintedItem(lang.L("Default unit type"), s.unit,
			lang.L("What a new batch of photos is vetted as; you can change it per batch. In early childhood no child is ever shown.")),
		hintedItem(lang.L("Channels"), s.channels,
			lang.L("Where photos are published, as the roster file names them (always in English), separated by commas, for example: website, facebook, instagram, newsletter")),
	)
	language := widget.NewForm(hintedItem(lang.L("Language"), s.language,
		lang.L("For this computer only; PhotoVet switches at once.")),
		hintedItem(lang.L("Shared register"), container.NewBorder(nil, nil, nil, s.test, s.register),
			lang.L("For this computer only. Empty: the register is kept on this computer. For a register shared by a school or city, the address your IT contact gives you; the password comes from the password file they set up, never from here. Saved with \"Save settings\", used from PhotoVet's next start.")))
	intro := widget.NewLabel(lang.L("Change a value and press \"Save settings\". The settings apply to the whole register."))
	intro.Wrapping = fyne.TextWrapWord
	return widget.NewSimpleRenderer(container.NewPadded(container.NewVBox(intro, form, container.NewHBox(s.save), s.status, widget.NewSeparator(), language)))
}

// hintedItem is a form row whose hint wraps under its widget: a form's
// own hint is one line that never wraps, and the longest of them (a
// translated one, most of all) set the whole window's width, wider than
// a laptop's screen.
func hintedItem(label string, w fyne.CanvasObject, hint string) *widget.FormItem {
	text := widget.NewLabelWithStyle(hint, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	text.Wrapping = fyne.TextWrapWord
	text.SizeName = theme.SizeNameCaptionText
	return &widget.FormItem{Text: label, Widget: container.NewVBox(w, text)}
}

// load shows set, and the data folder.
func (s *registerSettings) load(set consent.Settings) {
	s.current = set
	if dir, err := s.v.store.Dir(s.v.ctx); err == nil {
		s.dataDir.SetText(dir)
	} else {
		s.dataDir.SetText(lang.L("unknown"))
	}
	s.age.SetText(strconv.Itoa(set.OwnConsentAge))
	s.showStrictness(set.MatchThreshold)
	s.style.SetSelected(styleName(set.RedactionStyle))
	s.unit.SetSelected(unitLabel(set.DefaultUnit))
	s.channels.SetText(strings.Join(set.Channels, ", "))
}

// settings reads the form into settings; the error says, in the user's
// language, which field cannot be read.
func (s *registerSettings) settings() (consent.Settings, error) {
	set := s.current
	age, err := strconv.Atoi(strings.TrimSpace(s.age.Text))
	if err != nil {
		return set, errors.New(lang.L("Own-consent age: write a whole number, for example 15."))
	}
	set.OwnConsentAge = age
	if i := s.strictness.SelectedIndex(); i >= 0 && i < len(strictnessLevels()) {
		set.MatchThreshold = strictnessLevels()[i].threshold
	} // else a threshold set elsewhere (the CLI, an older version) is kept
	set.RedactionStyle = ""
	for _, st := range redactionStyles() {
		if s.style.Selected == styleName(st) {
			set.RedactionStyle = st
		}
	}
	set.DefaultUnit = ""
	if i := s.unit.SelectedIndex(); i >= 0 {
		set.DefaultUnit = units()[i]
	}
	set.Channels = nil
	for _, c := range strings.Split(s.channels.Text, ",") {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
			set.Channels = append(set.Channels, c)
		}
	}
	return set, nil
}

// saveForm stores what changed and says what was saved. The register's
// settings apply to the whole register (on a shared one only its owner
// may change them), the shared register's address to this computer only:
// each is written only when it changed, so a teacher who changes only
// this computer's address is not refused for the register's settings.
func (s *registerSettings) saveForm() error {
	set, err := s.settings()
	settingsChanged := err == nil && !sameSettings(set, s.current)
	if settingsChanged {
		if verr := set.Validate(); verr != nil {
			err = errors.New(lang.L("The settings cannot be used: {{.Problem}}.", map[string]any{"Problem": errorText(verr)}))
		}
	}
	if err != nil {
		s.status.Importance = widget.DangerImportance
		s.status.SetText(lang.L("Not saved.") + " " + err.Error())
		return err
	}
	register := strings.TrimSpace(s.register.Text)
	if register != "" && !consent.IsPostgresURL(register) {
		s.status.Importance = widget.DangerImportance
		s.status.SetText(lang.L("Not saved.") + " " + lang.L("Shared register: write an address that starts with postgres://, or leave it empty."))
		return errors.New("shared register: not a postgres:// URL")
	}
	prefs := fyne.CurrentApp().Preferences()
	registerChanged := prefs.String(registerKey) != register
	prefs.SetString(registerKey, register)
	if !settingsChanged {
		s.status.Importance = widget.SuccessImportance
		if registerChanged {
			s.status.SetText(lang.L("This computer's shared register is saved; PhotoVet uses it from its next start."))
		} else {
			s.status.SetText(lang.L("Nothing changed, so nothing was saved."))
		}
		return nil
	}
	if err := s.v.store.SetSettings(s.v.ctx, set); err != nil {
		err = fmt.Errorf("save settings: %w", err)
		s.status.Importance = widget.DangerImportance
		if registerChanged {
			s.status.SetText(lang.L("This computer's shared register is saved, the register's settings are not: {{.Problem}}", map[string]any{"Problem": errorText(err)}))
		} else {
			s.status.SetText(lang.L("Not saved.") + " " + errorText(err))
		}
		return err
	}
	s.status.Importance = widget.SuccessImportance
	s.status.SetText(lang.L("Settings saved."))
	s.v.refresh() // last: its answer changes the view
	return nil
}

// sameSettings reports whether a and b hold the same values (every
// field, so that one added later is not left unsaved); a list of no
// channels is the same whether empty or nil.
func sameSettings(a, b consent.Settings) bool {
	if len(a.Channels) == 0 && len(b.Channels) == 0 {
		a.Channels, b.Channels = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// testRegister checks, in the background, that the shared register
// entered can be reached and used, and says so.
func (s *registerSettings) testRegister() {
	register := strings.TrimSpace(s.register.Text)
	if register == "" {
		s.status.Importance = widget.MediumImportance
		s.status.SetText(lang.L("No shared register: the register is kept on this computer."))
		return
	}
	s.test.Disable()
	s.status.Importance = widget.MediumImportance
	s.status.SetText(lang.L("Connecting..."))
	s.v.work.Add(1)
	go func() {
		defer s.v.work.Done()
		err := consent.TestRegister(s.v.ctx, register)
		fyne.Do(func() {
			s.test.Enable()
			if err != nil {
				s.status.Importance = widget.DangerImportance
				s.status.SetText(lang.L("The shared register cannot be used: {{.Problem}}", map[string]any{"Problem": errorText(err)}))
				return
			}
			s.status.Importance = widget.SuccessImportance
			s.status.SetText(lang.L("Connected: the shared register answers."))
		})
	}()
}

// showLanguage offers the languages, with the current choice selected.
func (s *registerSettings) showLanguage() {
	codes := []string{""}
	options := []string{lang.L("Same as the computer")}
	for _, l := range languages() {
		codes = append(codes, l.Code)
		options = append(options, l.Name)
	}
	s.language.OnChanged = nil
	s.language.SetOptions(options)
	current := fyne.CurrentApp().Preferences().String(languageKey)
	for i, c := range codes {
		if c == current {
			s.language.SetSelectedIndex(i)
		}
	}
	s.language.OnChanged = func(string) {
		if i := s.language.SelectedIndex(); i >= 0 {
			s.setLanguage(codes[i])
		}
	}
}

// setLanguage switches the app to the language code ("" for the
// computer's) and remembers the choice.
func (s *registerSettings) setLanguage(code string) error {
	if err := setUpLanguage(code); err != nil {
		s.status.Importance = widget.DangerImportance
		s.status.SetText(lang.L("The language could not be changed: {{.Error}}", map[string]any{"Error": err.Error()}))
		return fmt.Errorf("switch language: %w", err)
	}
	fyne.CurrentApp().Preferences().SetString(languageKey, code)
	if s.v.languageChanged != nil {
		s.v.languageChanged() // the window is built again in the new language
		return nil
	}
	s.status.Importance = widget.SuccessImportance
	s.status.SetText(lang.L("Language changed. Restart PhotoVet to see every screen in it."))
	return nil
}

// styleName is a redaction style in the user's language.
func styleName(style string) string {
	switch style {
	case "blur":
		return lang.L("Blur: coarse blocks with noise")
	case "solid":
		return lang.L("Solid: a filled block")
	}
	return style
}

// strictnessLevel is a match threshold as the settings offer it.
type strictnessLevel struct {
	threshold float64 // the largest descriptor distance that still names someone
	name      func() string
}

// strictnessLevels are the recognition strictness choices, strictest
// first: the register's default threshold (consent.DefaultSettings, where
// its reasons are) and one step either side.
func strictnessLevels() []strictnessLevel {
	recommended := consent.DefaultSettings().MatchThreshold
	step := func(d float64) float64 { return math.Round((recommended+d)*100) / 100 }
	return []strictnessLevel{
		{step(-0.05), func() string { return lang.L("Stricter") }},
		{recommended, func() string { return lang.L("Recommended") }},
		{step(+0.05), func() string { return lang.L("More lenient") }},
	}
}

// showStrictness offers the strictness levels with threshold's selected;
// a threshold that is none of them (set from the command line) is shown
// as one more option, kept when the form is saved.
func (s *registerSettings) showStrictness(threshold float64) {
	var options []string
	selected := -1
	for i, l := range strictnessLevels() {
		options = append(options, l.name())
		if math.Abs(l.threshold-threshold) < 1e-9 {
			selected = i
		}
	}
	if selected < 0 {
		selected = len(options)
		options = append(options, lang.L("Other ({{.Threshold}})", map[string]any{"Threshold": strconv.FormatFloat(threshold, 'f', -1, 64)}))
	}
	s.strictness.SetOptions(options)
	s.strictness.SetSelectedIndex(selected)
}
