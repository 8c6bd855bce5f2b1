package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// registerView is the Register part of the main window: the children and
// staff with their consent per channel at a glance, the roster import,
// portrait enrolment, withdrawals, the take-down list and the settings.
// It shows what the consent package decides and holds no rules of its own.
//
// Every method runs on the UI goroutine, except the background work of
// importRoster and enrol, which hands its results back through fyne.Do.
type registerView struct {
	// languageChanged, when set, is called after the language was
	// switched in the settings.
	languageChanged func()

	win   fyne.Window
	store *consent.Store
	faces *vet.Faces
	ctx   context.Context
	// today is the day consents are shown for and withdrawals default to;
	// tests fix it.
	today func() consent.Date

	// work counts the running background jobs, so tests can wait for them.
	work   sync.WaitGroup
	cancel context.CancelFunc // stops the running enrolment; nil when none runs

	// What the widgets show.
	reg      *consent.Register
	loadErr  error
	people   []*consent.Person
	enrolled map[string]int // reference descriptors per person id
	columns  []registerColumn
	selected string // the selected person's id, "" for none

	tabs         *container.AppTabs
	peopleTab    *container.TabItem
	takedownTab  *container.TabItem
	settingsTab  *container.TabItem
	hint         *widget.Label // what to do next
	summary      *widget.Label
	table        *widget.Table
	details      *widget.Label
	importButton *widget.Button
	enrolButton  *widget.Button
	withdrawBtn  *widget.Button
	optInButton  *widget.Button
	removeButton *widget.Button
	busy         *fyne.Container // the progress of the running job, hidden when idle
	busyLabel    *widget.Label
	progress     *widget.ProgressBar
	cancelButton *widget.Button
	takedowns    *registerTakedowns
	settings     *registerSettings
}

// registerColumn is one column of the people table.
type registerColumn struct {
	title   string
	channel string // the channel whose consent the column shows, "" for others
	cell    func(p *consent.Person) (string, fyne.Resource)
}

// newRegisterView builds the register view and loads the register. faces
// loads the face finder for enrolment; it may be nil when faces cannot be
// found on this computer.
func newRegisterView(win fyne.Window, store *consent.Store, faces *vet.Faces) *registerView {
	v := &registerView{
		win:      win,
		store:    store,
		faces:    faces,
		ctx:      context.Background(),
		today:    consent.Today,
		enrolled: map[string]int{},
	}
	v.hint = widget.NewLabel("")
	v.hint.Wrapping = fyne.TextWrapWord
	v.summary = widget.NewLabel("")
	v.details = widget.NewLabel("")
	v.details.Wrapping = fyne.TextWrapWord

	v.importButton = widget.NewButtonWithIcon(lang.L("Import roster CSV..."), theme.FileIcon(), v.chooseRoster)
	v.enrolButton = widget.NewButtonWithIcon(lang.L("Enrol portraits..."), theme.AccountIcon(), v.choosePortraits)
	template := widget.NewButtonWithIcon(lang.L("Save template CSV..."), theme.DocumentSaveIcon(), v.chooseTemplateTarget)
	v.withdrawBtn = widget.NewButtonWithIcon(lang.L("Withdraw consent..."), theme.ContentRemoveIcon(), v.askWithdraw)
	v.optInButton = widget.NewButton(lang.L("Record face recognition opt-in"), v.toggleOptIn)
	v.removeButton = widget.NewButtonWithIcon(lang.L("Remove from register..."), theme.DeleteIcon(), v.askRemove)

	v.busyLabel = widget.NewLabel("")
	v.progress = widget.NewProgressBar()
	v.cancelButton = widget.NewButton(lang.L("Cancel"), v.cancelJob)
	v.busy = container.NewBorder(nil, nil, v.busyLabel, v.cancelButton, v.progress)
	v.busy.Hide()

	v.table = v.newTable()
	v.takedowns = newRegisterTakedowns(v)
	v.settings = newRegisterSettings(v)

	actions := container.NewHBox(v.importButton, v.enrolButton, template)
	personActions := container.NewHBox(v.withdrawBtn, v.optInButton, v.removeButton)
	top := container.NewVBox(v.hint, actions, v.busy, v.summary)
	// The details scroll, so a long list of consents never squeezes the table.
	details := container.NewVScroll(v.details)
	details.SetMinSize(fyne.NewSize(0, 6*theme.TextSize()*1.6))
	bottom := container.NewVBox(widget.NewSeparator(), details, personActions)
	people := container.NewBorder(top, bottom, nil, nil, v.table)

	v.peopleTab = container.NewTabItemWithIcon(lang.L("People"), theme.AccountIcon(), people)
	v.takedownTab = container.NewTabItemWithIcon(lang.L("Take-downs"), theme.WarningIcon(), v.takedowns)
	v.settingsTab = container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), container.NewVScroll(v.settings))
	v.tabs = container.NewAppTabs(v.peopleTab, v.takedownTab, v.settingsTab)
	v.refresh()
	return v
}

