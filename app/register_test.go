package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// testDay is the day the register tests run on: inside the template
// roster's validity period.
var testDay = consent.NewDate(2026, 11, 21)

// newTestRegister opens an empty register in a temporary folder and shows
// its view in a test window.
func newTestRegister(t *testing.T, faces *vet.Faces) (*registerView, fyne.Window, *consent.Store) {
	t.Helper()
	test.NewTempApp(t)
	store, err := consent.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	v := newRegisterView(w, store, faces)
	v.today = func() consent.Date { return testDay }
	v.refresh()
	waitForWork(t, v)
	w.SetContent(v.content())
	w.Resize(fyne.NewSize(1900, 1000))
	return v, w, store
}

// importTemplate imports the template roster through the view, as the
// file dialog's callback does, and waits for it.
func importTemplate(t *testing.T, v *registerView) {
	t.Helper()
	v.importRoster(io.NopCloser(bytes.NewReader(assets.RosterTemplateCSV)))
	v.work.Wait()
	if len(v.people) == 0 {
		t.Fatalf("the template roster imported nobody; the dialog says:\n%s", dialogText(v))
	}
}

// visibleObjects returns the visible objects under o, through the widgets'
// cached renderers.
func visibleObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	var all []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		all = append(all, o)
		switch x := o.(type) {
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return all
}

