package consent

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestImportTemplate(t *testing.T) { forEachBackend(t, testImportTemplate) }

func testImportTemplate(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	sum, err := s.ImportRoster(ctx, bytes.NewReader(templateCSV(t)), ImportOptions{Today: templateDay})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := s.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var children, staff, optIns, consentRows int
	for _, p := range reg.People {
		if p.Role == Staff {
			staff++
		} else {
			children++
		}
		if p.BiometricOptIn {
			optIns++
		}
		consentRows += len(p.Consents) + len(p.WorkConsents)
	}
	t.Logf("template: %+v; %d children, %d staff, %d biometric opt-ins, %d consent rows", sum, children, staff, optIns, consentRows)
	if sum.Added != 10 || children != 8 || staff != 2 || optIns != 6 {
		t.Fatalf("template imported as %+v with %d children, %d staff, %d opt-ins; want 10 added, 8, 2, 6", sum, children, staff, optIns)
	}
	anna := reg.People["S-1001"]
	if anna.Name != "Anna de Vries" || anna.Group != "3B" || anna.Unit != School || anna.BirthDate != NewDate(2016, 4, 12) ||
		len(anna.Consents) != 8 || len(anna.WorkConsents) != 3 || anna.Consents[0].ValidUntil != NewDate(2027, 7, 31) {
		t.Errorf("S-1001 = %+v", anna)
	}
	if chloe := reg.People["S-1003"]; len(chloe.WorkConsents) != len(reg.Settings.Channels) {
		t.Errorf("work_consent=all gave %d channels, want %d", len(chloe.WorkConsents), len(reg.Settings.Channels))
	}
	if marja := reg.People["T-9001"]; marja.Consents[0].Giver != StaffMember || !marja.BirthDate.IsZero() {
		t.Errorf("staff consent recorded as %+v", marja.Consents)
	}

	// What the template's people get on Instagram on the import day.
	ig := Job{School, "instagram", templateDay}
	for id, wantVisible := range map[string]bool{
		"S-1001": true,  // both consents
		"S-1002": false, // website and newsletter only
		"S-1003": false, // guardian: all, pupil: website only
		"S-1004": true,  // 15: his own consent suffices
		"S-1005": true,  // turns 15 today
		"U-3001": true,
		"L-2001": false, // early childhood
		"T-9001": true,
		"T-9002": false,
	} {
		got := Decide(confirmedFace(id), reg, ig)
		t.Logf("%s on Instagram: %q", id, got.Reason)
		if got.Visible != wantVisible {
			t.Errorf("%s on Instagram: %+v, want visible=%v", id, got, wantVisible)
		}
	}
}

