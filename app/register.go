package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// registerView is the Register part of the main window: the children and
// staff with their consent per channel at a glance, the roster import,
// portrait enrolment, withdrawals, the take-down list and the settings.
// It shows what the consent package decides and holds no rules of its own.
//
// This file is the list of people; each action has a file of its own
// (roster.go, enrol.go, person.go, takedowns.go, published.go, settings.go). Every
// method runs on the UI goroutine, except the background work of
// refresh, importRoster, enrol and askWithdrawable, which hands its
// results back through fyne.Do.
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
	work sync.WaitGroup

	// What the widgets show.
	reg      *consent.Register
	loadErr  error
	everyone []*consent.Person // the register's people, sorted
	people   []*consent.Person // the table's rows: those the search finds
	enrolled map[string]int    // reference descriptors per person id
	columns  []column
	selected string // the selected person's id, "" for none
	// selection counts the selections shown (showSelection), so that an
	// answer asked for an earlier one is not shown for this one.
	selection int
	// loads counts the reads of the register asked for (refresh), so that
	// only the answer to the last one is shown: its goroutine drops a
	// replaced answer, and showRead checks again.
	loads atomic.Int64
	// reading is set while the last read has not been shown.
	reading bool

	tabs         *container.AppTabs
	peopleTab    *container.TabItem
	takedownTab  *container.TabItem
	publishedTab *container.TabItem
	settingsTab  *container.TabItem
	hint         *widget.Label // what to do next
	summary      *widget.Label
	search       *widget.Entry
	table        *widget.Table
	details      *widget.Label
	importButton *widget.Button
	enrolButton  *widget.Button
	withdrawBtn  *widget.Button
	optInButton  *widget.Button
	removeButton *widget.Button
	progress     *jobProgress
	takedowns    *takedownList
	published    *publishedList
	settings     *registerSettings

	// peopleArea is the People tab's content, laid out again when the
	// hint's height changes (setHint).
	peopleArea *fyne.Container

	// detailsScroll shows three lines of details: each person's start at
	// the top, so that their name and the reason Withdraw is disabled are
	// in view.
	detailsScroll *container.Scroll
}

// column is one column of the people table.
type column struct {
	title   string
	channel string // the channel whose consent the column shows, "" for others
	cell    func(p *consent.Person) (string, fyne.Resource)
	name    bool // the column of names
}

// newRegisterView builds the register view, empty until refresh (the
// main window calls it when its tab is opened). faces
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
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder(lang.L("Type a name, group or id"))
	v.search.OnChanged = func(string) { v.showPeople() }
	v.details = widget.NewLabel("")
	v.details.Wrapping = fyne.TextWrapWord

	v.importButton = widget.NewButtonWithIcon(lang.L("Import roster CSV..."), theme.FileIcon(), v.chooseRoster)
	v.enrolButton = widget.NewButtonWithIcon(lang.L("Enrol portraits..."), theme.AccountIcon(), v.choosePortraits)
	template := widget.NewButtonWithIcon(lang.L("Save template CSV..."), theme.DocumentSaveIcon(), v.chooseTemplateTarget)
	v.withdrawBtn = widget.NewButtonWithIcon(lang.L("Withdraw consent..."), theme.ContentRemoveIcon(), v.askWithdraw)
	v.optInButton = widget.NewButton(lang.L("Record face recognition opt-in"), v.toggleOptIn)
	v.removeButton = widget.NewButtonWithIcon(lang.L("Remove from register..."), theme.DeleteIcon(), v.askRemove)

	v.progress = newJobProgress()
	v.table = v.newTable()
	v.takedowns = newTakedownList(v.ctx, win, store, func() consent.Date { return v.today() }, v.countTakedowns)
	v.published = newPublishedList(v.displayName)
	v.settings = newRegisterSettings(v)

	// The table gets most of the height: on a school laptop's 1366x768
	// screen it showed six rows, under a row each for the actions, the
	// counts and the search, and over six lines of details. The search
	// shares the actions' row, the counts the person actions' row, and
	// the details show three lines and scroll.
	actions := container.NewHBox(v.importButton, v.enrolButton, template)
	search := container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, v.search)
	top := container.NewVBox(v.hint, container.NewBorder(nil, nil, actions, nil, search), v.progress.box)
	v.detailsScroll = container.NewVScroll(v.details)
	v.detailsScroll.SetMinSize(fyne.NewSize(0, 3*theme.TextSize()*1.6))
	v.summary.Truncation = fyne.TextTruncateEllipsis // whole at 1366 px; never widens the window
	v.summary.Alignment = fyne.TextAlignTrailing
	personActions := container.NewBorder(nil, nil, container.NewHBox(v.withdrawBtn, v.optInButton, v.removeButton), nil, v.summary)
	bottom := container.NewVBox(widget.NewSeparator(), v.detailsScroll, personActions)
	people := container.NewBorder(top, bottom, nil, nil, container.New(tableFit{v}, v.table))
	v.peopleArea = people

	v.peopleTab = container.NewTabItemWithIcon(lang.L("People"), theme.AccountIcon(), people)
	v.takedownTab = container.NewTabItemWithIcon(lang.L("Take-downs"), theme.WarningIcon(), v.takedowns)
	v.publishedTab = container.NewTabItemWithIcon(lang.L("Published"), theme.MediaPhotoIcon(), v.published)
	v.settingsTab = container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), container.NewVScroll(v.settings))
	v.tabs = container.NewAppTabs(v.peopleTab, v.takedownTab, v.publishedTab, v.settingsTab)
	v.showSelection() // nobody: the person actions wait for the register
	return v
}