// content is the view, to put in the main window.
func (v *registerView) content() fyne.CanvasObject { return v.tabs }

// refresh reloads everything from the register.
func (v *registerView) refresh() {
	reg, err := v.store.Register(v.ctx)
	if err != nil {
		reg, err = nil, fmt.Errorf("load the register: %w", err)
	}
	v.reg, v.loadErr = reg, err
	v.people = reg.SortedPeople()
	if counts, err := v.store.EnrolledCounts(v.ctx); err == nil {
		v.enrolled = counts
	} else if v.loadErr == nil {
		v.loadErr = err
	}
	v.columns = v.makeColumns()
	for i, c := range v.columns {
		v.table.SetColumnWidth(i, v.columnWidth(c))
	}
	v.table.Refresh()
	// The selection follows the person, whose row may have moved.
	if row := v.rowOf(v.selected); row >= 0 {
		v.table.Select(widget.TableCellID{Row: row, Col: 0})
	} else {
		v.selected = ""
		v.table.UnselectAll()
	}
	if v.reg != nil {
		v.settings.load(v.reg.Settings)
	}
	v.showSelection()
	v.showHint()
	v.takedowns.load()
}

// showHint says what the teacher can do next, and counts the people.
func (v *registerView) showHint() {
	v.summary.SetText("")
	switch {
	case v.loadErr != nil:
		v.hint.SetText(lang.L("The register could not be read: {{.Error}}. Close PhotoVet and open it again; if this stays, ask your IT contact.",
			map[string]any{"Error": v.loadErr.Error()}))
		return
	case len(v.people) == 0:
		v.hint.SetText(lang.L("The register is empty. Press \"Import roster CSV...\" and choose the list of children and staff exported from your school's administration system. \"Save template CSV...\" gives you an example file to start from."))
		return
	}
	children, staff, optedIn, enrolled := 0, 0, 0, 0
	for _, p := range v.people {
		if p.Role == consent.Staff {
			staff++
		} else {
			children++
		}
		if p.BiometricOptIn {
			optedIn++
		}
		if v.enrolled[p.ID] > 0 {
			enrolled++
		}
	}
	v.summary.SetText(lang.L("Children: {{.Children}}. Staff: {{.Staff}}. Recognised by face: {{.Enrolled}}.",
		map[string]any{"Children": children, "Staff": staff, "Enrolled": enrolled}))
	if optedIn > 0 && enrolled == 0 {
		v.hint.SetText(lang.L("Next: press \"Enrol portraits...\" and choose the folder of portrait photos, each named by the person's id (for example S-1001.jpg), so that PhotoVet recognises the children and staff whose face recognition opt-in is recorded."))
		return
	}
	v.hint.SetText(lang.L("\"Yes\" means the person may be shown on that channel today; \"No\" means their face will be hidden. Select a person to see their consents or to withdraw one."))
}

// makeColumns lists the table's columns: who, one per channel, and face
// recognition.
func (v *registerView) makeColumns() []registerColumn {
	cols := []registerColumn{
		{title: lang.L("Name"), cell: func(p *consent.Person) (string, fyne.Resource) { return p.DisplayName(), nil }},
		{title: lang.L("Group"), cell: func(p *consent.Person) (string, fyne.Resource) { return p.Group, nil }},
		{title: lang.L("Role"), cell: func(p *consent.Person) (string, fyne.Resource) { return regRole(p.Role), nil }},
		{title: lang.L("Unit type"), cell: func(p *consent.Person) (string, fyne.Resource) { return regUnit(p.Unit), nil }},
	}
	if v.reg == nil {
		return cols
	}
	for _, ch := range v.reg.Settings.Channels {
		cols = append(cols, registerColumn{title: regCapital(regChannel(ch)), channel: ch,
			cell: func(p *consent.Person) (string, fyne.Resource) {
				return regConsentMark(consent.ChannelState(p, v.reg.Settings, ch, v.today()))
			}})
	}
	return append(cols, registerColumn{title: lang.L("Face recognition"), cell: v.faceCell})
}

