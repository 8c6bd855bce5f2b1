package consent

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testPublication returns a publication of a photo with the given faces,
// its original's SHA-256 made from the channel, the day and the faces.
func testPublication(channel, on string, faces ...PublishedFace) Publication {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s %s %v", channel, on, faces))
	return Publication{
		OriginalSHA256:       hex.EncodeToString(sum[:]),
		Folder:               "/exports",
		Channel:              channel,
		Date:                 day(on),
		VettedBy:             "Pieter de Boer",
		Photographer:         "Jan Smit",
		PhotographerChannels: []string{channel, "website"},
		Faces:                faces,
	}
}

// record puts p in the ledger the way an export does: claim, publish,
// release.
func record(ctx context.Context, s *Store, p Publication) (Publication, error) {
	c, err := s.ClaimExport(ctx, p, ClaimOptions{Temp: ".photovet-test.partial", Create: func(string) error { return nil }})
	if err != nil {
		return Publication{}, err
	}
	if p, err = s.PublishExport(ctx, c.PublicationID); err != nil {
		return Publication{}, err
	}
	return p, s.ReleaseExport(ctx, c.PublicationID)
}

func TestR7_WithdrawalCreatesTakedowns(t *testing.T) {
	forEachBackend(t, testR7_WithdrawalCreatesTakedowns)
}