// rewriteRoster re-saves a roster with another delimiter, date format and
// optional byte-order mark, as a spreadsheet would.
func rewriteRoster(t *testing.T, data []byte, comma rune, dateLayout string, bom bool) []byte {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if bom {
		out.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&out)
	w.Comma = comma
	for _, rec := range records {
		for i, v := range rec {
			if d, err := time.Parse("2006-01-02", v); err == nil {
				rec[i] = d.Format(dateLayout)
			}
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return out.Bytes()
}

func TestImportFormatsIdentical(t *testing.T) { forEachBackend(t, testImportFormatsIdentical) }

func testImportFormatsIdentical(t *testing.T, b testBackend) {
	ctx := context.Background()
	template := templateCSV(t)
	load := func(t *testing.T, data []byte) *Register {
		s, _ := b.open(t)
		if _, err := s.ImportRoster(ctx, bytes.NewReader(data), ImportOptions{Today: templateDay}); err != nil {
			t.Fatal(err)
		}
		reg, err := s.Register(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range reg.People {
			p.RegistrationKey = "" // drawn at random (testRegistrationKeys)
		}
		return reg
	}
	want := load(t, template)
	for _, v := range []struct {
		name   string
		comma  rune
		layout string
		bom    bool
	}{
		{"semicolon, BOM, DD.MM.YYYY", ';', "02.01.2006", true},
		{"tab, DD-MM-YYYY", '\t', "02-01-2006", false},
		{"comma with a BOM", ',', "2006-01-02", true},
	} {
		t.Run(v.name, func(t *testing.T) {
			data := rewriteRoster(t, template, v.comma, v.layout, v.bom)
			firstLine, _, _ := bytes.Cut(data, []byte("\n"))
			t.Logf("first bytes: %q", firstLine[:min(len(firstLine), 24)])
			if got := load(t, data); !reflect.DeepEqual(got, want) {
				t.Errorf("imported differently:\n%+v\nwant\n%+v", got.People, want.People)
			}
		})
	}
	// Windows line endings and Dutch headers too.
	dutch := strings.Replace(string(template), "id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until",
		"Nummer,Naam,Rol,Groep,Eenheid,Geboortedatum,Toestemming ouder,Toestemming leerling,Toestemming werk,Biometrie,Geldig vanaf,Geldig tot", 1)
	if got := load(t, []byte(strings.ReplaceAll(dutch, "\n", "\r\n"))); !reflect.DeepEqual(got, want) {
		t.Errorf("Dutch headers with CRLF imported differently")
	}
}

// bigRoster returns a valid roster of n children; with bad set, the row on
// file line badLine (the header is line 1) carries that bad field instead.
func bigRoster(n int, nameSuffix string, badLine int, bad func(row []string)) []byte {
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.Write([]string{"id", "name", "role", "group", "unit", "birth_date", "guardian_consent", "pupil_consent", "work_consent", "biometric", "valid_from", "valid_until"})
	for i := range n {
		row := []string{
			fmt.Sprintf("G-%05d", i), fmt.Sprintf("Child %d%s", i, nameSuffix), "child", fmt.Sprintf("%dA", 1+i%8), "school",
			NewDate(2010+i%10, time.Month(1+i%12), 1+i%28).String(),
			"website|newsletter|facebook", "website|newsletter|instagram", "website|print", []string{"yes", "no"}[i%2],
			"2026-08-17", "2027-07-31",
		}
		if bad != nil && i+2 == badLine {
			bad(row)
		}
		w.Write(row)
	}
	w.Flush()
	return out.Bytes()
}

func TestImportOneBadRowAmong500ImportsNothing(t *testing.T) {
	forEachBackend(t, testImportOneBadRowAmong500ImportsNothing)
}

func testImportOneBadRowAmong500ImportsNothing(t *testing.T, b testBackend) {
	ctx := context.Background()
	const badLine = 317
	cases := []struct {
		name      string
		bad       func(row []string)
		wantField string
		wantMsg   string
	}{
		{"unknown channel", func(r []string) { r[7] = "website|tiktok" }, "pupil_consent", `unknown channel "tiktok"`},
		{"bad date", func(r []string) { r[5] = "31.02.2015" }, "birth_date", "does not exist"},
		{"unreadable date", func(r []string) { r[10] = "17/08/2026" }, "valid_from", "want YYYY-MM-DD"},
		{"duplicate id", func(r []string) { r[0] = "G-00007" }, "id", `"G-00007" already appears on line 9`},
		{"birth date in the future", func(r []string) { r[5] = "2027-01-01" }, "birth_date", "in the future"},
		{"missing id", func(r []string) { r[0] = "" }, "id", "missing"},
		{"missing birth date", func(r []string) { r[5] = "" }, "birth_date", "missing"},
		{"bad unit", func(r []string) { r[4] = "kindergarten" }, "unit", "want early_childhood"},
		{"bad biometric", func(r []string) { r[9] = "maybe" }, "biometric", "want yes or no"},
		{"validity backwards", func(r []string) { r[11] = "2026-08-01" }, "valid_until", "before valid_from"},
		// A typo'd year would make a child of ten a thousand years old,
		// old enough to consent alone (R3).
		{"birth year 1016", func(r []string) { r[5] = "1016-04-12" }, "birth_date", `date "1016-04-12": the year is before 1900`},
		{"birth year 1016 as DD.MM.YYYY", func(r []string) { r[5] = "12.04.1016" }, "birth_date", "the year is before 1900"},
		{"birth year 1016 as DD-MM-YYYY", func(r []string) { r[5] = "12-04-1016" }, "birth_date", "the year is before 1900"},
		{"birth year with a sign", func(r []string) { r[5] = "+201-04-12" }, "birth_date", "want YYYY-MM-DD"},
		{"birth year with a sign as DD.MM.YYYY", func(r []string) { r[5] = "12.04.+201" }, "birth_date", "want YYYY-MM-DD"},
		{"validity year with a sign", func(r []string) { r[11] = "+202-07-31" }, "valid_until", "want YYYY-MM-DD"},
		{"validity year 0202", func(r []string) { r[10] = "0202-08-17" }, "valid_from", "the year is before 1900"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := b.open(t)
			importTemplate(t, s)
			before := dumpRegister(t, s)
			_, err := s.ImportRoster(ctx, bytes.NewReader(bigRoster(500, "", badLine, tc.bad)), ImportOptions{Today: templateDay})
			var rerr *RosterError
			if !errors.As(err, &rerr) {
				t.Fatalf("import: %v, want a *RosterError", err)
			}
			t.Logf("%v", err)
			if len(rerr.Rows) != 1 || rerr.Rows[0].Line != badLine || rerr.Rows[0].Field != tc.wantField || !strings.Contains(rerr.Rows[0].Msg.String(), tc.wantMsg) {
				t.Errorf("problems %+v, want one on line %d, field %s, saying %q", rerr.Rows, badLine, tc.wantField, tc.wantMsg)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("line %d, %s:", badLine, tc.wantField)) {
				t.Errorf("message %q does not name line %d and field %s", err, badLine, tc.wantField)
			}
			if after := dumpRegister(t, s); after != before {
				t.Error("a refused import changed the register")
			}
		})
	}

	// File-level problems.
	for _, tc := range []struct {
		name, data, want string
	}{
		{"unknown column", "id,name,nickname\nS-1,Anna,Annie\n", "line 1, nickname: unknown column"},
		{"missing id column", "name,birth_date\nAnna,2016-01-01\n", "line 1, id: missing column"},
		{"short row", "id,name,birth_date\nS-1,Anna,2016-01-01\nS-2,Bram\n", "line 3: 2 fields, the header has 3"},
		{"staff with guardian consent", "id,name,role,guardian_consent\nT-1,Marja,staff,website\n", "line 2, guardian_consent: staff have no guardian"},
		{"not UTF-8", "id,name,birth_date\nS-1,Chlo\xe9,2016-01-01\n", "line 2: the file is not UTF-8"},
		{"empty", "", "the file is empty"},
		{"bad quoting", "id,name,birth_date\nS-1,\"Anna,2016-01-01\n", "line 2"},
		{"Finnish headers named as written", "tunnus;nimi;rooli;huoltajan_lupa\nT-1;Marja;staff;website\n", "line 2, huoltajan_lupa: staff have no guardian: put a staff member's own consent in pupil_consent"},
		{"Dutch headers named as written", "nummer,naam,geboortedatum,toestemming_leerling\nS-1,Anna,31.02.2015,\n", `line 2, geboortedatum: date "31.02.2015" does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := b.open(t)
			_, err := s.ImportRoster(ctx, strings.NewReader(tc.data), ImportOptions{Today: templateDay})
			t.Logf("%v", err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("import: %v, want %q", err, tc.want)
			}
			if n := countRows(t, s, "SELECT count(*) FROM people"); n != 0 {
				t.Errorf("%d people imported", n)
			}
		})
	}
}

// TestReimportKeepsDescriptorsWithdrawalsAndLedger: a roster import
// updates people and keeps what PhotoVet recorded about them; a
// withdrawal holds even once the person was removed and listed again.
func TestReimportKeepsDescriptorsWithdrawalsAndLedger(t *testing.T) {
	forEachBackend(t, testReimportKeepsDescriptorsWithdrawalsAndLedger)
}

func testReimportKeepsDescriptorsWithdrawalsAndLedger(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	if err := s.SetDescriptors(ctx, "S-1001", [][]float32{descriptor(1), descriptor(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := record(ctx, s, testPublication("instagram", "2026-09-10", PublishedFace{"S-1001", true})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, "S-1001", "instagram", NewDate(2026, 10, 2)); err != nil {
		t.Fatal(err)
	}
	// The school office's next export renames Anna and still lists Instagram.
	renamed := bytes.Replace(templateCSV(t), []byte("Anna de Vries"), []byte("Anna de Vries-Smit"), 1)
	sum, err := s.ImportRoster(ctx, bytes.NewReader(renamed), ImportOptions{Today: templateDay})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-import: %+v", sum)
	if sum.Added != 0 || sum.Updated != 10 || sum.DescriptorsDeleted != 0 {
		t.Errorf("re-import summary %+v, want 10 updated and nothing deleted", sum)
	}
	reg, err := s.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if name := reg.People["S-1001"].Name; name != "Anna de Vries-Smit" {
		t.Errorf("name not updated: %q", name)
	}
	refs, _ := s.References(ctx)
	pubs, _ := s.Publications(ctx)
	tasks, _ := s.Takedowns(ctx, false)
	if len(refs) != 2 || len(pubs) != 1 || len(tasks) != 1 {
		t.Errorf("after re-import: %d references, %d publications, %d take-downs; want 2, 1, 1", len(refs), len(pubs), len(tasks))
	}
	if got := Decide(confirmedFace("S-1001"), reg, Job{School, "instagram", templateDay}); got.Visible || got.Reason.String() != "consent withdrawn on 2026-10-02" {
		t.Errorf("re-import brought back a withdrawn consent: %+v", got)
	}

	// Nor does removing Anna and importing the roster again.
	if err := s.RemovePerson(ctx, "S-1001"); err != nil {
		t.Fatal(err)
	}
	importTemplate(t, s)
	if reg, err = s.Register(ctx); err != nil {
		t.Fatal(err)
	}
	if got := Decide(confirmedFace("S-1001"), reg, Job{School, "instagram", templateDay}); got.Visible || got.Reason.String() != "consent withdrawn on 2026-10-02" {
		t.Errorf("removal and re-import brought back a withdrawn consent: %+v", got)
	}
}

func TestRegistrationKeys(t *testing.T) { forEachBackend(t, testRegistrationKeys) }

// testRegistrationKeys: a person keeps their registration key through
// re-imports of the roster and gets a new one when removed and listed
// again, so that a review naming them then (Face.InRegister) no longer
// holds.
func testRegistrationKeys(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	keys := func() map[string]string {
		t.Helper()
		reg, err := s.Register(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]string{}
		seen := map[string]bool{}
		for id, p := range reg.People {
			if p.RegistrationKey == "" || seen[p.RegistrationKey] {
				t.Errorf("%s: registration key %q, want one of their own", id, p.RegistrationKey)
			}
			seen[p.RegistrationKey] = true
			keys[id] = p.RegistrationKey
		}
		return keys
	}
	first := keys()
	importTemplate(t, s)
	if again := keys(); !maps.Equal(again, first) {
		t.Errorf("a re-import changed the keys: %v, were %v", again, first)
	}
	if err := s.RemovePerson(ctx, "S-1001"); err != nil {
		t.Fatal(err)
	}
	importTemplate(t, s) // the school office's roster still lists Anna
	back := keys()
	if back["S-1001"] == first["S-1001"] {
		t.Errorf("Anna, removed and listed again, kept her key %q", back["S-1001"])
	}
	delete(back, "S-1001")
	delete(first, "S-1001")
	if !maps.Equal(back, first) {
		t.Errorf("listing Anna again changed the others' keys: %v, were %v", back, first)
	}
}

// killChildEnv makes the test binary act as the child process of
// TestImportKilledMidwayLeavesRegisterUnchanged: "DIR|ROSTER".
const killChildEnv = "PHOTOVET_TEST_KILL_IMPORT"

func TestImportKilledMidwayLeavesRegisterUnchanged(t *testing.T) {
	if arg := os.Getenv(killChildEnv); arg != "" {
		importUntilKilled(arg)
		return
	}
	forEachBackend(t, testImportKilledMidwayLeavesRegisterUnchanged)
}

func testImportKilledMidwayLeavesRegisterUnchanged(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, dir := b.open(t)
	importTemplate(t, s)
	if err := s.SetDescriptors(ctx, "S-1001", [][]float32{descriptor(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := record(ctx, s, testPublication("facebook", "2026-09-10", PublishedFace{"S-1001", true})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, "S-1001", "facebook", NewDate(2026, 10, 2)); err != nil {
		t.Fatal(err)
	}
	before := dumpRegister(t, s)
	s.Close()

	// 8,000 children; the template's ids come first so the import
	// updates existing people as well as adding new ones.
	const rows = 8000
	roster := append(bytes.Replace(templateCSV(t), []byte("Anna de Vries"), []byte("Anna Killed"), 1),
		bytes.SplitN(bigRoster(rows, " killed", 0, nil), []byte("\n"), 2)[1]...)
	rosterPath := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(rosterPath, roster, 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilledMidwayLeavesRegisterUnchanged$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir+"|"+rosterPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe() // held open: the child waits on it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var progress string
	var output []string
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "written ") {
			progress = lines.Text()
			break
		}
		output = append(output, lines.Text())
	}
	if progress == "" {
		cmd.Wait()
		t.Fatalf("the child never reported progress; it wrote:\n%s", strings.Join(output, "\n"))
	}
	var walBytes int64
	if wal, err := os.Stat(filepath.Join(dir, RegisterFile+"-wal")); err == nil {
		walBytes = wal.Size()
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err = cmd.Wait()
	status, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !status.Signaled() || status.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}
	t.Logf("child %s of %d, killed after %v; WAL holds %d bytes of the uncommitted import", progress, rows+10, time.Since(start).Round(time.Millisecond), walBytes)

	s2 := openAt(t, dir)
	if b.name == "sqlite" {
		var check string
		if err := s2.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity check: %q, %v", check, err)
		}
	}
	if after := dumpRegister(t, s2); after != before {
		t.Fatalf("the killed import changed the register")
	}
	t.Logf("register after the kill: identical to before (%d people), integrity ok", countRows(t, s2, "SELECT count(*) FROM people"))
}

// importUntilKilled is the child process: it imports the roster and, half
// way through the transaction, reports and waits for the parent to kill it.
func importUntilKilled(arg string) {
	dir, rosterPath, _ := strings.Cut(arg, "|")
	data, err := os.ReadFile(rosterPath)
	if err != nil {
		fmt.Println("child:", err)
		os.Exit(3)
	}
	s, err := OpenRegister(context.Background(), dir, os.TempDir())
	if err != nil {
		fmt.Println("child:", err)
		os.Exit(3)
	}
	_, err = s.ImportRoster(context.Background(), bytes.NewReader(data), ImportOptions{
		Today: templateDay,
		Progress: func(done, total int) {
			if done == total/2 {
				fmt.Printf("written %d\n", done)
				os.Stdin.Read(make([]byte, 1)) // blocks until the parent kills us
			}
		},
	})
	fmt.Println("child: import finished, it should have been killed:", err)
	os.Exit(4)
}

// TestImportBirthDateBounds imports birth dates at the ends of what is
// plausible, 1 January 1900 and today, and one day beyond each.
func TestImportBirthDateBounds(t *testing.T) { forEachBackend(t, testImportBirthDateBounds) }

func testImportBirthDateBounds(t *testing.T, b testBackend) {
	ctx := context.Background()
	const header = "id,name,role,birth_date\n"
	s, _ := b.open(t)
	good := header + "T-1,Oldest Staff,staff,1900-01-01\nS-1,Newborn,child,21.11.2026\n"
	if _, err := s.ImportRoster(ctx, strings.NewReader(good), ImportOptions{Today: templateDay}); err != nil {
		t.Fatalf("birth dates 1900-01-01 and today: %v", err)
	}
	bad := header + "T-2,Too Old,staff,31.12.1899\nS-2,Not Born,child,2026-11-22\n"
	_, err := s.ImportRoster(ctx, strings.NewReader(bad), ImportOptions{Today: templateDay})
	t.Logf("%v", err)
	rerr, ok := errors.AsType[*RosterError](err)
	if !ok || len(rerr.Rows) != 2 ||
		rerr.Rows[0].Line != 2 || rerr.Rows[0].Field != "birth_date" || !strings.Contains(rerr.Rows[0].Msg.String(), "before 1900") ||
		rerr.Rows[1].Line != 3 || rerr.Rows[1].Field != "birth_date" || !strings.Contains(rerr.Rows[1].Msg.String(), "in the future") {
		t.Errorf("birth dates 1899-12-31 and tomorrow: %v, want both refused, naming line and column", err)
	}
}