// columnWidth fits a column to its heading and its widest cell, up to a
// limit (longer names are shortened with an ellipsis).
func (v *registerView) columnWidth(c registerColumn) float32 {
	pad := 2*theme.InnerPadding() + 4*theme.Padding()
	w := fyne.MeasureText(c.title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + pad
	for _, p := range v.people {
		text, icon := c.cell(p)
		cw := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width + pad
		if icon != nil {
			cw += theme.IconInlineSize() + theme.Padding()
		}
		w = max(w, cw)
	}
	return min(w, 320)
}

// regConsentMark is a consent state as a word and an icon.
func regConsentMark(s consent.ConsentState) (string, fyne.Resource) {
	switch s {
	case consent.ConsentGiven:
		return lang.L("Yes"), theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case consent.ConsentWithdrawn:
		return lang.L("Withdrawn"), theme.NewErrorThemedResource(theme.ContentUndoIcon())
	case consent.NeverShown:
		return lang.L("Never shown"), theme.NewDisabledResource(theme.VisibilityOffIcon())
	default:
		return lang.L("No"), theme.NewErrorThemedResource(theme.CancelIcon())
	}
}

func (v *registerView) faceCell(p *consent.Person) (string, fyne.Resource) {
	switch {
	case v.enrolled[p.ID] > 0:
		return lang.L("Enrolled"), theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case p.BiometricOptIn:
		return lang.L("Opted in, no portrait yet"), theme.NewWarningThemedResource(theme.WarningIcon())
	default:
		return lang.L("No opt-in"), nil
	}
}

// cell is what the table shows at row, col: text and an icon (nil for none).
func (v *registerView) cell(row, col int) (string, fyne.Resource) {
	if row < 0 || row >= len(v.people) || col < 0 || col >= len(v.columns) {
		return "", nil
	}
	return v.columns[col].cell(v.people[row])
}

// columnOf returns the table column of channel, or -1.
func (v *registerView) columnOf(channel string) int {
	return slices.IndexFunc(v.columns, func(c registerColumn) bool { return c.channel == channel })
}

// rowOf returns the table row of the person id, or -1.
func (v *registerView) rowOf(id string) int {
	return slices.IndexFunc(v.people, func(p *consent.Person) bool { return p.ID == id })
}

func (v *registerView) newTable() *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(v.people), len(v.columns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(nil), nil, l)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			text, icon := v.cell(id.Row, id.Col)
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(text)
			ic := c.Objects[1].(*widget.Icon)
			ic.SetResource(icon)
			ic.Hidden = icon == nil
			c.Refresh()
		})
	t.ShowHeaderRow = true
	t.StickyColumnCount = 1 // the names stay in view while the channels scroll
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		title := ""
		if id.Row < 0 && id.Col >= 0 && id.Col < len(v.columns) {
			title = v.columns[id.Col].title
		}
		o.(*widget.Label).SetText(title)
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(v.people) {
			v.selected = v.people[id.Row].ID
			v.showSelection()
		}
	}
	return t
}

// selectPerson selects the person id in the table.
func (v *registerView) selectPerson(id string) {
	if row := v.rowOf(id); row >= 0 {
		v.table.Select(widget.TableCellID{Row: row, Col: 0})
	}
}

// showSelection shows the selected person's consents and enables the
// actions on them.
func (v *registerView) showSelection() {
	var p *consent.Person
	if v.reg != nil {
		p = v.reg.People[v.selected]
	}
	if p == nil {
		v.details.SetText(lang.L("Select a person in the table to see their consents, to withdraw a consent or to change their face recognition opt-in."))
		v.withdrawBtn.Disable()
		v.optInButton.Disable()
		v.removeButton.Disable()
		return
	}
	v.withdrawBtn.Enable()
	v.optInButton.Enable()
	v.removeButton.Enable()
	if p.BiometricOptIn {
		v.optInButton.SetText(lang.L("Remove face recognition opt-in..."))
	} else {
		v.optInButton.SetText(lang.L("Record face recognition opt-in"))
	}
	v.details.SetText(v.describe(p))
}