func testR7_WithdrawalCreatesTakedowns(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	anna, bram := "S-1001", "S-1002"
	// The ledger names the exports; the test calls them by what they show.
	label := map[string]string{}
	publish := func(name, channel, on string, faces ...PublishedFace) {
		pub := testPublication(channel, on, faces...)
		pub.OriginalName, pub.Thumbnail = name, []byte("a JPEG of "+name)
		p, err := record(ctx, s, pub)
		if err != nil {
			t.Fatal(err)
		}
		label[p.ExportName] = name
	}
	publish("before.jpg", "instagram", "2026-09-10", PublishedFace{anna, true}, PublishedFace{"", false})
	publish("on-the-day.jpg", "instagram", "2026-10-02", PublishedFace{anna, true})
	publish("after-backdated.jpg", "instagram", "2026-10-15", PublishedFace{bram, true}, PublishedFace{anna, true})
	publish("facebook.jpg", "facebook", "2026-09-12", PublishedFace{anna, true})
	publish("redacted.jpg", "instagram", "2026-09-20", PublishedFace{anna, false}, PublishedFace{bram, true})
	publish("bram-only.jpg", "instagram", "2026-09-21", PublishedFace{bram, true})

	exportsOf := func(tasks []Takedown) []string {
		var names []string
		for _, task := range tasks {
			names = append(names, fmt.Sprintf("%s:%s:%s", label[task.ExportName], task.PersonID, task.WithdrawnOn))
		}
		slices.Sort(names)
		return names
	}
	// Anna's guardian withdraws Instagram from 2 October; the school hears
	// of it on 20 November, after a photo of 15 October went out.
	tasks, err := s.Withdraw(ctx, anna, "instagram", day("2026-10-02"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"after-backdated.jpg:S-1001:2026-10-02", "before.jpg:S-1001:2026-10-02", "on-the-day.jpg:S-1001:2026-10-02"}
	t.Logf("Instagram withdrawal: %v", exportsOf(tasks))
	if got := exportsOf(tasks); !slices.Equal(got, want) {
		t.Fatalf("take-downs %v, want %v", got, want)
	}
	task := tasks[0]
	if task.PersonName != "Anna de Vries" || task.Channel != "instagram" || task.ExportPath() != filepath.Join("/exports", task.ExportName) ||
		task.OriginalSHA256 != testPublication("instagram", "2026-09-10", PublishedFace{anna, true}, PublishedFace{"", false}).OriginalSHA256 || !task.DoneOn.IsZero() {
		t.Errorf("task = %+v", task)
	}
	// Staff find the post by the photo's name and a picture of it.
	for _, task := range tasks {
		if name := label[task.ExportName]; task.OriginalName != name || string(task.Thumbnail) != "a JPEG of "+name {
			t.Errorf("task of %s: original %q, thumbnail %q; want the name and picture recorded", task.ExportName, task.OriginalName, task.Thumbnail)
		}
	}
	big := testPublication("instagram", "2026-11-02")
	big.Thumbnail = make([]byte, MaxThumbnailBytes+1)
	if _, err := record(ctx, s, big); err == nil {
		t.Error("a thumbnail over MaxThumbnailBytes was recorded")
	}

	// Withdrawing everything adds Facebook; the earlier date stays on
	// the Instagram tasks.
	tasks, err = s.Withdraw(ctx, anna, AllChannels, day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, "facebook.jpg:S-1001:2026-11-01")
	slices.Sort(want)
	if got := exportsOf(tasks); !slices.Equal(got, want) {
		t.Fatalf("after withdrawing all: %v, want %v", got, want)
	}
	// A photo published later that still shows Anna comes with its task.
	publish("late.jpg", "website", "2026-11-20", PublishedFace{anna, true})
	open, err := s.Takedowns(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 5 || !slices.ContainsFunc(open, func(t Takedown) bool { return label[t.ExportName] == "late.jpg" && t.WithdrawnOn == day("2026-11-01") }) {
		t.Errorf("open tasks %v, want the 4 earlier ones and late.jpg", exportsOf(open))
	}

	// Marking done.
	if err := s.MarkTakedownDone(ctx, open[0].ID, day("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkTakedownDone(ctx, open[0].ID, day("2026-11-25")); err != nil {
		t.Fatal(err)
	}
	stillOpen, _ := s.Takedowns(ctx, false)
	all, _ := s.Takedowns(ctx, true)
	if len(stillOpen) != 4 || len(all) != 5 {
		t.Errorf("after marking one done: %d open, %d in all; want 4 and 5", len(stillOpen), len(all))
	}
	for _, task := range all {
		if task.ID == open[0].ID && task.DoneOn != day("2026-11-21") {
			t.Errorf("done on %s, want the first day 2026-11-21", task.DoneOn)
		}
	}
	if err := s.MarkTakedownDone(ctx, 9999, day("2026-11-21")); !errors.Is(err, ErrNotFound) {
		t.Errorf("marking an unknown task: %v", err)
	}
	if _, err := s.Withdraw(ctx, "S-404", "instagram", day("2026-11-21")); !errors.Is(err, ErrNotFound) {
		t.Errorf("withdrawing for an unknown id: %v", err)
	}
	if _, err := s.Withdraw(ctx, bram, "tiktok", day("2026-11-21")); err == nil || !strings.Contains(err.Error(), `unknown channel "tiktok"`) {
		t.Errorf("withdrawing an unknown channel: %v", err)
	}
	// The ledger outlives the child.
	if err := s.RemovePerson(ctx, anna); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Takedowns(ctx, true); len(all) != 5 || all[0].PersonName != "" {
		t.Errorf("after removing the child: %d tasks (want 5), name %q (want empty)", len(all), all[0].PersonName)
	}
}

// TestHasSomethingToWithdraw: a withdrawal changes something for a person
// with a consent on record, in force or not, or shown by a publication in
// the ledger, even once a roster import has removed their consents (their
// photos are still online); not for a person with neither, nor for one
// the ledger shows only redacted.
func TestHasSomethingToWithdraw(t *testing.T) { forEachBackend(t, testHasSomethingToWithdraw) }

func testHasSomethingToWithdraw(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	if _, err := record(ctx, s, testPublication("instagram", "2026-09-10", PublishedFace{"S-1001", true}, PublishedFace{"S-1002", false})); err != nil {
		t.Fatal(err)
	}
	expired := consents(Guardian, "website")
	expired[0].ValidUntil = day("2020-07-31")
	for _, tc := range []struct {
		name   string
		person *Person
		want   bool
	}{
		{"photo consent", &Person{ID: "S-9", Consents: consents(Guardian, "website")}, true},
		{"work consent only", &Person{ID: "S-9", WorkConsents: consents(Guardian, "print")}, true},
		{"expired consent", &Person{ID: "S-9", Consents: expired}, true},
		{"no consent left, shown in the ledger", &Person{ID: "S-1001"}, true},
		{"no consent, shown only redacted", &Person{ID: "S-1002"}, false},
		{"neither", &Person{ID: "S-9"}, false},
	} {
		got, err := s.HasSomethingToWithdraw(ctx, tc.person)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: something to withdraw %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestR5_LedgerNeedsPhotographerPermission(t *testing.T) {
	forEachBackend(t, testR5_LedgerNeedsPhotographerPermission)
}

func testR5_LedgerNeedsPhotographerPermission(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	good := testPublication("instagram", "2026-09-10", PublishedFace{"S-1001", true}, PublishedFace{"", false})
	for _, tc := range []struct {
		name   string
		change func(*Publication)
		want   string
	}{
		{"no photographer", func(p *Publication) { p.Photographer = "" }, "no photographer (R5)"},
		{"channel not permitted", func(p *Publication) { p.PhotographerChannels = []string{"website"} }, "has not permitted Instagram (R5)"},
		{"bad SHA-256", func(p *Publication) { p.OriginalSHA256 = "abc" }, "want 64 hex digits"},
		{"no vetting staff member", func(p *Publication) { p.VettedBy = " " }, "no vetting staff member"},
		{"unknown channel", func(p *Publication) { p.Channel, p.PhotographerChannels = "tiktok", []string{"tiktok"} }, `unknown channel "tiktok"`},
	} {
		p := good
		tc.change(&p)
		if _, err := record(ctx, s, p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	recorded, err := record(ctx, s, good)
	if err != nil {
		t.Fatal(err)
	}
	pubs, err := s.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	good.ID, good.ExportName = recorded.ID, "2026-09-10_instagram_001.jpg"
	if len(pubs) != 1 || fmt.Sprint(pubs[0]) != fmt.Sprint(good) || fmt.Sprint(recorded) != fmt.Sprint(good) {
		t.Errorf("ledger holds %+v, want %+v", pubs, good)
	}

	// Photographer permissions are kept per photographer.
	if err := s.SetPhotographerPermission(ctx, "Jan Smit", []string{"website", "instagram"}, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPhotographerPermission(ctx, "Jan Smit", []string{"tiktok"}, day("2026-09-01")); err == nil {
		t.Error("a permission for an unknown channel was accepted")
	}
	got, err := s.PhotographerChannels(ctx, "Jan Smit")
	if err != nil || !slices.Equal(got, []string{"instagram", "website"}) {
		t.Errorf("Jan Smit permits %v, %v", got, err)
	}
	if got, _ := s.PhotographerChannels(ctx, "Nobody"); len(got) != 0 {
		t.Errorf("an unknown photographer permits %v", got)
	}
}

// TestExportClaims follows exports through the register: names unique per
// day and channel across folders, taken names skipped, pending exports
// outside the ledger, an original published once unless republished, and
// abandoning and releasing claims.
func TestExportClaims(t *testing.T) { forEachBackend(t, testExportClaims) }

func testExportClaims(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	anna := PublishedFace{"S-1001", true}
	claim := func(p Publication, republish bool, taken ...string) ExportClaim {
		t.Helper()
		var offered []string
		c, err := s.ClaimExport(ctx, p, ClaimOptions{Temp: ".photovet-x.partial", Republish: republish, Create: func(name string) error {
			offered = append(offered, name)
			if slices.Contains(taken, name) {
				return ErrNameTaken
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != offered[len(offered)-1] || c.Folder != p.Folder || c.Published {
			t.Fatalf("claim %+v after offering %v", c, offered)
		}
		return c
	}
	inA, inB := testPublication("instagram", "2026-11-21", anna), testPublication("instagram", "2026-11-21", PublishedFace{"S-1002", true})
	inA.Folder, inB.Folder = "/exports/a", "/exports/b"
	first := claim(inA, false)
	// Another folder, the same day: the numbering goes on, past a file
	// of that name already in the folder.
	second := claim(inB, false, "2026-11-21_instagram_002.jpg")
	other := testPublication("website", "2026-11-21", anna)
	third := claim(other, false)
	if got := []string{first.Name, second.Name, third.Name}; !slices.Equal(got, []string{"2026-11-21_instagram_001.jpg", "2026-11-21_instagram_003.jpg", "2026-11-21_website_001.jpg"}) {
		t.Errorf("names %v", got)
	}

	// Pending exports are claimed but in no ledger and no take-down.
	if claims, err := s.ExportClaims(ctx, "/exports/a"); err != nil || len(claims) != 1 || claims[0] != first {
		t.Errorf("claims in /exports/a: %+v, %v; want %+v", claims, err, first)
	}
	if _, err := s.Withdraw(ctx, "S-1001", "website", day("2026-11-01")); err != nil {
		t.Fatal(err)
	}
	if pubs, _ := s.Publications(ctx); len(pubs) != 0 {
		t.Errorf("pending exports in the ledger: %+v", pubs)
	}
	if tasks, _ := s.Takedowns(ctx, true); len(tasks) != 0 {
		t.Errorf("take-downs of pending exports: %+v", tasks)
	}

	// Published: in the ledger, with its folder; a withdrawal already
	// recorded makes its task.
	pubA, err := s.PublishExport(ctx, first.PublicationID)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.PublishExport(ctx, first.PublicationID); err != nil || fmt.Sprint(again) != fmt.Sprint(pubA) {
		t.Errorf("publishing again: %+v, %v; want no change", again, err)
	}
	if pubA.Path() != "/exports/a/2026-11-21_instagram_001.jpg" || pubA.Republishes != 0 {
		t.Errorf("published %+v", pubA)
	}
	if _, err := s.PublishExport(ctx, third.PublicationID); err != nil {
		t.Fatal(err)
	}
	if tasks, _ := s.Takedowns(ctx, false); len(tasks) != 1 || tasks[0].ExportPath() != "/exports/2026-11-21_website_001.jpg" {
		t.Errorf("take-downs %+v, want the website export with its folder", tasks)
	}

	// The same original to the same channel again, from another folder:
	// refused, unless the reviewer asks; then a re-publication.
	again := inA
	again.Folder = "/exports/b"
	refused := claim(again, false)
	_, err = s.PublishExport(ctx, refused.PublicationID)
	if ape, ok := errors.AsType[*AlreadyPublishedError](err); !ok || ape.Earlier.ID != pubA.ID || !strings.Contains(err.Error(), "already published to Instagram on 2026-11-21 as /exports/a/2026-11-21_instagram_001.jpg") {
		t.Errorf("publishing an original twice: %v, want it refused naming the first", err)
	}
	if earlier, err := s.FirstPublication(ctx, strings.ToUpper(inA.OriginalSHA256), "instagram"); err != nil || earlier == nil || earlier.ID != pubA.ID || len(earlier.Faces) != 1 {
		t.Errorf("FirstPublication: %+v, %v; want %+v", earlier, err, pubA)
	}
	if none, err := s.FirstPublication(ctx, inA.OriginalSHA256, "facebook"); err != nil || none != nil {
		t.Errorf("FirstPublication on another channel: %+v, %v", none, err)
	}
	if err := s.AbandonExport(ctx, refused.PublicationID); err != nil {
		t.Fatal(err)
	}
	asked := claim(again, true)
	re, err := s.PublishExport(ctx, asked.PublicationID)
	if err != nil || re.Republishes != pubA.ID || re.ExportName != "2026-11-21_instagram_005.jpg" {
		t.Errorf("re-publication %+v, %v; want number 5 republishing %d", re, err, pubA.ID)
	}

	// A published export can be abandoned while claimed (its file could
	// not be put in place), not once released.
	if err := s.AbandonExport(ctx, re.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseExport(ctx, first.PublicationID); err != nil {
		t.Fatal(err)
	}
	if err := s.AbandonExport(ctx, first.PublicationID); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseExport(ctx, second.PublicationID); err != nil {
		t.Fatal(err)
	}
	var names []string
	pubs, err := s.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pubs {
		names = append(names, p.Path())
	}
	if want := []string{"/exports/a/2026-11-21_instagram_001.jpg", "/exports/2026-11-21_website_001.jpg"}; !slices.Equal(names, want) {
		t.Errorf("ledger %v, want %v", names, want)
	}
	claims, err := s.ExportClaims(ctx, "/exports/b")
	if err != nil || len(claims) != 1 || claims[0].PublicationID != second.PublicationID {
		t.Errorf("claims in /exports/b: %+v, %v; want the pending one, which cannot be released", claims, err)
	}
	if _, err := s.PublishExport(ctx, refused.PublicationID); !errors.Is(err, ErrNotFound) {
		t.Errorf("publishing an abandoned export: %v, want ErrNotFound", err)
	}
	for _, bad := range []ClaimOptions{
		{Temp: "", Create: func(string) error { return nil }},
		{Temp: ".x.partial"},
	} {
		if _, err := s.ClaimExport(ctx, inA, bad); err == nil {
			t.Errorf("claim with %+v accepted", bad)
		}
	}
	relative := inA
	relative.Folder = "exports"
	if _, err := s.ClaimExport(ctx, relative, ClaimOptions{Temp: ".x.partial", Create: func(string) error { return nil }}); err == nil {
		t.Error("a claim in a relative folder was accepted")
	}
	failing := errors.New("disk full")
	if _, err := s.ClaimExport(ctx, inB, ClaimOptions{Temp: ".x.partial", Create: func(string) error { return failing }}); !errors.Is(err, failing) {
		t.Errorf("a claim whose file cannot be created: %v", err)
	}
}

// TestMigrateLedgerToClaims opens a register of schema version 2 whose
// ledger has an original published twice (as every export did then): the
// second becomes a re-publication, and the day's numbering goes on after
// the names recorded.
func TestMigrateLedgerToClaims(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, RegisterFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range (sqliteDialect{}).migrations()[:2] {
		if _, err := db.ExecContext(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range []string{"2026-11-21_instagram_001.jpg", "2026-11-21_instagram_012.jpg", "2026-11-21_instagram_001.jpg", "before.jpg"} {
		if _, err := db.ExecContext(ctx, `INSERT INTO publications (original_sha256, export_name, channel, published_on, vetted_by, photographer, photographer_channels, recorded_at)
			VALUES (?, ?, 'instagram', '2026-11-21', 'Vera', 'Pia', 'instagram', 'now')`, strings.Repeat(fmt.Sprint(i%2), 64), name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pubs, err := s.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pubs {
		got = append(got, fmt.Sprintf("%d %s %q republishes %d", p.ID, p.ExportName, p.Folder, p.Republishes))
	}
	want := []string{
		`1 2026-11-21_instagram_001.jpg "" republishes 0`,
		`2 2026-11-21_instagram_012.jpg "" republishes 0`,
		`3 2026-11-21_instagram_001.jpg "" republishes 1`,
		`4 before.jpg "" republishes 2`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("migrated ledger\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := s.SetPhotographerPermission(ctx, "Pia", []string{"instagram"}, day("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	p := testPublication("instagram", "2026-11-21")
	p.Photographer = "Pia"
	c, err := s.ClaimExport(ctx, p, ClaimOptions{Temp: ".x.partial", Create: func(string) error { return nil }})
	if err != nil || c.Name != "2026-11-21_instagram_013.jpg" {
		t.Errorf("first claim after the migration: %+v, %v; want number 13", c, err)
	}
}
