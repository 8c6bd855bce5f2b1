package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
)

func TestWithdrawalEndToEndCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	roster := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(roster, assets.RosterTemplateCSV, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := photovetCLI(t, "roster", "import", roster, "--data", data); code != 0 || !strings.Contains(out, "10 added, 0 updated") {
		t.Fatalf("roster import: exit %d, %q", code, out)
	}
	if code, out, _ := photovetCLI(t, "roster", "list", "--data", data); code != 0 || !strings.Contains(out, "Anna de Vries") || !strings.Contains(out, "10 people") {
		t.Fatalf("roster list: exit %d", code)
	}

	// vet records publications; here they go through the store directly.
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	anna, bram := "S-1001", "S-1002"
	exports := filepath.Join(t.TempDir(), "exports")
	for i, p := range []struct {
		name, channel, on string
		faces             []consent.PublishedFace
	}{
		{"2026-09-10_instagram_001.jpg", "instagram", "2026-09-10", []consent.PublishedFace{{PersonID: anna, Visible: true}, {PersonID: bram, Visible: false}}},
		{"2026-09-25_instagram_001.jpg", "instagram", "2026-09-25", []consent.PublishedFace{{PersonID: anna, Visible: false}, {Visible: false}}},
		{"2026-09-12_facebook_001.jpg", "facebook", "2026-09-12", []consent.PublishedFace{{PersonID: anna, Visible: true}}},
		{"2026-10-20_instagram_001.jpg", "instagram", "2026-10-20", []consent.PublishedFace{{PersonID: bram, Visible: true}}},
		{"2026-10-01_website_001.jpg", "website", "2026-10-01", []consent.PublishedFace{{PersonID: anna, Visible: true}, {PersonID: bram, Visible: true}}},
	} {
		on, _ := consent.ParseDate(p.on)
		claim, err := store.ClaimExport(ctx, consent.Publication{
			OriginalSHA256: strings.Repeat(fmt.Sprintf("%02x", i), 32), Folder: exports, Channel: p.channel, Date: on,
			VettedBy: "Pieter de Boer", Photographer: "Jan Smit", PhotographerChannels: []string{p.channel}, Faces: p.faces,
		}, consent.ClaimOptions{Temp: ".photovet-export-TEST.partial", Create: func(string) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.PublishExport(ctx, claim.PublicationID); err != nil || claim.Name != p.name {
			t.Fatalf("published %s (%v), want %s", claim.Name, err, p.name)
		}
	}
	store.Close()

	// Anna's Instagram consent is withdrawn from 2 October: one photo.
	code, out, _ := photovetCLI(t, "withdraw", anna, "--channel", "instagram", "--date", "2026-10-02", "--data", data)
	if code != 0 || !strings.Contains(out, "1 published photo(s) to take down") || !strings.Contains(out, "2026-09-10_instagram_001.jpg") ||
		strings.Contains(out, "2026-09-25_instagram_001.jpg") || strings.Contains(out, "facebook") {
		t.Fatalf("withdraw instagram: exit %d, want exactly the 10 September Instagram photo", code)
	}
	// Then everything from 1 November: the Facebook and website photos join.
	code, out, _ = photovetCLI(t, "withdraw", anna, "--channel", "all", "--date", "2026-11-01", "--data", data)
	if code != 0 || !strings.Contains(out, "3 published photo(s) to take down") {
		t.Fatalf("withdraw all: exit %d", code)
	}
	code, out, _ = photovetCLI(t, "takedowns", "--data", data)
	// ID, due, channel, published, export file, original ("-": the
	// publications here record none), person, status.
	taskLine := regexp.MustCompile(`(?m)^#(\d+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+-\s+Anna de Vries \(S-1001\)\s+open$`)
	tasks := taskLine.FindAllStringSubmatch(out, -1)
	var listed []string
	for _, m := range tasks {
		listed = append(listed, m[2]+" "+m[3]+" "+m[4])
	}
	// Each export with its folder: the names of one day start again
	// per channel.
	want := []string{
		"2026-10-02 instagram " + filepath.Join(exports, "2026-09-10_instagram_001.jpg"),
		"2026-11-01 facebook " + filepath.Join(exports, "2026-09-12_facebook_001.jpg"),
		"2026-11-01 website " + filepath.Join(exports, "2026-10-01_website_001.jpg"),
	}
	if code != 0 || strings.Join(listed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("takedowns: exit %d, tasks\n%s\nwant\n%s", code, strings.Join(listed, "\n"), strings.Join(want, "\n"))
	}

	// The Instagram photo is taken down.
	instagramTask := tasks[0][1]
	if code, out, _ := photovetCLI(t, "takedowns", "--done", instagramTask, "--date", "2026-11-21", "--data", data); code != 0 || !strings.Contains(out, "marked done on 2026-11-21") {
		t.Fatalf("takedowns --done: exit %d", code)
	}
	if code, out, _ := photovetCLI(t, "takedowns", "--data", data); code != 0 || strings.Contains(out, "instagram_001") || strings.Count(out, "open") != 2 {
		t.Fatalf("takedowns after one is done: exit %d", code)
	}
	if code, out, _ := photovetCLI(t, "takedowns", "--all", "--data", data); code != 0 || !strings.Contains(out, "done 2026-11-21") || strings.Count(out, "Anna de Vries") != 3 {
		t.Fatalf("takedowns --all: exit %d", code)
	}

	// Exports after the withdrawal redact Anna.
	store, err = consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := store.Register(ctx)
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	on, _ := consent.ParseDate("2026-10-05")
	if got := consent.Decide(consent.Face{Review: consent.AssignedByHand, AssignedID: anna}, reg, consent.Job{Unit: consent.School, Channel: "instagram", Date: on}); got.Visible || got.Reason.String() != "consent withdrawn on 2026-10-02" {
		t.Errorf("Anna on Instagram after the withdrawal: %+v", got)
	}

	// Errors: stderr with the command's name and a non-zero exit.
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"withdraw", "S-404", "--channel", "instagram", "--data", data}, 1, "photovet withdraw: "},
		{[]string{"withdraw", anna, "--channel", "tiktok", "--data", data}, 1, `unknown channel "tiktok"`},
		{[]string{"withdraw", anna, "--data", data}, 2, "Usage: photovet withdraw"},
		{[]string{"withdraw", anna, "--channel", "x", "--date", "2026-02-30", "--data", data}, 2, "does not exist"},
		{[]string{"takedowns", "--done", "first", "--data", data}, 2, "not a task id"},
		{[]string{"takedowns", "--done", "999", "--data", data}, 1, "photovet takedowns: "},
		{[]string{"purge", "--data", data}, 2, "Usage: photovet purge --year-end"},
		{[]string{"roster", "import", filepath.Join(data, "missing.csv"), "--data", data}, 1, "photovet roster: "},
		{[]string{"roster", "frobnicate"}, 2, "unknown subcommand"},
	} {
		code, _, errOut := photovetCLI(t, tc.args...)
		if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
			t.Errorf("photovet %v: exit %d, stderr %q; want %d with %q", tc.args, code, errOut, tc.wantCode, tc.wantErr)
		}
	}
}