// describe is everything the register holds on p, in sentences.
func (v *registerView) describe(p *consent.Person) string {
	var b strings.Builder
	line := func(s string) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s)
	}
	head := lang.L("{{.Name}} (id {{.ID}}), {{.Role}}, group {{.Group}}, {{.Unit}}", map[string]any{
		"Name": p.DisplayName(), "ID": p.ID, "Role": regRole(p.Role), "Group": p.Group, "Unit": regUnit(p.Unit)})
	if !p.BirthDate.IsZero() {
		head += ", " + lang.L("born {{.Date}}", map[string]any{"Date": p.BirthDate.String()})
	}
	line(head)
	givers := []struct {
		giver consent.Giver
		label string
	}{
		{consent.Guardian, lang.L("Photo consent from the guardian")},
		{consent.Pupil, lang.L("Photo consent from the pupil")},
		{consent.StaffMember, lang.L("Own photo consent")},
	}
	for _, g := range givers {
		var cs []consent.Consent
		for _, c := range p.Consents {
			if c.Giver == g.giver {
				cs = append(cs, c)
			}
		}
		if len(cs) > 0 || (g.giver == consent.StaffMember) == (p.Role == consent.Staff) {
			line(g.label + ": " + regDescribeConsents(cs))
		}
	}
	if p.Role != consent.Staff || len(p.WorkConsents) > 0 {
		line(lang.L("Consent to show their work") + ": " + regDescribeConsents(p.WorkConsents))
	}
	for _, w := range p.Withdrawals {
		ch := lang.L("all channels")
		if w.Channel != consent.AllChannels {
			ch = regChannel(w.Channel)
		}
		line(lang.L("Withdrawn for {{.Channel}} from {{.Date}}", map[string]any{"Channel": ch, "Date": w.On.String()}))
	}
	switch n := v.enrolled[p.ID]; {
	case n > 0:
		line(lang.L("Face recognition: enrolled (portraits used: {{.Count}})", map[string]any{"Count": n}))
	case p.BiometricOptIn:
		line(lang.L("Face recognition: opt-in recorded, no portrait enrolled yet"))
	default:
		line(lang.L("Face recognition: no opt-in, so PhotoVet stores no face data; their faces can still be assigned by hand"))
	}
	return b.String()
}

// regDescribeConsents lists consents as "website, Instagram (2026-08-17 to
// 2027-07-31)", grouped by validity period.
func regDescribeConsents(cs []consent.Consent) string {
	if len(cs) == 0 {
		return lang.L("none")
	}
	type period struct{ from, until consent.Date }
	var order []period
	byPeriod := map[period][]string{}
	for _, c := range cs {
		k := period{c.ValidFrom, c.ValidUntil}
		if _, ok := byPeriod[k]; !ok {
			order = append(order, k)
		}
		byPeriod[k] = append(byPeriod[k], regChannel(c.Channel))
	}
	var parts []string
	for _, k := range order {
		s := strings.Join(byPeriod[k], ", ")
		switch {
		case !k.from.IsZero() && !k.until.IsZero():
			s += " (" + lang.L("{{.From}} to {{.Until}}", map[string]any{"From": k.from.String(), "Until": k.until.String()}) + ")"
		case !k.from.IsZero():
			s += " (" + lang.L("from {{.Date}}", map[string]any{"Date": k.from.String()}) + ")"
		case !k.until.IsZero():
			s += " (" + lang.L("until {{.Date}}", map[string]any{"Date": k.until.String()}) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// --- Roster import ---

func (v *registerView) chooseRoster() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.showError(lang.L("The file could not be opened."), err)
			return
		}
		if r != nil {
			v.importRoster(r)
		}
	}, v.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV", ".txt"}))
	startInHome(d.SetLocation)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// importRoster imports the roster read from r, and closes r. The import runs
// in the background; the result is shown in a dialog and the table.
func (v *registerView) importRoster(r io.ReadCloser) {
	if !v.startJob(lang.L("Importing the roster...")) {
		r.Close()
		return
	}
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		defer r.Close()
		sum, err := v.store.ImportRoster(v.ctx, r, consent.ImportOptions{
			Today: v.today(),
			Progress: func(done, total int) {
				fyne.Do(func() { v.setProgress(done, total) })
			},
		})
		if err != nil {
			err = fmt.Errorf("import the roster: %w", err)
		}
		fyne.Do(func() {
			v.endJob()
			v.refresh()
			v.showImport(sum, err)
		})
	}()
}

// showImport tells the teacher how the import went.
func (v *registerView) showImport(sum consent.ImportSummary, err error) {
	var rosterErr *consent.RosterError
	switch {
	case errors.As(err, &rosterErr):
		lines := []string{
			lang.L("Nothing was imported: the file has mistakes. Correct these lines in the file (for example in your spreadsheet program) and import it again."),
			"",
		}
		for _, row := range rosterErr.Rows {
			if row.Field == "" {
				lines = append(lines, lang.L("line {{.Line}}: {{.Message}}", map[string]any{"Line": row.Line, "Message": tr(row.Msg)}))
			} else {
				lines = append(lines, lang.L("line {{.Line}}, {{.Field}}: {{.Message}}", map[string]any{"Line": row.Line, "Field": row.Field, "Message": tr(row.Msg)}))
			}
		}
		v.showResult(lang.L("The roster has mistakes"), lines...)
	case err != nil && !errors.Is(err, consent.ErrNotWiped):
		v.showError(lang.L("The roster could not be imported. Nothing was changed."), err)
	default:
		lines := []string{
			lang.L("The roster was imported. New people: {{.Added}}. Updated: {{.Updated}}.", map[string]any{"Added": sum.Added, "Updated": sum.Updated}),
		}
		if sum.OptInsRemoved > 0 {
			lines = append(lines, lang.L("Face recognition opt-ins removed by the roster: {{.Count}}. Their stored face data was deleted.", map[string]any{"Count": sum.OptInsRemoved}))
		}
		if err != nil { // imported, but the deleted face data is still on the disk
			lines = append(lines, "", regCapital(errorText(err)))
		}
		lines = append(lines, "", lang.L("Next: check the consents in the table, then press \"Enrol portraits...\" so PhotoVet can recognise the children and staff who opted in."))
		v.showResult(lang.L("Roster imported"), lines...)
	}
}