// visibleTexts returns the visible text under o, a line per text object.
func visibleTexts(o fyne.CanvasObject) string {
	var lines []string
	for _, o := range visibleObjects(o) {
		if t, ok := o.(*canvas.Text); ok {
			lines = append(lines, t.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// flatText is text with its line breaks (wrapping) made spaces.
func flatText(s string) string { return strings.Join(strings.Fields(s), " ") }

// dialogText is the text of the dialog on top of the window, "" when none.
func dialogText(v *registerView) string {
	top := v.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return flatText(visibleTexts(top))
}

// closeDialogs removes every dialog from the window.
func closeDialogs(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// cellAt is the table's text for person id in the column of channel, or in
// the face recognition column when channel is "".
func cellAt(t *testing.T, v *registerView, id, channel string) string {
	t.Helper()
	row := v.rowOf(id)
	col := len(v.columns) - 1
	if channel != "" {
		col = v.columnOf(channel)
	}
	if row < 0 || col < 0 {
		t.Fatalf("no cell for %s, channel %q (row %d, column %d)", id, channel, row, col)
	}
	text, _ := v.cell(row, col)
	return text
}

func TestRegisterImportTemplate(t *testing.T) {
	v, _, store := newTestRegister(t, nil)
	if !strings.Contains(v.hint.Text, "Import roster CSV") {
		t.Errorf("an empty register says %q, want it to say to import a roster", v.hint.Text)
	}
	if v.withdrawBtn.Disabled() == false {
		t.Error("Withdraw is enabled with nobody selected")
	}

	importTemplate(t, v)
	reg, err := store.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.people) != len(reg.People) {
		t.Errorf("the table has %d rows, the register %d people", len(v.people), len(reg.People))
	}
	if got, want := dialogText(v), fmt.Sprintf("The roster was imported. New people: %d. Updated: 0.", len(reg.People)); !strings.Contains(got, want) {
		t.Errorf("the import dialog says:\n%s\nwant the count of people imported", got)
	}
	if !strings.Contains(v.hint.Text, "Enrol portraits") {
		t.Errorf("after the import the hint says %q, want the next step: enrol portraits", v.hint.Text)
	}

	// The consent marks, as the rules decide them on the test day.
	for _, c := range []struct{ id, channel, want string }{
		{"S-1001", "instagram", "Yes"}, // guardian and pupil
		{"S-1001", "x", "No"},          // nobody agreed
		{"S-1003", "instagram", "No"},  // guardian only, under 15
		{"S-1004", "instagram", "Yes"}, // 15: own consent
		{"L-2001", "website", "Never"}, // early childhood child
		{"T-9001", "instagram", "Yes"}, // staff, own consent
		{"S-1001", "", "Opted in, no portrait yet"},
		{"S-1003", "", "No opt-in"},
	} {
		if got := cellAt(t, v, c.id, c.channel); got != c.want {
			t.Errorf("%s, %q: the table shows %q, want %q", c.id, c.channel, got, c.want)
		}
	}

	// What is on screen: names, channel headings and marks.
	shown := visibleTexts(v.table)
	for _, want := range []string{"Name", "Instagram", "Face recognition", "Anna de Vries", "Marja Lehtonen", "Yes", "No", "Never"} {
		if !slices.Contains(strings.Split(shown, "\n"), want) {
			t.Errorf("the table does not show %q; it shows:\n%s", want, shown)
		}
	}

	// Selecting a person shows their consents and enables the actions.
	v.selectPerson("S-1001")
	waitForWork(t, v)
	if v.selected != "S-1001" || v.withdrawBtn.Disabled() {
		t.Errorf("selecting Anna: selected %q, withdraw disabled %v", v.selected, v.withdrawBtn.Disabled())
	}
	if !strings.Contains(v.details.Text, "Anna de Vries") || !strings.Contains(v.details.Text, "Instagram") {
		t.Errorf("the details of Anna say %q", v.details.Text)
	}
}

// TestWithdrawOnlyWhatIsRecorded: Withdraw is offered for a person with
// a photo or work consent on record, or shown by a published photo after
// a roster import removed their consents (the withdrawal makes the
// take-downs); not for one with neither, and the details say why (it was
// offered, and recorded a withdrawal of nothing), in view.
func TestWithdrawOnlyWhatIsRecorded(t *testing.T) {
	ctx := context.Background()
	v, _, store := newTestRegister(t, nil)
	header := "id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until\n"
	people := `C1,Ada Test,child,3B,school,2016-04-12,website,website,,no,2026-08-17,2027-07-31
C2,Ben Test,child,3B,school,2016-09-30,,,print,no,2026-08-17,2027-07-31
C3,Cas Test,child,3B,school,2016-05-01,,,,no,,
`
	if _, err := store.ImportRoster(ctx, strings.NewReader(header+people+"C4,Dee Test,child,3B,school,2016-06-01,website,website,,no,2026-08-17,2027-07-31\n"), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	claim, err := store.ClaimExport(ctx, consent.Publication{
		OriginalSHA256:       strings.Repeat("cd", 32),
		Folder:               "/exports/trip",
		Channel:              "website",
		Date:                 testDay,
		VettedBy:             "Pieter de Boer",
		Photographer:         "Jan Smit",
		PhotographerChannels: []string{"website"},
		Faces:                []consent.PublishedFace{{PersonID: "C4", Visible: true}},
	}, consent.ClaimOptions{Temp: ".photovet-export-TEST.partial", Create: func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishExport(ctx, claim.PublicationID); err != nil {
		t.Fatal(err)
	}
	// The next roster no longer holds Dee's consent; her photo is online.
	if _, err := store.ImportRoster(ctx, strings.NewReader(header+people+"C4,Dee Test,child,3B,school,2016-06-01,,,,no,,\n"), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	v.refresh()
	waitForWork(t, v)
	const nothing = "Nothing to withdraw: no consent is recorded for this person, and no publication shows them."
	for _, c := range []struct {
		id      string
		offered bool
	}{{"C1", true}, {"C2", true}, {"C3", false}, {"C4", true}} {
		// The teacher read the last person's details to their end.
		v.detailsScroll.ScrollToBottom()
		v.selectPerson(c.id)
		waitForWork(t, v)
		if v.selected != c.id {
			t.Fatalf("selecting %s selected %q", c.id, v.selected)
		}
		if offered := !v.withdrawBtn.Disabled(); offered != c.offered {
			t.Errorf("%s: withdraw offered %v, want %v", c.id, offered, c.offered)
		}
		if said := strings.Contains(v.details.Text, nothing); said == c.offered {
			t.Errorf("%s: the details say %q; want the reason said only when Withdraw is not offered", c.id, v.details.Text)
		}
		// The details show three lines: the reason comes first, and each
		// person's details start at the top (they opened where the last
		// person's were scrolled to, the reason on the sixth line).
		if !c.offered && !strings.HasPrefix(v.details.Text, nothing) {
			t.Errorf("%s: the details say %q; want the reason Withdraw is disabled first", c.id, v.details.Text)
		}
		if off := v.detailsScroll.Offset.Y; off != 0 {
			t.Errorf("%s: the details open scrolled down by %.0f px, want at the top", c.id, off)
		}
	}
}

// TestRegisterImportBadRoster: a roster with mistakes imports nobody, and
// the dialog names each bad line and column, as the file writes the
// column, with the problem in the teacher's language; a refused setting
// says why in that language too.
func TestRegisterImportBadRoster(t *testing.T) {
	for _, tc := range []struct {
		lang, header string
		want         []string
		setting      string // what saving an own-consent age of 40 says
	}{
		{"en", "id,name,role,group,unit,birth_date,guardian_consent,pupil_consent",
			[]string{"Nothing was imported", `line 3, birth_date: date "31.02.2018" does not exist`, `line 4, guardian_consent: unknown channel "tiktok"`},
			"own-consent age 40: want 1 to 25"},
		{"nl", "nummer,naam,rol,groep,eenheid,geboortedatum,toestemming_ouder,toestemming_leerling",
			[]string{"Er is niets geïmporteerd", `regel 3, geboortedatum: datum "31.02.2018" bestaat niet`, `regel 4, toestemming_ouder: onbekend kanaal "tiktok"`},
			"leeftijd voor eigen toestemming 40: kies 1 tot 25"},
		{"fi", "tunnus,nimi,rooli,ryhmä,yksikkö,syntymäaika,huoltajan_lupa,oppilaan_lupa",
			[]string{`rivi 3, syntymäaika: päivämäärää "31.02.2018" ei ole olemassa`, `rivi 4, huoltajan_lupa: tuntematon kanava "tiktok"`},
			"oman suostumuksen ikä 40: valitse 1–25"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			v, _, store := newTestRegister(t, nil)
			if err := setUpLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { setUpLanguage("en") })
			bad := tc.header + "\n" +
				"C1,Ada,child,1A,school,2018-01-01,website,website\n" +
				"C2,Ben,child,1A,school,31.02.2018,website,website\n" +
				"C3,Cas,child,1A,school,2018-01-01,tiktok,website\n"
			v.importRoster(io.NopCloser(strings.NewReader(bad)))
			v.work.Wait()

			got := dialogText(v)
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("the dialog says:\n%s\nwant %q", got, want)
				}
			}
			if strings.Contains(got, " 2:") || strings.Contains(got, " 2,") {
				t.Errorf("the dialog blames the good line 2:\n%s", got)
			}
			reg, err := store.Register(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(reg.People) != 0 || len(v.people) != 0 {
				t.Errorf("a roster with bad lines imported %d people (table: %d rows)", len(reg.People), len(v.people))
			}
			if v.importButton.Disabled() || v.progress.running() {
				t.Error("the import button stays disabled after a failed import")
			}

			v.settings.age.SetText("40")
			if err := v.settings.saveForm(); err == nil || !strings.Contains(v.settings.status.Text, tc.setting) {
				t.Errorf("saving an own-consent age of 40 says %q (%v), want %q", v.settings.status.Text, err, tc.setting)
			}
		})
	}
}

func TestRegisterWithdrawAndTakedowns(t *testing.T) {
	ctx := context.Background()
	v, w, store := newTestRegister(t, nil)
	importTemplate(t, v)
	closeDialogs(w)
	published := consent.NewDate(2026, 11, 2)
	// An export to /exports/trip, as vet records it.
	claim, err := store.ClaimExport(ctx, consent.Publication{
		OriginalSHA256:       strings.Repeat("ab", 32),
		Folder:               "/exports/trip",
		Channel:              "instagram",
		Date:                 published,
		VettedBy:             "Pieter de Boer",
		Photographer:         "Jan Smit",
		PhotographerChannels: []string{"instagram"},
		Faces:                []consent.PublishedFace{{PersonID: "S-1001", Visible: true}, {PersonID: "S-1002"}},
		OriginalName:         "IMG_0042.jpg",
		Thumbnail:            thumbnailJPEG(t),
	}, consent.ClaimOptions{Temp: ".photovet-export-TEST.partial", Create: func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishExport(ctx, claim.PublicationID); err != nil {
		t.Fatal(err)
	}
	if v.takedownTab.Text != "Take-downs" || len(v.takedowns.tasks) != 0 {
		t.Fatalf("before any withdrawal: tab %q, %d tasks", v.takedownTab.Text, len(v.takedowns.tasks))
	}

	// Bram was on the photo but hidden: nothing to take down.
	v.withdrawAndShow("S-1002", consent.AllChannels, testDay)
	waitForWork(t, v)
	if got := dialogText(v); !strings.Contains(got, "nothing needs to be taken down") || !strings.Contains(got, "is hidden on every channel") {
		t.Errorf("withdrawing Bram's consent says:\n%s\nwant him hidden on every channel, and that nothing needs to be taken down", got)
	}
	closeDialogs(w)

	// The form offers every channel, "All channels" first, from today.
	v.selectPerson("S-1001")
	waitForWork(t, v)
	v.askWithdraw()
	if got := dialogText(v); !strings.Contains(got, "Anna de Vries") || !strings.Contains(got, "All channels") || !strings.Contains(got, "2026-11-21") {
		t.Errorf("the withdrawal form shows:\n%s\nwant Anna, All channels and today", got)
	}
	closeDialogs(w)

	// Anna was visible on it: one take-down task.
	v.withdrawAndShow("S-1001", "instagram", testDay)
	waitForWork(t, v)
	if tasks := v.takedowns.tasks; len(tasks) != 1 {
		t.Fatalf("withdrawing Anna's Instagram consent made %d take-down tasks, want 1", len(tasks))
	}
	got := dialogText(v)
	for _, want := range []string{"Anna de Vries is hidden on Instagram", "Instagram: /exports/trip/2026-11-02_instagram_001.jpg (the photo IMG_0042.jpg), published on 2026-11-02", "Show take-downs"} {
		if !strings.Contains(got, want) {
			t.Errorf("the withdrawal dialog says:\n%s\nwant %q", got, want)
		}
	}
	if got := cellAt(t, v, "S-1001", "instagram"); got != "Withdrawn" {
		t.Errorf("Anna's Instagram cell says %q after the withdrawal, want Withdrawn", got)
	}
	if got := cellAt(t, v, "S-1001", "website"); got != "Yes" {
		t.Errorf("Anna's website cell says %q after withdrawing Instagram only, want Yes", got)
	}
	if got := cellAt(t, v, "S-1002", "website"); got != "Withdrawn" {
		t.Errorf("Bram's website cell says %q after withdrawing all, want Withdrawn", got)
	}
	if !strings.Contains(v.details.Text, "Withdrawn for Instagram from 2026-11-21") {
		t.Errorf("Anna's details say %q, want the withdrawal", v.details.Text)
	}
	closeDialogs(w)

	// The take-down list shows the task with a Done button.
	v.tabs.Select(v.takedownTab)
	if v.takedownTab.Text != "Take-downs (1)" {
		t.Errorf("the tab says %q, want the open task counted", v.takedownTab.Text)
	}
	shown := flatText(visibleTexts(v.takedowns))
	if !strings.Contains(shown, "/exports/trip/2026-11-02_instagram_001.jpg") || !strings.Contains(shown, "Anna de Vries") {
		t.Errorf("the take-down list shows:\n%s\nwant Anna's photo", shown)
	}
	// With the picture of the export, so that staff find the post.
	var pictures int
	for _, o := range visibleObjects(v.takedowns.list) {
		if img, ok := o.(*canvas.Image); ok && img.Resource != nil && bytes.Equal(img.Resource.Content(), thumbnailJPEG(t)) {
			pictures++
		}
	}
	if pictures != 1 {
		t.Errorf("the take-down list shows %d pictures of the export, want 1", pictures)
	}
	var done *widget.Button
	for _, o := range visibleObjects(v.takedowns.list) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Done" && b.Visible() && b.OnTapped != nil {
			done = b
		}
	}
	if done == nil {
		t.Fatalf("no Done button in the take-down list:\n%s", shown)
	}
	test.Tap(done)
	open, err := store.Takedowns(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 0 {
		t.Errorf("after Done, %d tasks are open", len(open))
	}
	if len(v.takedowns.tasks) != 0 || !strings.Contains(v.takedowns.hint.Text, "Nothing to take down") || v.takedownTab.Text != "Take-downs" {
		t.Errorf("after Done the list holds %d tasks, says %q, tab %q", len(v.takedowns.tasks), v.takedowns.hint.Text, v.takedownTab.Text)
	}
	v.takedowns.showDone.SetChecked(true)
	if len(v.takedowns.tasks) != 1 || !strings.Contains(flatText(visibleTexts(v.takedowns)), "Done on 2026-11-21") {
		t.Errorf("showing finished tasks: %d tasks, list shows:\n%s", len(v.takedowns.tasks), visibleTexts(v.takedowns))
	}

	// The Published tab keeps the export for later: its picture, the
	// photo it came from, who vetted it and who is on it.
	v.tabs.Select(v.publishedTab)
	v.refresh()
	waitForWork(t, v)
	shownPublished := flatText(visibleTexts(v.published))
	for _, want := range []string{"exported and recorded", "Instagram: /exports/trip/2026-11-02_instagram_001.jpg (the photo IMG_0042.jpg), published on 2026-11-02",
		"Vetted by Pieter de Boer; taken by Jan Smit.", "Visible: Anna de Vries; 1 face"} {
		if !strings.Contains(shownPublished, want) {
			t.Errorf("the Published tab shows:\n%s\nwant %q", shownPublished, want)
		}
	}
	pictures = 0
	for _, o := range visibleObjects(v.published.list) {
		if img, ok := o.(*canvas.Image); ok && img.Resource != nil && bytes.Equal(img.Resource.Content(), thumbnailJPEG(t)) {
			pictures++
		}
	}
	if pictures != 1 {
		t.Errorf("the Published tab shows %d pictures of the export, want 1", pictures)
	}
}

func TestRegisterSettings(t *testing.T) {
	ctx := context.Background()
	v, _, store := newTestRegister(t, nil)
	s := v.settings
	dir, err := store.Dir(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.dataDir.Text != dir {
		t.Errorf("the data folder shows %q, want %q", s.dataDir.Text, dir)
	}
	if s.age.Text != "15" || s.strictness.Selected != "Recommended" || s.channels.Text != "website, facebook, instagram, x, linkedin, newsletter, print" {
		t.Errorf("the form shows the defaults as age %q, strictness %q, channels %q", s.age.Text, s.strictness.Selected, s.channels.Text)
	}

	s.age.SetText("16")
	s.strictness.SetSelected("Stricter")
	s.style.SetSelected(styleName("solid"))
	s.unit.SetSelected(unitLabel(consent.School))
	s.channels.SetText("website, Instagram, schoolapp")
	test.Tap(s.save)
	waitForWork(t, v)
	if s.status.Text != "Settings saved." {
		t.Fatalf("saving says %q", s.status.Text)
	}
	got, err := store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnConsentAge != 16 || got.MatchThreshold != 0.4 || got.RedactionStyle != "solid" || got.DefaultUnit != consent.School ||
		!slices.Equal(got.Channels, []string{"website", "instagram", "schoolapp"}) {
		t.Errorf("stored settings %+v", got)
	}
	if v.columnOf("schoolapp") < 0 || v.columnOf("facebook") >= 0 {
		t.Errorf("the table's channel columns do not follow the settings: %+v", v.columns)
	}

	for _, c := range []struct {
		field       *widget.Entry
		value, want string
	}{
		{s.age, "fifteen", "whole number"},
		{s.age, "40", "own-consent age 40"},
		{s.channels, " , ", "no channels"},
		{s.channels, "website, all", "channel name"},
	} {
		before := c.field.Text
		c.field.SetText(c.value)
		if err := s.saveForm(); err == nil {
			t.Errorf("%q was saved", c.value)
		}
		if !strings.HasPrefix(s.status.Text, "Not saved.") || !strings.Contains(s.status.Text, c.want) {
			t.Errorf("saving %q says %q, want it not saved because of %q", c.value, s.status.Text, c.want)
		}
		c.field.SetText(before)
	}
	if after, _ := store.Settings(ctx); after.OwnConsentAge != 16 || len(after.Channels) != 3 {
		t.Errorf("a refused save changed the settings: %+v", after)
	}

	// A threshold set elsewhere (the command line) is shown and kept.
	odd := got
	odd.MatchThreshold = 0.42
	if err := store.SetSettings(ctx, odd); err != nil {
		t.Fatal(err)
	}
	v.refresh()
	waitForWork(t, v)
	if s.strictness.Selected != "Other (0.42)" {
		t.Errorf("a threshold of 0.42 shows as %q", s.strictness.Selected)
	}
	if err := s.saveForm(); err != nil {
		t.Fatal(err)
	}
	waitForWork(t, v)
	if after, _ := store.Settings(ctx); after.MatchThreshold != 0.42 {
		t.Errorf("saving the form changed a threshold of 0.42 to %v", after.MatchThreshold)
	}

	// The language applies at once and is remembered for this computer.
	t.Cleanup(func() { setUpLanguage("") })
	s.language.SetSelected("Nederlands")
	if got := fyne.CurrentApp().Preferences().String(languageKey); got != "nl" {
		t.Errorf("choosing Nederlands stored the language %q", got)
	}
	if s.status.Importance != widget.SuccessImportance {
		t.Errorf("choosing a language says %q", s.status.Text)
	}
	s.language.SetSelectedIndex(0)
	if got := fyne.CurrentApp().Preferences().String(languageKey); got != "" {
		t.Errorf("choosing the computer's language stored %q", got)
	}
}

// portraitFinder is a vision.FaceFinder that finds one face in the middle
// of every photo, with the same descriptor.
type portraitFinder struct{}

func (portraitFinder) Find(_ context.Context, p *vision.Photo) ([]vision.Face, error) {
	var d vision.Descriptor
	d[0] = 1
	box := image.Rect(p.Width/4, p.Height/4, p.Width*3/4, p.Height*3/4)
	at := func(x, y float64) image.Point {
		return image.Pt(box.Min.X+int(x*float64(box.Dx())), box.Min.Y+int(y*float64(box.Dy())))
	}
	return []vision.Face{{
		Box:   box,
		Score: 1,
		// Looking into the camera: enrolment refuses turned faces.
		Landmarks:  [5]image.Point{at(0.8, 0.35), at(0.6, 0.35), at(0.2, 0.35), at(0.4, 0.35), at(0.5, 0.6)},
		Descriptor: d,
	}}, nil
}

func writePortrait(t *testing.T, path string) {
	t.Helper()
	// Large and sharp enough for a reference (enrolment refuses faces
	// under 100 px and blurred ones): a checked pattern, 320x400.
	img := image.NewRGBA(image.Rect(0, 0, 320, 400))
	for y := range 400 {
		for x := range 320 {
			v := uint8(40)
			if (x/8+y/8)%2 == 0 {
				v = 220
			}
			img.Set(x, y, color.RGBA{v, uint8(y / 2), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterEnrol(t *testing.T) {
	loads := 0
	faces := vet.NewFaces(func() (vision.FaceFinder, int, error) {
		loads++
		return portraitFinder{}, 1, nil
	})
	v, w, store := newTestRegister(t, faces)
	importTemplate(t, v)
	closeDialogs(w)
	dir := t.TempDir()
	for _, id := range []string{"S-1001", "S-1003", "Z-0000"} { // opted in, no opt-in, not in the register
		writePortrait(t, filepath.Join(dir, id+".jpg"))
	}

	v.enrol(dir)
	v.work.Wait()
	if loads != 1 {
		t.Errorf("the face finder was loaded %d times, want once", loads)
	}
	got := dialogText(v)
	for _, want := range []string{
		"People enrolled: 1.", "Anna de Vries (S-1001)",
		"Not enrolled: 2.", "Chloé Martin (S-1003): no face recognition opt-in",
		"Z-0000: nobody in the register has this id",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the enrolment dialog says:\n%s\nwant %q", got, want)
		}
	}
	counts, err := store.EnrolledCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts["S-1001"] != 1 || len(counts) != 1 {
		t.Errorf("stored references %v, want one for S-1001", counts)
	}
	if got := cellAt(t, v, "S-1001", ""); got != "Enrolled" {
		t.Errorf("Anna's face recognition cell says %q, want Enrolled", got)
	}
	if v.progress.running() || v.enrolButton.Disabled() {
		t.Error("the progress stays on screen after the enrolment")
	}
	closeDialogs(w)

	// A folder without portraits says what is wanted.
	v.enrol(t.TempDir())
	v.work.Wait()
	if got := dialogText(v); !strings.Contains(got, "named by each person's id") {
		t.Errorf("an empty folder says:\n%s", got)
	}
	closeDialogs(w)

	// A person whose only portrait is unusable counts once, however many
	// lines explain why.
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "S-1001.jpg"), []byte("not a photo"), 0o644); err != nil {
		t.Fatal(err)
	}
	v.enrol(broken)
	v.work.Wait()
	if got := dialogText(v); !strings.Contains(got, "Not enrolled: 1.") || !strings.Contains(got, "Anna de Vries (S-1001)") {
		t.Errorf("one person with an unusable portrait:\n%s\nwant \"Not enrolled: 1.\" and Anna", got)
	}
	closeDialogs(w)

	// Without the face models nothing can be enrolled, and the teacher is
	// told so rather than blamed for the portraits.
	v.faces = vet.NewFaces(func() (vision.FaceFinder, int, error) {
		return nil, 0, errors.New("model file missing")
	})
	v.enrol(dir)
	v.work.Wait()
	if got := dialogText(v); !strings.Contains(got, "Face recognition is not ready") || !strings.Contains(got, "model file missing") {
		t.Errorf("enrolling without the models says:\n%s", got)
	}
}

func TestRegisterOptInAndRemove(t *testing.T) {
	ctx := context.Background()
	v, _, store := newTestRegister(t, nil)
	importTemplate(t, v)
	v.selectPerson("S-1003")
	waitForWork(t, v)
	if v.optInButton.Text != "Record face recognition opt-in" {
		t.Errorf("for Chloé (no opt-in) the button says %q", v.optInButton.Text)
	}
	test.Tap(v.optInButton) // recording asks nothing: it adds no data
	waitForWork(t, v)
	if got := cellAt(t, v, "S-1003", ""); got != "Opted in, no portrait yet" {
		t.Errorf("after recording the opt-in the cell says %q", got)
	}
	if err := v.setOptIn("S-1003", false); err != nil {
		t.Fatal(err)
	}
	waitForWork(t, v)
	if got := cellAt(t, v, "S-1003", ""); got != "No opt-in" {
		t.Errorf("after removing the opt-in the cell says %q", got)
	}
	if err := v.remove("S-1003"); err != nil {
		t.Fatal(err)
	}
	waitForWork(t, v)
	reg, err := store.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if reg.People["S-1003"] != nil || v.rowOf("S-1003") >= 0 || v.selected != "" || !v.withdrawBtn.Disabled() {
		t.Errorf("after removing Chloé: in register %v, row %d, selected %q", reg.People["S-1003"] != nil, v.rowOf("S-1003"), v.selected)
	}
}

// closeRecorder is a buffer that records being closed.
type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (w *closeRecorder) Close() error { w.closed = true; return nil }

func TestRegisterSaveTemplate(t *testing.T) {
	v, _, _ := newTestRegister(t, nil)
	var out closeRecorder
	v.templateChosen(&out)
	if !bytes.Equal(out.Bytes(), assets.RosterTemplateCSV) || !out.closed {
		t.Errorf("saved %d bytes (closed %v), want the template's %d", out.Len(), out.closed, len(assets.RosterTemplateCSV))
	}
	if got := dialogText(v); !strings.Contains(got, "Import roster CSV...") {
		t.Errorf("after saving the template the dialog says:\n%s\nwant the next step", got)
	}
}

// TestRegisterActionsReturnErrors: an action on the register that fails
// returns its error and shows nothing itself; the handler that called it
// shows the problem, once.
func TestRegisterActionsReturnErrors(t *testing.T) {
	v, w, _ := newTestRegister(t, nil)
	importTemplate(t, v)
	closeDialogs(w)
	for _, a := range []struct {
		name string
		act  func() error
	}{
		{"withdraw", func() error { _, err := v.withdraw("NOBODY", "instagram", testDay); return err }},
		{"opt-in", func() error { return v.setOptIn("NOBODY", true) }},
		{"remove", func() error { return v.remove("NOBODY") }},
		{"take-down done", func() error { return v.takedowns.markDone(999) }},
	} {
		if err := a.act(); err == nil {
			t.Errorf("%s for someone not in the register: no error", a.name)
		}
		if got := dialogText(v); got != "" {
			t.Errorf("%s showed a dialog itself:\n%s", a.name, got)
		}
		closeDialogs(w)
	}
	v.withdrawAndShow("NOBODY", "instagram", testDay)
	if got := dialogText(v); !strings.Contains(got, "The consent could not be withdrawn.") {
		t.Errorf("a failed withdrawal says:\n%s", got)
	}
	if n := len(w.Canvas().Overlays().List()); n != 1 {
		t.Errorf("a failed withdrawal opened %d dialogs, want 1", n)
	}
}

// TestRegisterSearch: typing in the search box leaves in the table only
// the people it finds, by name, group or id, in its first rows, even when
// the table was scrolled down; a selected person the search hides is no
// longer selected; an empty box shows everyone again.
func TestRegisterSearch(t *testing.T) {
	v, w, _ := newTestRegister(t, nil)
	importTemplate(t, v)
	closeDialogs(w)
	everyone := len(v.people)
	v.selectPerson("S-1001")
	waitForWork(t, v)
	// A low window, scrolled to the end of the list: the search's rows
	// came below the table's edge, under a blank row.
	w.Resize(fyne.NewSize(1366, 420))
	d := fyne.CurrentApp().Driver()
	inTable := func(query string) {
		t.Helper()
		bottom := d.AbsolutePositionForObject(v.table).Y + v.table.Size().Height
		for _, o := range visibleObjects(v.table) {
			if l, ok := o.(*widget.Label); ok && l.Text != "" && d.AbsolutePositionForObject(l).Y+l.Size().Height > bottom+0.5 {
				t.Errorf("searching %q: %q shows below the table's edge", query, l.Text)
			}
		}
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"anna", []string{"S-1001"}},
		{"S-1001", []string{"S-1001"}},
		{"LEHTONEN", []string{"T-9001"}},
	} {
		v.search.SetText("")
		waitForWork(t, v)
		v.table.ScrollToBottom()
		v.search.SetText(c.query) // as typed: the box calls back on each change
		waitForWork(t, v)
		var got []string
		for row := range len(v.people) {
			got = append(got, v.people[row].ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("searching %q shows %v, want %v", c.query, got, c.want)
		}
		if !strings.Contains(v.summary.Text, fmt.Sprintf("Found by the search: %d.", len(c.want))) {
			t.Errorf("searching %q: the summary says %q", c.query, v.summary.Text)
		}
		inTable(c.query)
	}
	if v.selected != "" || !v.withdrawBtn.Disabled() {
		t.Errorf("Anna stays selected (%q) while the search hides her", v.selected)
	}
	v.search.SetText("")
	waitForWork(t, v)
	if len(v.people) != everyone || strings.Contains(v.summary.Text, "Found by the search") {
		t.Errorf("an empty search shows %d of %d people; the summary says %q", len(v.people), everyone, v.summary.Text)
	}
}

// thumbnailJPEG is a small JPEG, as vet records of each export.
func thumbnailJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 16, 10))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