// displayName is the display name of person id in the register as last
// loaded, "" when they are not in it (any more).
func (v *registerView) displayName(id string) string {
	if v.reg == nil || v.reg.People[id] == nil {
		return ""
	}
	return v.reg.People[id].DisplayName()
}

// content is the view, to put in the main window.
func (v *registerView) content() fyne.CanvasObject { return v.tabs }

// registerWait is how long the window waits for a shared register to
// answer a read made off the UI goroutine (the register view's, the
// batch's job, askLedger's, askWithdrawable's) before it counts the
// register as unreadable: a slow or locked server must not leave the
// teacher waiting without a word, nor the photos undecided.
const registerWait = 5 * time.Second

// registerRead is what refresh reads from the register for the view.
type registerRead struct {
	reg                 *consent.Register
	regErr, enrolledErr error
	enrolled            map[string]int
	tasks               []consent.Takedown
	tasksErr            error
	pubs                []consent.Publication
	pubsErr             error
	showDone            bool // the take-downs were read with the finished ones
}

// refresh reloads everything from the register, off the UI goroutine: a
// shared register can take seconds to answer, and the window froze
// meanwhile each time the teacher opened the register's tab. The view
// says that it is reading and goes on showing the register as last read
// until the answer is in (showRead), within registerWait.
func (v *registerView) refresh() {
	asked := v.loads.Add(1)
	showDone := v.takedowns.showDone.Checked
	v.reading = true
	v.showHint()
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		ctx, cancel := context.WithTimeout(v.ctx, registerWait)
		defer cancel()
		r := registerRead{showDone: showDone}
		// The four reads wait for different tables: one locked by another
		// laptop does not hold up the others.
		var reads sync.WaitGroup
		reads.Go(func() { r.reg, r.regErr = v.store.Register(ctx) })
		reads.Go(func() { r.enrolled, r.enrolledErr = v.store.EnrolledCounts(ctx) })
		reads.Go(func() { r.tasks, r.tasksErr = v.store.Takedowns(ctx, showDone) })
		reads.Go(func() { r.pubs, r.pubsErr = v.store.Publications(ctx) })
		reads.Wait()
		if v.loads.Load() == asked { // else the view asked again since
			fyne.Do(func() { v.showRead(asked, r) })
		}
	}()
}