// chooseTemplateTarget saves the template roster where the teacher says.
func (v *registerView) chooseTemplateTarget() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			v.showError(lang.L("The file could not be saved."), err)
			return
		}
		if w != nil {
			v.saveTemplate(w)
		}
	}, v.win)
	d.SetFileName("roster_template.csv")
	startInHome(d.SetLocation)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// saveTemplate writes the template roster to w and closes it.
func (v *registerView) saveTemplate(w io.WriteCloser) error {
	_, err := w.Write(assets.RosterTemplateCSV)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		err = fmt.Errorf("save the template roster: %w", err)
		v.showError(lang.L("The file could not be saved."), err)
		return err
	}
	v.showResult(lang.L("Template saved"),
		lang.L("Open the file in your spreadsheet program, replace the example people with your own (one row per child or staff member), save it as CSV and import it with \"Import roster CSV...\"."))
	return nil
}

// --- Enrolment ---

func (v *registerView) choosePortraits() {
	showFolderDialog(v.win, lang.L("Choose the folder of portraits"), lang.L("Enrol these portraits"), v.enrol, func(err error) { v.showError(lang.L("The folder could not be opened."), err) })
}

// enrol stores reference faces from the portraits in dir (see vet.Enroll).
// It runs in the background and shows the result when done.
func (v *registerView) enrol(dir string) {
	if !v.startJob(lang.L("Preparing face recognition...")) {
		return
	}
	ctx, cancel := context.WithCancel(v.ctx)
	v.cancel = cancel
	v.cancelButton.Show()
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		defer cancel()
		result, err := v.runEnrol(ctx, dir)
		fyne.Do(func() {
			v.endJob()
			v.refresh()
			v.showEnrolment(result, err)
		})
	}()
}

// errRegNoFinder marks an enrolment that failed because the face finder
// could not be loaded, not because of the portraits.
var errRegNoFinder = errors.New("face recognition is not available")

// runEnrol is enrol's background work.
func (v *registerView) runEnrol(ctx context.Context, dir string) ([]vet.Enrolment, error) {
	if v.faces == nil {
		return nil, errRegNoFinder
	}
	finder, workers, err := v.faces.Finder()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errRegNoFinder, err)
	}
	fyne.Do(func() { v.busyLabel.SetText(lang.L("Reading the portraits...")) })
	result, err := vet.Enroll(ctx, v.store, finder, workers, dir, func(p vet.Progress) {
		fyne.Do(func() { v.setProgress(p.Done, p.Total) })
	})
	if err != nil {
		return nil, fmt.Errorf("enrol portraits: %w", err)
	}
	return result, nil
}

// showEnrolment tells the teacher who was enrolled and why the others were
// not.
func (v *registerView) showEnrolment(result []vet.Enrolment, err error) {
	switch {
	case errors.Is(err, context.Canceled):
		v.showResult(lang.L("Enrolment stopped"), lang.L("Enrolment was stopped. No face data was stored."))
		return
	case errors.Is(err, errRegNoFinder):
		v.showError(lang.L("Face recognition is not ready on this computer, so no portraits can be enrolled yet. Ask your IT contact to install the face models (see the warning on the Photos tab)."), err)
		return
	case err != nil:
		v.showError(lang.L("The portraits could not be enrolled. Choose a folder of portrait photos named by each person's id, for example S-1001.jpg, or a folder per person named by their id."), err)
		return
	}
	var done, failed []string
	for _, e := range result {
		name := e.PersonID
		if v.reg != nil && v.reg.People[e.PersonID] != nil {
			name = v.reg.People[e.PersonID].DisplayName() + " (" + e.PersonID + ")"
		}
		if e.Enrolled() {
			done = append(done, name)
			continue
		}
		var why string
		switch {
		case errors.Is(e.Err, consent.ErrNoBiometricOptIn):
			why = lang.L("no face recognition opt-in is recorded, so PhotoVet may not store their face (they can still be assigned by hand)")
		case errors.Is(e.Err, consent.ErrNotFound):
			why = lang.L("nobody in the register has this id: name the portrait after the id in the roster")
		case e.Used == 0:
			why = lang.L("no usable portrait: a portrait must show exactly one face")
		default:
			why = errorText(e.Err)
		}
		failed = append(failed, "• "+name+": "+why)
		for _, p := range e.Problems {
			failed = append(failed, "    "+tr(p))
		}
	}
	lines := []string{lang.L("People enrolled: {{.Count}}.", map[string]any{"Count": len(done)})}
	if len(done) > 0 {
		lines = append(lines, strings.Join(done, ", "))
	}
	if len(failed) > 0 {
		lines = append(lines, "", lang.L("Not enrolled: {{.Count}}.", map[string]any{"Count": len(failed)}))
		lines = append(lines, failed...)
	}
	lines = append(lines, "", lang.L("Next: drop photos on the main window. PhotoVet now recognises the enrolled people."))
	v.showResult(lang.L("Portraits enrolled"), lines...)
}

