package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
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
	w.SetContent(v.content())
	t.Cleanup(func() { fyne.CurrentApp().Preferences().SetString(registerKey, "") })

	s := v.settings
	ownAddress := server.URL("school", "anna_teacher")
	s.register.SetText(ownAddress)
	if err := s.saveForm(); err != nil {
		t.Fatalf("a staff role changing only this computer's shared register: %v, says %q", err, s.status.Text)
	}
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
	s := newTestSetupOver(t, a, store)
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
	// it must return while the ledger does not answer.
	applyJob := func(channel string) {
		t.Helper()
		returned := make(chan struct{})
		go func() {
			w.applyJob(consent.Job{Channel: channel, Unit: consent.School})
			close(returned)
		}()
		select {
		case <-returned:
		case <-time.After(10 * time.Second):
			t.Fatalf("changing the channel to %s waited for the ledger for 10 s", channel)
		}
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