// showRead shows what refresh read, unless the view asked the register
// again since: an earlier answer that comes late (a server that was busy)
// must not replace a later one.
func (v *registerView) showRead(asked int64, r registerRead) {
	if asked != v.loads.Load() {
		return
	}
	v.reading = false
	reg, err := r.reg, r.regErr
	if err != nil {
		reg, err = nil, fmt.Errorf("load the register: %w", err)
	}
	v.reg, v.loadErr = reg, err
	v.everyone = reg.SortedPeople()
	if r.enrolledErr == nil {
		v.enrolled = r.enrolled
	} else if v.loadErr == nil {
		v.loadErr = r.enrolledErr
	}
	v.columns = v.makeColumns()
	if v.reg != nil {
		v.settings.load(v.reg.Settings)
	}
	v.showPeople()
	if r.showDone == v.takedowns.showDone.Checked { // else ticked meanwhile, and read then
		v.takedowns.show(r.tasks, r.tasksErr)
	}
	v.published.show(r.pubs, r.pubsErr)
}

// showPeople fills the table with the people the search finds.
func (v *registerView) showPeople() {
	v.people = nil
	for _, p := range v.everyone {
		if personMatches(p, v.search.Text) {
			v.people = append(v.people, p)
		}
	}
	v.fitColumns()
	// From the top: the table keeps its offset when it gets fewer rows,
	// and a search's rows came below the table's edge, their names alone
	// under a blank row (the first column is sticky).
	v.table.ScrollToTop()
	v.table.Refresh()
	// The selection follows the person, whose row may have moved.
	if row := v.rowOf(v.selected); row >= 0 {
		v.table.Select(widget.TableCellID{Row: row, Col: 0})
	} else {
		v.selected = ""
		v.table.UnselectAll()
	}
	v.showSelection()
	v.showHint()
}

// showHint says what the teacher can do next, and counts the people.
func (v *registerView) showHint() {
	v.summary.SetText("")
	switch {
	case v.reading:
		// The table shows the register as last read meanwhile.
		v.setHint(lang.L("Reading the register..."))
		return
	case v.loadErr != nil:
		v.setHint(lang.L("The register could not be read: {{.Error}}. Close PhotoVet and open it again; if this stays, ask your IT contact.",
			map[string]any{"Error": v.loadErr.Error()}))
		return
	case len(v.everyone) == 0:
		v.setHint(lang.L("The register is empty. Press \"Import roster CSV...\" and choose the list of children and staff exported from your school's administration system. \"Save template CSV...\" gives you an example file to start from."))
		return
	}
	children, staff, optedIn, enrolled := 0, 0, 0, 0
	for _, p := range v.everyone {
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
	summary := lang.L("Children: {{.Children}}. Staff: {{.Staff}}. Recognised by face: {{.Enrolled}}.",
		map[string]any{"Children": children, "Staff": staff, "Enrolled": enrolled})
	if len(v.people) < len(v.everyone) {
		summary += " " + lang.L("Found by the search: {{.Count}}.", map[string]any{"Count": len(v.people)})
	}
	v.summary.SetText(summary)
	if optedIn > 0 && enrolled == 0 {
		v.setHint(lang.L("Next: press \"Enrol portraits...\" and choose the folder of portrait photos, each named by the person's id (for example S-1001.jpg), so that PhotoVet recognises the children and staff whose face recognition opt-in is recorded."))
		return
	}
	v.setHint(lang.L("\"Yes\" means the person may be shown on that channel today; \"No\" means their face will be hidden. Select a person to see their consents or to withdraw one."))
}

// setHint shows text above the table. The table moves with the
// hint's height: a hint of two lines (in Finnish), after the one line of
// "Reading the register...", was drawn over the table's headings.
func (v *registerView) setHint(text string) {
	if v.hint.Text == text {
		return
	}
	v.hint.SetText(text)
	if v.peopleArea != nil {
		v.peopleArea.Refresh()
	}
}

// makeColumns lists the table's columns: who, one per channel, and face
// recognition.
func (v *registerView) makeColumns() []column {
	cols := []column{
		{title: lang.L("Name"), name: true, cell: func(p *consent.Person) (string, fyne.Resource) { return p.DisplayName(), nil }},
		{title: lang.L("Group"), cell: func(p *consent.Person) (string, fyne.Resource) { return p.Group, nil }},
		{title: lang.L("Role"), cell: func(p *consent.Person) (string, fyne.Resource) { return roleLabel(p.Role), nil }},
		{title: lang.L("Unit type"), cell: func(p *consent.Person) (string, fyne.Resource) { return unitLabel(p.Unit), nil }},
	}
	if v.reg == nil {
		return cols
	}
	for _, ch := range v.reg.Settings.Channels {
		cols = append(cols, column{title: channelName(ch), channel: ch,
			cell: func(p *consent.Person) (string, fyne.Resource) {
				return consentMark(consent.ChannelState(p, v.reg.Settings, ch, v.today()))
			}})
	}
	return append(cols, column{title: lang.L("Face recognition"), cell: v.faceCell})
}

// tableFit lays the people table out over its whole space, its columns
// fitted to the width (registerView.fitColumns).
type tableFit struct{ v *registerView }

// Layout lets the table fill size, and fits the columns when its width
// changed.
func (f tableFit) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	widthChanged := f.v.table.Size().Width != size.Width
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	if widthChanged {
		f.v.fitColumns()
	}
}