// --- Long work ---

// startJob shows the progress area and disables what must wait; it reports
// false when another job is still running.
func (v *registerView) startJob(what string) bool {
	if v.busy.Visible() {
		v.showResult(lang.L("Please wait"), lang.L("PhotoVet is still busy with the last task. Try again when it is finished."))
		return false
	}
	v.busyLabel.SetText(what)
	v.progress.SetValue(0)
	v.cancelButton.Hide()
	v.busy.Show()
	v.importButton.Disable()
	v.enrolButton.Disable()
	return true
}

func (v *registerView) setProgress(done, total int) {
	if total > 0 {
		v.progress.SetValue(float64(done) / float64(total))
	}
}

func (v *registerView) endJob() {
	v.cancel = nil
	v.busy.Hide()
	v.importButton.Enable()
	v.enrolButton.Enable()
}

func (v *registerView) cancelJob() {
	if v.cancel != nil {
		v.cancel()
		v.busyLabel.SetText(lang.L("Stopping..."))
	}
}

// --- Withdrawal, opt-in and removal of the selected person ---

// askWithdraw asks which consent of the selected person to withdraw, and
// from when.
func (v *registerView) askWithdraw() {
	p := v.selectedPerson()
	if p == nil {
		return
	}
	channels := []string{consent.AllChannels}
	options := []string{lang.L("All channels")}
	for _, ch := range v.reg.Settings.Channels {
		channels = append(channels, ch)
		options = append(options, regCapital(regChannel(ch)))
	}
	channel := widget.NewSelect(options, nil)
	channel.SetSelectedIndex(0)
	date := widget.NewEntry()
	date.SetText(v.today().String())
	date.Validator = func(s string) error {
		if _, err := consent.ParseDate(strings.TrimSpace(s)); err != nil {
			return errors.New(lang.L("Write the date as YYYY-MM-DD, for example 2026-11-21."))
		}
		return nil
	}
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Person"), widget.NewLabel(p.DisplayName())),
		{Text: lang.L("Channel"), Widget: channel, HintText: lang.L("Choose \"All channels\" when the consent is withdrawn completely.")},
		{Text: lang.L("From"), Widget: date, HintText: lang.L("The first day the consent no longer holds.")},
	}
	d := dialog.NewForm(lang.L("Withdraw consent"), lang.L("Withdraw"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		on, err := consent.ParseDate(strings.TrimSpace(date.Text))
		i := channel.SelectedIndex()
		if err != nil || i < 0 {
			return // the form validates both
		}
		v.withdraw(p.ID, channels[i], on)
	}, v.win)
	d.Resize(fyne.NewSize(520, 320))
	d.Show()
}

// withdraw records the withdrawal of person id's consent for channel (or
// consent.AllChannels) from day on, and shows the take-down tasks it made.
func (v *registerView) withdraw(id, channel string, on consent.Date) ([]consent.Takedown, error) {
	tasks, err := v.store.Withdraw(v.ctx, id, channel, on)
	if err != nil {
		err = fmt.Errorf("withdraw consent of %s for %s: %w", id, channel, err)
		v.showError(lang.L("The consent could not be withdrawn."), err)
		return nil, err
	}
	v.refresh()
	name := id
	if p := v.reg.People[id]; p != nil {
		name = p.DisplayName()
	}
	where := lang.L("all channels")
	if channel != consent.AllChannels {
		where = regChannel(channel)
	}
	lines := []string{lang.L("From {{.Date}} on, {{.Name}} is hidden on {{.Channel}} in every export.",
		map[string]any{"Date": on.String(), "Name": name, "Channel": where})}
	if len(tasks) == 0 {
		lines = append(lines, "", lang.L("No published photo shows {{.Name}} there, so nothing needs to be taken down.", map[string]any{"Name": name}))
		v.showResult(lang.L("Consent withdrawn"), lines...)
		return tasks, nil
	}
	lines = append(lines, "", lang.L("Published photos that show {{.Name}} and must be taken down: {{.Count}}", map[string]any{"Name": name, "Count": len(tasks)}))
	for _, t := range tasks {
		lines = append(lines, "• "+regTakedownLine(t))
	}
	lines = append(lines, "", lang.L("Remove them from the channel, then mark each one done under \"Take-downs\"."))
	content := regResultContent(lines)
	d := dialog.NewCustomConfirm(lang.L("Consent withdrawn"), lang.L("Show take-downs"), lang.L("Close"), content, func(show bool) {
		if show {
			v.tabs.Select(v.takedownTab)
		}
	}, v.win)
	v.showDialog(d)
	return tasks, nil
}