func TestRosterCLIImportErrorsAndPurge(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	badRoster := bytes.Replace(assets.RosterTemplateCSV, []byte("S-1002,Bram Jansen,child,3B,school,2016-09-30"), []byte("S-1002,Bram Jansen,child,3B,school,30.09.2036"), 1)
	if err := os.WriteFile(bad, badRoster, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := photovetCLI(t, "roster", "import", bad, "--data", data); code != 1 || !strings.Contains(errOut, "line 3, birth_date: 2036-09-30 is in the future") {
		t.Fatalf("bad roster: exit %d, %q", code, errOut)
	}
	if code, out, _ := photovetCLI(t, "roster", "list", "--data", data); code != 0 || !strings.Contains(out, "0 people") {
		t.Fatalf("a bad roster imported something")
	}
	// The template the binary prints is the one it imports.
	code, out, _ := photovetCLI(t, "roster", "template")
	if code != 0 || out != string(assets.RosterTemplateCSV) {
		t.Fatalf("roster template: exit %d", code)
	}
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := photovetCLI(t, "roster", "import", "--data", data, good); code != 0 {
		t.Fatal("template import failed")
	}
	store, err := consent.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	descriptor := make([]float32, consent.DescriptorLen)
	if err := store.SetDescriptors(context.Background(), "S-1001", [][]float32{descriptor, descriptor}); err != nil {
		t.Fatal(err)
	}
	confirmed := slices.Clone(descriptor)
	confirmed[0] = 0.45 // beyond a sure match, within reach of her portraits
	if _, err := store.AddConfirmedReference(context.Background(), "S-1001", confirmed); err != nil {
		t.Fatal(err)
	}
	if err := store.SetDescriptors(context.Background(), "T-9001", [][]float32{descriptor}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	if code, out, _ := photovetCLI(t, "roster", "list", "--data", data); code != 0 || !strings.Contains(out, "yes, 3 refs (1 confirmed)") || !strings.Contains(out, "yes, 1 refs ") {
		t.Fatalf("roster list: exit %d, want S-1001 with 3 references, 1 confirmed, and T-9001 with 1:\n%s", code, out)
	}
	if code, out, _ := photovetCLI(t, "roster", "forget", "S-1001", "--confirmed", "--data", data); code != 0 || !strings.Contains(out, "deleted 1 reference faces added from faces named by hand of S-1001") {
		t.Fatalf("roster forget --confirmed: exit %d, %q", code, out)
	}
	if code, out, _ := photovetCLI(t, "roster", "list", "--data", data); code != 0 || !strings.Contains(out, "yes, 2 refs ") {
		t.Fatalf("roster list after forget --confirmed: exit %d, want S-1001 with its 2 portraits:\n%s", code, out)
	}
	if code, _, errOut := photovetCLI(t, "roster", "forget", "S-4040", "--data", data); code != 1 || !strings.Contains(errOut, "not in the register") {
		t.Fatalf("roster forget of an unknown id: exit %d, %q", code, errOut)
	}
	if code, out, _ := photovetCLI(t, "withdraw", "T-9001", "--biometric", "--data", data); code != 0 || !strings.Contains(out, "descriptors are deleted") {
		t.Fatalf("withdraw --biometric: exit %d", code)
	}
	if code, out, _ := photovetCLI(t, "purge", "--year-end", "--data", data); code != 0 || !strings.Contains(out, "deleted 2 reference face descriptors") {
		t.Fatalf("purge: exit %d", code)
	}
	if code, out, _ := photovetCLI(t, "roster", "remove", "S-1001", "--data", data); code != 0 || !strings.Contains(out, "removed S-1001") {
		t.Fatalf("roster remove: exit %d", code)
	}
	if code, _, errOut := photovetCLI(t, "roster", "remove", "S-1001", "--data", data); code != 1 || !strings.Contains(errOut, "not in the register") {
		t.Fatalf("roster remove twice: exit %d", code)
	}
}

// markerDescriptor returns a descriptor whose stored bytes (little-endian
// float32, as the register keeps them) are found nowhere else, and those
// bytes.
func markerDescriptor(seed float32) ([]float32, []byte) {
	d := make([]float32, consent.DescriptorLen)
	var blob []byte
	for i := range d {
		d[i] = seed + float32(i)/1000
		blob = binary.LittleEndian.AppendUint32(blob, math.Float32bits(d[i]))
	}
	return d, blob
}

// registerTraces counts the 32-byte pieces of blob in the register's files.
func registerTraces(t *testing.T, data string, blob []byte) int {
	t.Helper()
	n := 0
	for _, name := range []string{consent.RegisterFile, consent.RegisterFile + "-wal", consent.RegisterFile + "-shm"} {
		b, err := os.ReadFile(filepath.Join(data, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+32 <= len(blob); i += 32 {
			n += bytes.Count(b, blob[i:i+32])
		}
	}
	return n
}

// TestCLIDeletionLeavesNoBytesWhileTheAppIsOpen deletes a child's face
// descriptors from the command line while the app has the register open,
// and looks for them in the register's files.
func TestCLIDeletionLeavesNoBytesWhileTheAppIsOpen(t *testing.T) {
	ctx := context.Background()
	noBiometric := bytes.Replace(assets.RosterTemplateCSV, []byte("website|newsletter|print,yes,"), []byte("website|newsletter|print,no,"), 1)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"withdraw --biometric", []string{"withdraw", "S-1001", "--biometric"}, "their face descriptors are deleted"},
		{"roster remove", []string{"roster", "remove", "S-1001"}, "removed S-1001 with their consents and face descriptors"},
		{"roster import with biometric no", []string{"roster", "import", "NO-BIOMETRIC"}, "2 reference descriptors deleted"},
		{"purge --year-end", []string{"purge", "--year-end"}, "deleted 4 reference face descriptors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			roster := filepath.Join(t.TempDir(), "roster.csv")
			if err := os.WriteFile(roster, assets.RosterTemplateCSV, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, _ := photovetCLI(t, "roster", "import", roster, "--data", data); code != 0 {
				t.Fatal("roster import failed")
			}
			marker, markerBytes := markerDescriptor(-41.5)
			other, _ := markerDescriptor(3)
			app, err := consent.Open(ctx, data)
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(app.SetDescriptors(ctx, "S-1001", [][]float32{marker, other}), app.SetDescriptors(ctx, "S-1002", [][]float32{other, other}), app.Close()); err != nil {
				t.Fatal(err)
			}
			// The app, started again in the morning, stays open all day.
			if app, err = consent.Open(ctx, data); err != nil {
				t.Fatal(err)
			}
			defer app.Close()
			if _, err := app.References(ctx); err != nil {
				t.Fatal(err)
			}
			before := registerTraces(t, data, markerBytes)
			if before == 0 {
				t.Fatal("S-1001's descriptor is not in the register's files: the check would prove nothing")
			}
			args := append([]string(nil), tc.args...)
			if args[len(args)-1] == "NO-BIOMETRIC" {
				args[len(args)-1] = filepath.Join(t.TempDir(), "no-biometric.csv")
				if err := os.WriteFile(args[len(args)-1], noBiometric, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			code, out, _ := photovetCLI(t, append(args, "--data", data)...)
			if code != 0 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 0 saying %q", code, tc.want)
			}
			after := registerTraces(t, data, markerBytes)
			t.Logf("pieces of S-1001's descriptor in the register's files: %d before, %d after", before, after)
			if after > 0 {
				t.Errorf("the deleted descriptor is still in the register's files (%d pieces of 32 bytes)", after)
			}
		})
	}
}

// TestCLIRefusesImplausibleDates gives the commands that take a date a
// year with a typo in it: each refuses it in words and changes nothing.
func TestCLIRefusesImplausibleDates(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(roster, assets.RosterTemplateCSV, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := photovetCLI(t, "roster", "import", roster, "--data", data); code != 0 {
		t.Fatal("roster import failed")
	}
	typo := filepath.Join(dir, "typo.csv")
	if err := os.WriteFile(typo, bytes.Replace(assets.RosterTemplateCSV, []byte(",2016-04-12,"), []byte(",1016-04-12,"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, listBefore, _ := photovetCLI(t, "roster", "list", "--data", data)
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"roster", "import", typo}, 1, `line 2, birth_date: date "1016-04-12": the year is before 1900: check it for a typo`},
		{[]string{"withdraw", "S-1001", "--channel", "instagram", "--date", "1016-04-12"}, 2, `--date: date "1016-04-12": the year is before 1900`},
		{[]string{"withdraw", "S-1001", "--channel", "instagram", "--date", "12.04.1016"}, 2, "the year is before 1900"},
		{[]string{"withdraw", "S-1001", "--channel", "instagram", "--date", "+201-04-12"}, 2, "want YYYY-MM-DD, DD.MM.YYYY or DD-MM-YYYY"},
		{[]string{"takedowns", "--done", "1", "--date", "12-04-1016"}, 2, "the year is before 1900"},
		{[]string{"vet", "--channel", "instagram", "--photographer", "Jan Smit", "--out", filepath.Join(dir, "out"), "--date", "+201-04-12", roster}, 2, "want YYYY-MM-DD"},
	} {
		code, _, errOut := photovetCLI(t, append(tc.args, "--data", data)...)
		if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
			t.Errorf("photovet %v: exit %d, stderr %q; want %d with %q", tc.args, code, errOut, tc.wantCode, tc.wantErr)
		}
	}
	if _, listAfter, _ := photovetCLI(t, "roster", "list", "--data", data); listAfter != listBefore {
		t.Error("a refused date changed the register")
	}
}
