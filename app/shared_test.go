package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/jackc/pgx/v5"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/pgtest"
	"github.com/photovet/photovet/vet"
)

// TestSharedRegisterSetting tests a shared register's address from the
// settings, on a throw-away server: a working one says it answers, a
// server that is not there says it cannot be reached, and Save keeps only
// a postgres:// address, for this computer.
func TestSharedRegisterSetting(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t)
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	v, _, _ := newTestRegister(t, nil)
	s := v.settings
	t.Cleanup(func() { fyne.CurrentApp().Preferences().SetString(registerKey, "") })
	testConnection := func(address, want string) {
		t.Helper()
		s.register.SetText(address)
		test.Tap(s.test)
		done := make(chan struct{})
		go func() { v.work.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the connection test did not finish within 30 s")
		}
		if got := s.status.Text; !strings.Contains(got, want) {
			t.Errorf("testing %s says %q, want %q", address, got, want)
		}
	}
	testConnection(register, "Connected: the shared register answers.")
	testConnection(strings.Replace(register, fmt.Sprintf("127.0.0.1:%d", server.Port), "127.0.0.1:1", 1), "cannot be reached")

	s.register.SetText("/home/teacher/register")
	if err := s.saveForm(); err == nil || !strings.Contains(s.status.Text, "postgres://") {
		t.Errorf("saving a folder as the shared register: %v, says %q", err, s.status.Text)
	}
	s.register.SetText(register)
	if err := s.saveForm(); err != nil {
		t.Fatal(err)
	}
	waitForWork(t, v)
	if got := fyne.CurrentApp().Preferences().String(registerKey); got != register {
		t.Errorf("the shared register saved for this computer is %q, want %q", got, register)
	}
}

// TestUnreachableRegisterWindow opens a shared register whose server is
// not there: the window that opens instead of the app says that it cannot
// be reached, and since when.
func TestUnreachableRegisterWindow(t *testing.T) {
	a := test.NewTempApp(t)
	_, err := consent.OpenRegister(context.Background(), "postgres://staff@127.0.0.1:1/photovet?sslmode=disable", t.TempDir())
	if !errors.Is(err, consent.ErrUnreachable) {
		t.Fatalf("opening a register on no server: %v, want ErrUnreachable", err)
	}
	w := unreachableWindow(a, err)
	defer w.Close()
	text := flatText(visibleTexts(w.Content()))
	for _, want := range []string{"cannot be reached (since", "No photo can be vetted or exported without the register", "Quit"} {
		if !strings.Contains(text, want) {
			t.Errorf("the window says %q, want %q", text, want)
		}
	}
}