// regTakedownLine describes a take-down task in one line.
func regTakedownLine(t consent.Takedown) string {
	return lang.L("{{.Channel}}: {{.File}}, published on {{.Date}}",
		map[string]any{"Channel": regChannel(t.Channel), "File": t.ExportPath(), "Date": t.PublishedOn.String()})
}

// toggleOptIn records the selected person's face recognition opt-in, or
// removes it (with their face data) after asking.
func (v *registerView) toggleOptIn() {
	p := v.selectedPerson()
	if p == nil {
		return
	}
	if !p.BiometricOptIn {
		v.setOptIn(p.ID, true)
		return
	}
	dialog.ShowConfirm(lang.L("Remove face recognition opt-in"),
		lang.L("PhotoVet will delete the face data stored for {{.Name}} and no longer recognise them. Their faces can still be assigned by hand. Continue?", map[string]any{"Name": p.DisplayName()}),
		func(ok bool) {
			if ok {
				v.setOptIn(p.ID, false)
			}
		}, v.win)
}

// setOptIn records or removes person id's biometric opt-in (R9).
func (v *registerView) setOptIn(id string, optIn bool) error {
	err := v.store.SetBiometricOptIn(v.ctx, id, optIn, v.today())
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		err = fmt.Errorf("set face recognition opt-in of %s: %w", id, err)
		v.showError(lang.L("The opt-in could not be changed."), err)
		return err
	}
	v.refresh()
	if err != nil { // removed, but the deleted face data is still on the disk
		v.showResult(lang.L("Face data deleted"), regCapital(errorText(err)))
	}
	return err
}

// askRemove removes the selected person from the register after asking.
func (v *registerView) askRemove() {
	p := v.selectedPerson()
	if p == nil {
		return
	}
	dialog.ShowConfirm(lang.L("Remove from register"),
		lang.L("Remove {{.Name}} from the register, with their consents and face data? Photos already published stay in the record. Do this when someone has left the school.", map[string]any{"Name": p.DisplayName()}),
		func(ok bool) {
			if ok {
				v.remove(p.ID)
			}
		}, v.win)
}

// remove deletes person id from the register.
func (v *registerView) remove(id string) error {
	err := v.store.RemovePerson(v.ctx, id)
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		err = fmt.Errorf("remove %s: %w", id, err)
		v.showError(lang.L("The person could not be removed."), err)
		return err
	}
	v.refresh()
	if err != nil { // removed, but their deleted face data is still on the disk
		v.showResult(lang.L("Person removed"), regCapital(errorText(err)))
	}
	return err
}

func (v *registerView) selectedPerson() *consent.Person {
	if v.reg == nil {
		return nil
	}
	return v.reg.People[v.selected]
}

// --- Dialogs ---

// regResultContent shows lines of text, wrapped, scrolling when they are
// many. Its height is estimated from the text, since a wrapping label knows
// its height only once it has a width.
func regResultContent(lines []string) fyne.CanvasObject {
	const width = 560
	l := widget.NewLabel(strings.Join(lines, "\n"))
	l.Wrapping = fyne.TextWrapWord
	size, style := theme.TextSize(), fyne.TextStyle{}
	textWidth := float64(width - 2*theme.InnerPadding())
	rows := 0
	for _, line := range lines {
		// Wrapping at words leaves part of each row empty: count 15% more.
		w := float64(fyne.MeasureText(line, size, style).Width) * 1.15
		rows += max(1, int(math.Ceil(w/textWidth)))
	}
	lineHeight := fyne.MeasureText("Mg", size, style).Height + theme.LineSpacing()
	height := float32(rows)*lineHeight + 2*theme.InnerPadding()
	s := container.NewVScroll(l)
	s.SetMinSize(fyne.NewSize(width, min(height, 400)))
	return s
}

// showResult shows lines of text in a dialog with a Close button.
func (v *registerView) showResult(title string, lines ...string) {
	v.showDialog(dialog.NewCustom(title, lang.L("Close"), regResultContent(lines), v.win))
}

// showError shows what went wrong, with the error's details below.
func (v *registerView) showError(what string, err error) {
	v.showResult(lang.L("Something went wrong"), problemLines(what, err)...)
}