// MinSize is the table's own: the columns shrink to fit, not the window.
func (f tableFit) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return objects[0].MinSize()
}

// fitColumns sets the table's column widths: each as wide as its heading
// and its widest cell (columnWidth) when the table has room, and else
// narrower, each by a share of what it has over its floor (columnFloor),
// the names last, so that every column shows: the Dutch and Finnish
// tables ran off the window's right edge, and the face recognition
// column was cut in every language. Cells then shorten with an ellipsis;
// headings stay whole.
func (v *registerView) fitColumns() {
	width := make([]float32, len(v.columns))
	floor := make([]float32, len(v.columns))
	var total float32
	for i, c := range v.columns {
		width[i] = v.columnWidth(c)
		floor[i] = min(width[i], v.columnFloor(c))
		total += width[i]
	}
	// The table puts a padding between columns, with a divider in it.
	tableWidth := v.table.Size().Width // 0 before its first layout
	room := tableWidth - float32(len(v.columns))*theme.Padding()
	for _, names := range []bool{false, true} {
		excess := total - room
		if tableWidth == 0 || excess <= 0 {
			break
		}
		var spare float32
		for i, c := range v.columns {
			if c.name == names {
				spare += width[i] - floor[i]
			}
		}
		if spare <= 0 {
			continue
		}
		share := min(1, excess/spare)
		for i, c := range v.columns {
			if c.name == names {
				cut := (width[i] - floor[i]) * share
				width[i] -= cut
				total -= cut
			}
		}
	}
	for i, w := range width {
		v.table.SetColumnWidth(i, w)
	}
}

// cellPadding is what a label in a cell or heading needs beside its text,
// and a little to spare.
func cellPadding() float32 { return 2*theme.InnerPadding() + theme.Padding()/2 }

// columnWidth fits a column to its heading and its widest cell, up to a
// limit (longer names are shortened with an ellipsis).
func (v *registerView) columnWidth(c column) float32 {
	w := headingWidth(c)
	for _, p := range v.people {
		text, icon := c.cell(p)
		cw := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width + cellPadding()
		if icon != nil {
			cw += theme.IconInlineSize() + theme.Padding()
		}
		w = max(w, cw)
	}
	return min(w, 320)
}