// TestStaffSaveSettingsRefusedInWords saves the settings as a unit's
// staff role, which only the register's owner may change: changing only
// this computer's shared register is saved without a word about the
// register's settings; changing the own-consent age is refused in the
// words of the message (translated like every other), not with the
// program's own prefixes ("save settings: ..."), and an address changed
// with it is said to be saved, as it is.
func TestStaffSaveSettingsRefusedInWords(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t)
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	if err := server.CreateRole(ctx, "anna_teacher"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	admin, err := consent.OpenRegister(ctx, register, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.GrantUnit(ctx, "de-linde", "anna_teacher"); err != nil {
		t.Fatal(err)
	}
	staff, err := consent.OpenRegister(ctx, server.URL("school", "anna_teacher"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer staff.Close()
	w := test.NewWindow(nil)
	defer w.Close()
	v := newRegisterView(w, staff, nil)
	v.refresh()
	waitForWork(t, v)
	w.SetContent(v.content())
	t.Cleanup(func() { fyne.CurrentApp().Preferences().SetString(registerKey, "") })

	s := v.settings
	ownAddress := server.URL("school", "anna_teacher")
	s.register.SetText(ownAddress)
	if err := s.saveForm(); err != nil {
		t.Fatalf("a staff role changing only this computer's shared register: %v, says %q", err, s.status.Text)
	}
	waitForWork(t, v)
	if got, want := s.status.Text, "This computer's shared register is saved; PhotoVet uses it from its next start."; got != want {
		t.Errorf("a staff role's saved address says %q, want %q", got, want)
	}
	if got := fyne.CurrentApp().Preferences().String(registerKey); got != ownAddress {
		t.Errorf("the shared register saved for this computer is %q, want %q", got, ownAddress)
	}

	s.age.SetText(strconv.Itoa(s.current.OwnConsentAge + 1))
	if err := s.saveForm(); err == nil {
		t.Fatal("a unit's staff role saved the register-wide settings")
	}
	const want = "Not saved. your login to the shared register "
	if got := s.status.Text; !strings.HasPrefix(got, want) {
		t.Errorf("a staff role's refused save says %q, want it to begin %q", got, want)
	}

	s.register.SetText(register)
	if err := s.saveForm(); err == nil {
		t.Fatal("a unit's staff role saved the register-wide settings with an address")
	}
	const wantBoth = "This computer's shared register is saved, the register's settings are not: your login to the shared register "
	if got := s.status.Text; !strings.HasPrefix(got, wantBoth) {
		t.Errorf("a staff role's refused save with a new address says %q, want it to begin %q", got, wantBoth)
	}
	if got := fyne.CurrentApp().Preferences().String(registerKey); got != register {
		t.Errorf("the shared register saved for this computer is %q, want %q", got, register)
	}
}

// TestPhotoOfALostRegisterIsNotCalledUnreadable vets a photo while the
// shared register's server is stopped: the review panel and the export
// summary say the register is unreachable, in vet's words for it, not
// that the photo could not be read or to check it in a photo program.
func TestPhotoOfALostRegisterIsNotCalledUnreadable(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t) // stopping it again at the end does nothing
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSetup(t)
	shared, err := consent.OpenRegister(ctx, register, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	path := s.writePhoto(t, "beach.png", 320)
	if err := server.Stop(); err != nil {
		t.Fatal(err)
	}
	batch := vet.Batch{Finder: fakeFinder{}, Store: shared, Workers: 1, Job: consent.Job{Unit: consent.School, Channel: "website", Date: consent.Today()},
		Photographer: "Pia Photo", PhotographerChannels: []string{"website"}}
	photos, err := batch.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	p := photos[0]
	if !p.RegisterUnreachable() {
		t.Fatalf("a photo vetted without the register: %s, %q; want the register unreachable", p.Status, p.Error.String())
	}
	s.win.review.show(p)
	shown := s.win.review.status.Text + "\n" + s.win.review.reasons.Text
	for _, want := range []string{"Register unreachable", "the shared register ", "cannot be reached (since", "Add it again once the shared register can be reached."} {
		if !strings.Contains(shown, want) {
			t.Errorf("the review panel says %q, want %q", shown, want)
		}
	}
	for _, wrong := range []string{"Could not be read", "photo program", "read review of"} {
		if strings.Contains(shown, wrong) {
			t.Errorf("the review panel says %q, which holds %q", shown, wrong)
		}
	}
	sum := summarise(t.TempDir(), []vet.Outcome{{Photo: p}})
	if len(sum.notDone) != 1 || !strings.HasPrefix(sum.notDone[0], "beach.png (Register unreachable): the shared register ") {
		t.Errorf("the export summary says %q, want beach.png not exported as the register is unreachable", sum.notDone)
	}
}

// lockTable takes an exclusive lock on table in the shared register's
// database, as another laptop's long transaction would: every read of it
// waits until release is called, at the latest when the test ends.
func lockTable(t *testing.T, server *pgtest.Server, database, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, server.URL(database, pgtest.Admin))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE")
	}
	if err != nil {
		conn.Close(ctx)
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if err := tx.Rollback(ctx); err != nil {
				t.Errorf("release the lock on %s: %v", table, err)
			}
			conn.Close(ctx)
		})
	}
	t.Cleanup(release)
	return release
}