func (v *registerView) showDialog(d dialog.Dialog) { d.Show() }

// --- Words ---

// regChannel is a channel's name in the user's language.
func regChannel(channel string) string { return channelName(channel) }

// regCapital starts s with a capital letter, for a heading or an option
// ("Website" where a sentence says "website").
func regCapital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// regRole is a role in the user's language.
func regRole(r consent.Role) string {
	if r == consent.Staff {
		return lang.L("Staff")
	}
	return lang.L("Child")
}

// regUnit is a unit type in the user's language.
func regUnit(u consent.Unit) string {
	switch u {
	case consent.EarlyChildhood:
		return lang.L("Early childhood")
	case consent.School:
		return lang.L("School")
	case consent.UpperSecondary:
		return lang.L("Upper secondary")
	}
	return string(u)
}

// --- Take-downs ---

// registerTakedowns lists the take-down tasks (R7), each with a Done button.
type registerTakedowns struct {
	widget.BaseWidget
	v        *registerView
	tasks    []consent.Takedown
	hint     *widget.Label
	showDone *widget.Check
	list     *widget.List
}

func newRegisterTakedowns(v *registerView) *registerTakedowns {
	l := &registerTakedowns{v: v}
	l.hint = widget.NewLabel("")
	l.hint.Wrapping = fyne.TextWrapWord
	l.showDone = widget.NewCheck(lang.L("Also show the finished ones"), func(bool) { l.load() })
	l.list = widget.NewList(
		func() int { return len(l.tasks) },
		func() fyne.CanvasObject {
			text := widget.NewLabel("\n")
			text.Wrapping = fyne.TextWrapWord
			done := widget.NewButtonWithIcon(lang.L("Done"), theme.ConfirmIcon(), nil)
			done.Importance = widget.HighImportance
			finished := widget.NewLabel("")
			return container.NewBorder(nil, nil, nil, container.NewStack(done, finished), text)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(l.tasks) {
				return
			}
			t := l.tasks[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(l.describe(t))
			right := c.Objects[1].(*fyne.Container)
			done, finished := right.Objects[0].(*widget.Button), right.Objects[1].(*widget.Label)
			if t.DoneOn.IsZero() {
				done.OnTapped = func() { l.markDone(t.ID) }
				done.Show()
				finished.Hide()
			} else {
				done.Hide()
				finished.SetText(lang.L("Done on {{.Date}}", map[string]any{"Date": t.DoneOn.String()}))
				finished.Show()
			}
		})
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer implements fyne.Widget.
func (l *registerTakedowns) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(container.NewVBox(l.hint, l.showDone, widget.NewSeparator()), nil, nil, nil, l.list))
}

func (l *registerTakedowns) describe(t consent.Takedown) string {
	name := t.PersonName
	if name == "" {
		name = lang.L("someone who has left the register ({{.ID}})", map[string]any{"ID": t.PersonID})
	}
	return name + " · " + regTakedownLine(t) + "\n" +
		lang.L("To be removed from {{.Date}}: consent ended then.", map[string]any{"Date": t.WithdrawnOn.String()})
}

// load reloads the tasks from the register.
func (l *registerTakedowns) load() {
	tasks, err := l.v.store.Takedowns(l.v.ctx, l.showDone.Checked)
	open := 0
	for _, t := range tasks {
		if t.DoneOn.IsZero() {
			open++
		}
	}
	l.tasks = tasks
	switch {
	case err != nil:
		l.hint.SetText(lang.L("The take-down list could not be read: {{.Error}}", map[string]any{"Error": err.Error()}))
	case open == 0:
		l.hint.SetText(lang.L("Nothing to take down. When someone withdraws a consent, the photos already published with them appear here."))
	default:
		l.hint.SetText(lang.L("These published photos show someone who withdrew their consent (open tasks: {{.Count}}). Remove each photo from its channel (delete the post, or the file on the website), then press \"Done\".", map[string]any{"Count": open}))
	}
	title := lang.L("Take-downs")
	if open > 0 {
		title = lang.L("Take-downs ({{.Count}})", map[string]any{"Count": open})
	}
	if tab := l.v.takedownTab; tab != nil && tab.Text != title {
		tab.Text = title
		l.v.tabs.Refresh()
	}
	l.list.Refresh()
}

// markDone records that the photo of task id was taken down today.
func (l *registerTakedowns) markDone(id int64) error {
	if err := l.v.store.MarkTakedownDone(l.v.ctx, id, l.v.today()); err != nil {
		err = fmt.Errorf("mark take-down %d done: %w", id, err)
		l.v.showError(lang.L("The task could not be marked done."), err)
		return err
	}
	l.load()
	return nil
}