// headingWidth is the width the column's heading needs.
func headingWidth(c column) float32 {
	return fyne.MeasureText(c.title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + cellPadding()
}

// columnFloor is the narrowest a column becomes to fit the table: its
// heading whole, a channel's "Yes" and "No" whole, and room for a
// name.
func (v *registerView) columnFloor(c column) float32 {
	w := headingWidth(c)
	switch {
	case c.channel != "":
		for _, s := range []consent.ConsentState{consent.ConsentGiven, consent.ConsentMissing} {
			text, _ := consentMark(s)
			w = max(w, fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width+cellPadding()+theme.IconInlineSize()+theme.Padding())
		}
	case c.name:
		w = max(w, 100)
	}
	return w
}

// consentMark is a consent state as a word and an icon.
func consentMark(s consent.ConsentState) (string, fyne.Resource) {
	switch s {
	case consent.ConsentGiven:
		return lang.L("Yes"), theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case consent.ConsentWithdrawn:
		return lang.L("Withdrawn"), theme.NewErrorThemedResource(theme.ContentUndoIcon())
	case consent.NeverShown:
		return lang.L("Never"), theme.NewDisabledResource(theme.VisibilityOffIcon())
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
	return slices.IndexFunc(v.columns, func(c column) bool { return c.channel == channel })
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
	// Only a new person is shown: showPeople selects the row the selected
	// person moved to and shows them itself, once (each showing asks the
	// register, askWithdrawable).
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(v.people) && v.people[id.Row].ID != v.selected {
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
	v.selection++
	v.detailsScroll.ScrollToTop()
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
	v.optInButton.Enable()
	v.removeButton.Enable()
	if p.BiometricOptIn {
		v.optInButton.SetText(lang.L("Remove face recognition opt-in..."))
	} else {
		v.optInButton.SetText(lang.L("Record face recognition opt-in"))
	}
	details := v.describe(p)
	v.details.SetText(details)
	v.withdrawBtn.Enable()
	v.askWithdrawable(p, details)
}

// askWithdrawable asks the register, off the UI goroutine, whether
// withdrawing p's consent would change anything: a shared register can
// take seconds to answer, and the window froze meanwhile. Withdraw stays
// offered until the answer is in, and when the register cannot say (an
// error, no answer within 5 s): a needless withdrawal does no harm, a
// take-down not made does.
func (v *registerView) askWithdrawable(p *consent.Person, details string) {
	asked := v.selection
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		ctx, cancel := context.WithTimeout(v.ctx, registerWait)
		defer cancel()
		if something, err := v.store.HasSomethingToWithdraw(ctx, p); err == nil && !something {
			fyne.Do(func() { v.showNothingToWithdraw(asked, details) })
		}
	}()
}

// showNothingToWithdraw takes Withdraw away, as the register answered
// askWithdrawable, unless the selection changed since it was asked: a late
// answer about the person selected before must not take Withdraw from
// the one selected now.
func (v *registerView) showNothingToWithdraw(asked int, details string) {
	if asked != v.selection {
		return
	}
	v.withdrawBtn.Disable()
	// First: the details show three lines, and a disabled button whose
	// reason is out of view says nothing.
	v.details.SetText(lang.L("Nothing to withdraw: no consent is recorded for this person, and no publication shows them.") + "\n" + details)
	v.detailsScroll.ScrollToTop()
}

// personMatches reports whether the search query finds p: by name,
// group, role or id, whatever the case.
func personMatches(p *consent.Person, query string) bool {
	query = strings.ToLower(strings.TrimSpace(query))
	return query == "" || strings.Contains(strings.ToLower(personLine(p)), query)
}

// selectedPerson is the person selected in the table, nil for none.
func (v *registerView) selectedPerson() *consent.Person {
	if v.reg == nil {
		return nil
	}
	return v.reg.People[v.selected]
}

// countTakedowns shows the number of open take-down tasks in the tab's
// title.
func (v *registerView) countTakedowns(open int) {
	title := lang.L("Take-downs")
	if open > 0 {
		title = lang.L("Take-downs ({{.Count}})", map[string]any{"Count": open})
	}
	if tab := v.takedownTab; tab != nil && tab.Text != title {
		tab.Text = title
		v.tabs.Refresh()
	}
}

// showError shows what went wrong, with the error's details below.
func (v *registerView) showError(what string, err error) { showProblem(v.win, what, err) }

// showResult shows lines of text in a dialog with a Close button.
func (v *registerView) showResult(title string, lines ...string) { showResult(v.win, title, lines...) }

// startJob shows the progress of a background job and disables what
// must wait; stop, when not nil, lets Cancel stop it. It reports false,
// and says so, when another job is still running.
func (v *registerView) startJob(what string, stop context.CancelFunc) bool {
	if v.progress.running() {
		v.showResult(lang.L("Please wait"), lang.L("PhotoVet is still busy with the last task. Try again when it is finished."))
		return false
	}
	v.progress.start(what, stop)
	v.importButton.Disable()
	v.enrolButton.Disable()
	return true
}

// endJob hides the progress and enables what had to wait.
func (v *registerView) endJob() {
	v.progress.end()
	v.importButton.Enable()
	v.enrolButton.Enable()
}