// waitForLockWaiter waits until a query in database waits for a lock,
// for at most 10 seconds.
func waitForLockWaiter(t *testing.T, server *pgtest.Server, database string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server.URL(database, pgtest.Admin))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for {
		var waiting int
		err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", database).Scan(&waiting)
		switch {
		case err != nil:
			t.Fatalf("no query waited for the lock in %s within 10 s: %v", database, err)
		case waiting > 0:
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitForWork waits for the register view's background work, for at most
// 30 seconds.
func waitForWork(t *testing.T, v *registerView) {
	t.Helper()
	done := make(chan struct{})
	go func() { v.work.Wait(); close(done) }()
	waitFor(t, done, "the register view's background work")
}

// TestSelectingWhileTheRegisterIsBusy selects people while the shared
// register's ledger is locked by another transaction, as a busy or slow
// server keeps it: selecting returns with the question whether there is
// anything to withdraw still waiting (the window froze for up to 5 s a
// selection, and the answer was lost when it came later), Withdraw is
// offered meanwhile, and the answer, when it comes, shows for the person
// it was asked about only: a late "nothing to withdraw" for the person
// selected before does not take Withdraw from the one selected now.
func TestSelectingWhileTheRegisterIsBusy(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t)
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	store, err := consent.OpenRegister(ctx, register, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// Ada has consents on record: Withdraw is offered without asking the
	// ledger. Cas has none, and no publication shows him.
	roster := `id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until
C1,Ada Test,child,3B,school,2016-04-12,website,website,,no,2026-08-17,2027-07-31
C3,Cas Test,child,3B,school,2016-05-01,,,,no,,
`
	if _, err := store.ImportRoster(ctx, strings.NewReader(roster), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	w := test.NewWindow(nil)
	defer w.Close()
	v := newRegisterView(w, store, nil)
	v.today = func() consent.Date { return testDay }
	v.refresh()
	waitForWork(t, v)
	w.SetContent(v.content())
	const nothing = "Nothing to withdraw: no consent is recorded for this person, and no publication shows them."
	offered := func(when, id string, want bool) {
		t.Helper()
		if v.selected != id {
			t.Fatalf("%s: %q selected, want %s", when, v.selected, id)
		}
		if got := !v.withdrawBtn.Disabled(); got != want || strings.Contains(v.details.Text, nothing) == want {
			t.Errorf("%s: Withdraw offered %v, the details say %q; want it offered %v", when, got, v.details.Text, want)
		}
	}

	// Selected while the ledger is locked, Cas is shown at once, with
	// Withdraw offered; once the ledger answers, it is not.
	release := lockTable(t, server, "school", "publication_faces")
	v.selectPerson("C3")
	waitForLockWaiter(t, server, "school")
	offered("Cas, the register not answering yet", "C3", true)
	release()
	waitForWork(t, v)
	offered("Cas, the register answered", "C3", false)

	// Cas, Ada, Cas and Ada again, quickly: the answers about Cas come
	// after the one about Ada, and are not hers.
	release = lockTable(t, server, "school", "publication_faces")
	for _, id := range []string{"C3", "C1", "C3", "C1"} {
		v.selectPerson(id)
	}
	waitForLockWaiter(t, server, "school")
	release()
	waitForWork(t, v)
	offered("Ada, after late answers about Cas", "C1", true)
}

// TestChannelChangeWhileTheLedgerIsBusy changes the batch's channel, and
// adds a photo, while the shared register's ledger is locked by another
// transaction, as a busy or slow server keeps it. Changing the channel
// returns with the ledger's answer still to come (it waited on the UI
// goroutine until the ledger answered, without a time limit): the photo
// published on Instagram counts as waiting meanwhile, and is badged
// exported once the ledger answers; an answer for a channel left since
// is not applied. A photo added while the ledger does not answer comes,
// after 5 s, as waiting for export (the batch waited on the UI goroutine
// for as long as the ledger did).
func TestChannelChangeWhileTheLedgerIsBusy(t *testing.T) {
	s, server := newSharedSetup(t)
	w := s.win
	exportTrip(t, s)
	closeDialogs(w)
	published := func(when string, want bool) {
		t.Helper()
		if got := w.session.exported[w.session.photos[0]] != ""; got != want {
			t.Errorf("%s: the trip photo badged exported %v, want %v", when, got, want)
		}
	}
	// applyJob runs as the dialog's button runs it, on the UI goroutine;
	// it must return while the ledger does not answer, and the channel
	// changes once the register (not the ledger) answered.
	applyJob := func(channel string) {
		t.Helper()
		within(t, "changing the channel to "+channel, func() {
			w.applyJob(consent.Job{Channel: channel, Unit: consent.School})
		})
		waitForJob(t, w)
	}
	applyJob("website")
	waitForLookups(t, w)
	published("on the website", false)

	release := lockTable(t, server, "school", "publications")
	applyJob("instagram")
	waitForLockWaiter(t, server, "school")
	published("back on Instagram, the ledger not answering yet", false)
	release()
	waitForLookups(t, w)
	published("back on Instagram, the ledger answered", true)

	// To the website, back to Instagram and to the website again: the
	// ledger's late answer for Instagram is not the website's.
	release = lockTable(t, server, "school", "publications")
	for _, channel := range []string{"website", "instagram", "website"} {
		applyJob(channel)
	}
	waitForLockWaiter(t, server, "school")
	release()
	waitForLookups(t, w)
	published("on the website after a late answer for Instagram", false)

	// A photo added while the ledger does not answer comes all the same,
	// as waiting for export.
	lockTable(t, server, "school", "publications")
	s.drop(t, s.writePhoto(t, "empty.png", widthNoFace))
	if len(w.session.photos) != 2 {
		t.Fatalf("the batch holds %d photos, want the trip and the empty one", len(w.session.photos))
	}
	if n := w.session.unexported(); n != 1 {
		// The empty photo needs its confirmation first.
		t.Errorf("%d photos wait for export, want the trip photo (not on the website yet)", n)
	}
}

// within runs what the teacher does on the UI goroutine and fails the
// test when it has not returned within 10 seconds: the window froze
// meanwhile. The action may still be running when the test ends.
func within(t *testing.T, what string, action func()) {
	t.Helper()
	returned := make(chan struct{})
	go func() {
		action()
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s waited for the register for 10 s", what)
	}
}

// chooseChannel chooses channel in the batch's drop-down and confirms
// the change, as the teacher does; the window must answer within 10
// seconds.
func chooseChannel(t *testing.T, w *mainWindow, channel string) {
	t.Helper()
	chooseWithPointer(t, w.Canvas(), w.channel, channel)
	var change *widget.Button
	if top := w.Canvas().Overlays().Top(); top != nil {
		for _, o := range visibleObjects(top) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Change and check again" {
				change = b
			}
		}
	}
	if change == nil {
		t.Fatalf("choosing %s asked nothing", channel)
	}
	within(t, "choosing "+channel, func() { test.Tap(change) })
}

// newSharedSetup is a main window over a shared register (the database
// "school") on a throw-away server, filled as openTestRegister fills one.
func newSharedSetup(t *testing.T) (*testSetup, *pgtest.Server) {
	t.Helper()
	ctx := context.Background()
	server := pgtest.StartFor(t)
	register, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	store, err := consent.OpenRegister(ctx, register, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fillTestRegister(t, store)
	return newTestSetupOver(t, a, store), server
}

// newLockedSetup is newSharedSetup with the trip photo (Ada, who may be
// shown on Instagram and the website but not on X, and a stranger)
// reviewed on Instagram.
func newLockedSetup(t *testing.T) (*testSetup, *pgtest.Server) {
	t.Helper()
	s, server := newSharedSetup(t)
	s.drop(t, s.writePhoto(t, "ada and a stranger.png", widthTwoFaces))
	s.reviewAll(t)
	s.win.photoChanged(nil) // as the review's buttons do
	return s, server
}

// adaShown reports whether Ada's face on the trip photo is shown.
func adaShown(s *testSetup) bool {
	return s.win.session.photos[0].Faces[0].Decision.Visible
}

// TestRegisterTabWhileThePeopleAreLocked opens the register's tab while
// another laptop's transaction holds the shared register's people: the
// tab opens at once and the window goes on answering (it waited on the
// UI goroutine, without a time limit, until the lock was released), the
// view says that it is reading the register, and it shows the register
// as it is once it answers: a person added meanwhile is in the table.
func TestRegisterTabWhileThePeopleAreLocked(t *testing.T) {
	s, server := newLockedSetup(t)
	w, v := s.win, s.win.register
	roster := testRoster + "C4,Dee Test,child,3B,school,2016-06-01,website,website,,no,2026-08-17,2027-07-31\n"
	if _, err := s.store.ImportRoster(context.Background(), strings.NewReader(roster), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	release := lockTable(t, server, "school", "people")
	within(t, "opening the register's tab", func() { w.tabs.SelectIndex(1) })
	waitForLockWaiter(t, server, "school")
	if !v.withdrawBtn.Disabled() || !v.optInButton.Disabled() || !v.removeButton.Disabled() {
		t.Error("before the register answered, actions on a person are offered with nobody selected")
	}
	within(t, "searching the register's table", func() { test.Type(v.search, "Test") })
	if got, want := v.hint.Text, "Reading the register..."; got != want {
		t.Errorf("while the register does not answer, the view says %q, want %q", got, want)
	}
	if v.rowOf("C4") >= 0 {
		t.Error("Dee is in the table before the register answered")
	}
	release()
	waitForWork(t, v)
	if v.rowOf("C4") < 0 || len(v.everyone) != 4 || v.loadErr != nil {
		t.Errorf("after the register answered: Dee's row %d, %d people, error %v; want Dee among 4", v.rowOf("C4"), len(v.everyone), v.loadErr)
	}
	if strings.Contains(v.hint.Text, "Reading") {
		t.Errorf("after the register answered, the view still says %q", v.hint.Text)
	}
	within(t, "going back to the Photos tab", func() { w.tabs.SelectIndex(0) })
	waitForJob(t, w)
}

// TestJobChangeWhileThePeopleAreLocked changes the batch's channel, and
// comes back to the Photos tab, while another laptop's transaction holds
// the shared register's people. Both return at once and the window goes
// on answering (each waited on the UI goroutine, without a time limit,
// while every photo's review was carried over, one round trip after
// another). Until the register answers, the photos stay decided for the
// channel the selector shows, the status line says they are being
// checked, and nothing can be exported (Export under the old decisions
// would publish Ada where she may not be shown); then they are decided
// for the new channel: on X, Ada is hidden.
func TestJobChangeWhileThePeopleAreLocked(t *testing.T) {
	s, server := newLockedSetup(t)
	w := s.win
	c := w.Canvas()
	if !adaShown(s) || w.exportButton.Disabled() {
		t.Fatalf("on Instagram: Ada shown %v, Export disabled %v; want her shown and the photo exportable", adaShown(s), w.exportButton.Disabled())
	}

	release := lockTable(t, server, "school", "people")
	chooseChannel(t, w, "X")
	waitForLockWaiter(t, server, "school")
	busy := func(when string) {
		t.Helper()
		if got := w.channel.Selected; got != "Instagram" || !adaShown(s) {
			t.Errorf("%s: the selector shows %q, Ada shown %v; want Instagram, for which the photo is still decided", when, got, adaShown(s))
		}
		if !strings.Contains(w.status.Text, "Checking the photos for X") {
			t.Errorf("%s: the status line says %q, want the photos being checked for X", when, w.status.Text)
		}
		if !w.exportButton.Disabled() {
			t.Errorf("%s: Export is offered", when)
		}
	}
	busy("while the register does not answer")
	within(t, "opening the photo and going back", func() {
		w.openReview(w.session.photos[0])
		w.closeReview()
	})
	busy("after looking at the photo")
	// An export dialog opened before refuses.
	out := t.TempDir()
	within(t, "exporting", func() { w.export(out, "Tess Teacher") })
	if files, _ := os.ReadDir(out); len(files) != 0 || c.Overlays().Top() == nil {
		t.Errorf("an export while the channel changes wrote %d files and said nothing; want none, and why", len(files))
	}
	closeDialogs(w)
	release()
	waitForJob(t, w)
	if job := w.session.Job.Job; job.Channel != "x" || w.channel.Selected != "X" || adaShown(s) {
		t.Errorf("after the register answered: channel %s, the selector shows %q, Ada shown %v; want X, and Ada hidden", job.Channel, w.channel.Selected, adaShown(s))
	}
	if top := c.Overlays().Top(); top != nil {
		t.Errorf("after the register answered a dialog says:\n%s", visibleTexts(top))
	}
	if p := w.session.photos[0]; p.Status != vet.Blocked || strings.Contains(w.status.Text, "Checking") {
		// Pia may publish her photos on Instagram and the website only.
		t.Errorf("after the register answered: the photo is %s, the status line says %q; want it blocked for X and the counts", p.Status, w.status.Text)
	}

	// Back from the register's tab, the register is read again: on the
	// website, where the photo may be exported.
	chooseChannel(t, w, "Website")
	waitForJob(t, w)
	if w.exportButton.Disabled() {
		t.Fatal("on the website Export is not offered")
	}
	w.tabs.SelectIndex(1)
	waitForWork(t, w.register)
	release = lockTable(t, server, "school", "people")
	within(t, "going back to the Photos tab", func() { w.tabs.SelectIndex(0) })
	waitForLockWaiter(t, server, "school")
	if !w.exportButton.Disabled() {
		t.Error("back on the Photos tab, Export is offered before the register answered")
	}
	release()
	waitForJob(t, w)
	if w.exportButton.Disabled() || w.session.Job.Job.Channel != "website" {
		t.Errorf("back on the Photos tab after the register answered: Export disabled %v, channel %s", w.exportButton.Disabled(), w.session.Job.Job.Channel)
	}
}

// TestLateJobAnswerIgnored chooses X, then the website before the
// register answered for X: the answer for X, whenever it comes, decides
// nothing, and the photos are decided for the website, where Ada may be
// shown.
func TestLateJobAnswerIgnored(t *testing.T) {
	s, server := newLockedSetup(t)
	w := s.win
	c := w.Canvas()
	release := lockTable(t, server, "school", "people")
	for _, channel := range []string{"X", "Website"} {
		chooseChannel(t, w, channel)
	}
	waitForLockWaiter(t, server, "school")
	release()
	waitForJob(t, w)
	if job := w.session.Job.Job; job.Channel != "website" || w.channel.Selected != "Website" || !adaShown(s) {
		t.Errorf("after the answers for X and the website: channel %s, the selector shows %q, Ada shown %v; want the website, and Ada shown there",
			job.Channel, w.channel.Selected, adaShown(s))
	}
	if top := c.Overlays().Top(); top != nil {
		t.Errorf("after the answers a dialog says:\n%s", visibleTexts(top))
	}
}

// TestJobChangeWhenTheRegisterDoesNotAnswer changes the channel while
// the shared register's people stay locked: after registerWait the
// channel changes all the same, every face is hidden (R4) and the
// teacher is told that the register could not be read.
func TestJobChangeWhenTheRegisterDoesNotAnswer(t *testing.T) {
	s, server := newLockedSetup(t)
	w := s.win
	c := w.Canvas()
	lockTable(t, server, "school", "people")
	chooseChannel(t, w, "Website")
	waitForJob(t, w)
	p := w.session.photos[0]
	if w.session.Job.Job.Channel != "website" || w.session.Register != nil || slices.ContainsFunc(p.Faces, func(f vet.Face) bool { return f.Decision.Visible }) {
		t.Errorf("without the register: channel %s, register read %v, faces %+v; want the website and every face hidden",
			w.session.Job.Job.Channel, w.session.Register != nil, p.Faces)
	}
	if top := c.Overlays().Top(); top == nil || !strings.Contains(flatText(visibleTexts(top)), "The consent register could not be read: every face stays hidden.") {
		t.Error("the window does not say that the register could not be read")
	}
}

// TestEditWhileTheJobChanges draws a box on the photo while the channel
// changes and the register does not answer: the box is neither lost nor
// left behind on the old channel. The photo is decided for the new
// channel with it, and the review saved for the new channel holds it.
func TestEditWhileTheJobChanges(t *testing.T) {
	s, server := newLockedSetup(t)
	w := s.win
	release := lockTable(t, server, "school", "people")
	chooseChannel(t, w, "Website")
	waitForLockWaiter(t, server, "school")
	p := w.session.photos[0]
	box := image.Rect(150, 20, 230, 100)
	within(t, "drawing a box", func() {
		if err := w.session.Reviewer().Apply(context.Background(), p, vet.AddBox(box)); err != nil {
			t.Error(err)
		}
		w.photoChanged(p)
	})
	release()
	waitForJob(t, w)
	if w.session.Job.Job.Channel != "website" || !slices.Contains(p.ManualBoxes, box) || p.Status != vet.Cleared || !adaShown(s) {
		t.Errorf("after the register answered: channel %s, boxes %v, %s, Ada shown %v; want the website, the box, cleared and Ada shown",
			w.session.Job.Job.Channel, p.ManualBoxes, p.Status, adaShown(s))
	}
	saved, err := vet.LoadReview(context.Background(), s.store, p.SHA256, "website")
	if err != nil || !slices.Contains(saved.ManualBoxes, box) {
		t.Errorf("the review saved for the website: %v; want the box in it", err)
	}
}
