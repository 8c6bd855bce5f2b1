package main

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// pristinRoster has three PRISTIN members as pupils of a school, all opted
// in to enrolment: Nayoung and Eunwoo with Instagram consent from guardian
// and pupil, Rena with website consent only.
const pristinRoster = `id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until
P-NAYOUNG,Nayoung,child,6A,school,2014-06-01,instagram|website,instagram|website,,yes,2026-08-17,2027-07-31
P-EUNWOO,Eunwoo,child,6A,school,2014-07-01,instagram|website,instagram|website,,yes,2026-08-17,2027-07-31
P-RENA,Rena,child,6A,school,2014-08-01,website,website,,yes,2026-08-17,2027-07-31
`

// TestVetEndToEndCLI enrols three PRISTIN members from their single
// photos, vets the group photo and two portraits for Instagram with the
// real models, and checks the exports with the detector and matcher, with
// ExifTool, against the ledger and after a withdrawal.
func TestVetEndToEndCLI(t *testing.T) {
	ctx := context.Background()
	rec := filepath.Join(testdata.Dir(t), "recognition")
	data, work := t.TempDir(), t.TempDir()
	roster := filepath.Join(work, "roster.csv")
	if err := os.WriteFile(roster, []byte(pristinRoster), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := photovetCLI(t, "roster", "import", roster, "--data", data); code != 0 {
		t.Fatalf("roster import: exit %d", code)
	}
	// Portraits named by id; links, so the test data is never copied.
	portraits := filepath.Join(work, "portraits")
	photos := filepath.Join(work, "photos")
	for _, dir := range []string{portraits, photos} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := func(src, dst string) {
		if err := os.Symlink(filepath.Join(rec, src), dst); err != nil {
			t.Fatal(err)
		}
	}
	link("nayoung.jpg", filepath.Join(portraits, "P-NAYOUNG.jpg"))
	link("eunwoo.jpg", filepath.Join(portraits, "P-EUNWOO.jpg"))
	link("rena.jpg", filepath.Join(portraits, "P-RENA.jpg"))
	link("pristin.jpg", filepath.Join(portraits, "P-NOBODY.jpg")) // ten faces: reported, not guessed
	code, out, errOut := photovetCLI(t, "roster", "enroll", portraits, "--data", data)
	if code != 1 || !strings.Contains(errOut, "shows 10 faces") || strings.Count(out, "enrolled ") != 3 {
		t.Fatalf("roster enroll: exit %d, want 1 with three enrolled and the group photo reported", code)
	}

	for _, name := range []string{"pristin.jpg", "nayoung.jpg", "rena.jpg"} {
		link(name, filepath.Join(photos, name))
	}
	originals := map[string][]byte{}
	for _, name := range []string{"pristin.jpg", "nayoung.jpg", "rena.jpg"} {
		b, err := os.ReadFile(filepath.Join(rec, name))
		if err != nil {
			t.Fatal(err)
		}
		originals[name] = b
	}
	outDir := filepath.Join(work, "cleared")
	code, out, _ = photovetCLI(t, "vet", "--data", data, "--channel", "instagram", "--unit", "school",
		"--photographer", "Pia Photo", "--photographer-channels", "instagram,website", "--out", outDir,
		"--vetted-by", "Vera", "--date", "2026-11-21", "--redact-unknown", "--json", photos)
	if code != 0 {
		t.Fatalf("vet: exit %d", code)
	}
	lines := map[string]vetLine{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v vetLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines[filepath.Base(v.File)] = v
	}
	visibleIn := func(name string) []string {
		var ids []string
		for _, f := range lines[name].Faces {
			if f.Visible {
				ids = append(ids, f.Person)
			}
		}
		slices.Sort(ids)
		return ids
	}
	if got := visibleIn("pristin.jpg"); !slices.Equal(got, []string{"P-EUNWOO", "P-NAYOUNG"}) {
		t.Errorf("pristin.jpg: visible %v, want Eunwoo and Nayoung", got)
	}
	if got := visibleIn("rena.jpg"); len(got) != 0 {
		t.Errorf("rena.jpg: visible %v, want nobody", got)
	}
	for name, l := range lines {
		if l.Status != vet.Cleared || l.Output == "" {
			t.Errorf("%s: %s %v, output %q; want cleared and exported", name, l.Status, l.Reasons, l.Output)
		}
		b, err := os.ReadFile(filepath.Join(rec, name))
		if err != nil || string(b) != string(originals[name]) {
			t.Errorf("%s: original changed (R10)", name)
		}
	}

	// The detector and matcher on the exports: consented faces are
	// recognised, Rena is not, anywhere.
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	matcher, err := vet.NewMatcher(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	modelDir, err := vision.ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := vision.NewEngine(modelDir, 0, vision.DefaultDetectOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	recognised := func(path string) []string {
		p, err := vision.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		faces, err := engine.Find(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range faces {
			if m := matcher.Match(f.Descriptor); m.Status == vision.MatchMatched {
				ids = append(ids, m.PersonID)
			}
		}
		slices.Sort(ids)
		t.Logf("%s: %d faces found, recognised %v", filepath.Base(path), len(faces), ids)
		return ids
	}
	if got := recognised(lines["pristin.jpg"].Output); !slices.Equal(got, []string{"P-EUNWOO", "P-NAYOUNG"}) {
		t.Errorf("exported pristin.jpg: recognised %v, want Eunwoo and Nayoung only", got)
	}
	if got := recognised(lines["nayoung.jpg"].Output); !slices.Equal(got, []string{"P-NAYOUNG"}) {
		t.Errorf("exported nayoung.jpg: recognised %v, want Nayoung", got)
	}
	if got := recognised(lines["rena.jpg"].Output); len(got) != 0 {
		t.Errorf("exported rena.jpg: recognised %v, want nobody", got)
	}

	// ExifTool finds nothing but the image itself.
	var exported []string
	for _, l := range lines {
		exported = append(exported, l.Output)
	}
	tags, err := exec.Command("exiftool", append([]string{"-j", "-a", "-G1"}, exported...)...).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var found []map[string]any
	if err := json.Unmarshal(tags, &found); err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		for tag := range f {
			group, _, _ := strings.Cut(tag, ":")
			if !slices.Contains([]string{"SourceFile", "ExifTool", "System", "File", "Composite"}, group) {
				t.Errorf("%s: ExifTool finds %s", f["SourceFile"], tag)
			}
		}
	}

	// The ledger lists the exports; withdrawing Nayoung's consent lists
	// the two in which she is visible.
	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ledger []string
	for _, p := range pubs {
		ledger = append(ledger, filepath.Join(outDir, p.ExportName))
	}
	slices.Sort(ledger)
	slices.Sort(exported)
	if !slices.Equal(ledger, exported) {
		t.Errorf("ledger %v, want the exports %v", ledger, exported)
	}
	code, out, _ = photovetCLI(t, "withdraw", "P-NAYOUNG", "--channel", "instagram", "--date", "2026-11-22", "--data", data)
	if code != 0 || !strings.Contains(out, "2 published photo(s) to take down") ||
		!strings.Contains(out, filepath.Base(lines["pristin.jpg"].Output)) || !strings.Contains(out, filepath.Base(lines["nayoung.jpg"].Output)) {
		t.Errorf("withdraw: exit %d, want the pristin and nayoung exports to take down", code)
	}

	// Early childhood: every child is redacted, the unknown faces too by
	// default.
	ecOut := filepath.Join(work, "daycare")
	code, out, _ = photovetCLI(t, "vet", "--data", data, "--channel", "website", "--unit", "early_childhood",
		"--photographer", "Pia Photo", "--photographer-channels", "instagram,website", "--out", ecOut,
		"--vetted-by", "Vera", "--date", "2026-11-21", filepath.Join(photos, "nayoung.jpg"))
	if code != 0 || !strings.Contains(out, "exported 1 of 1") {
		t.Fatalf("early childhood vet: exit %d", code)
	}
	if got := recognised(filepath.Join(ecOut, "2026-11-21_website_001.jpg")); len(got) != 0 {
		t.Errorf("early childhood export: recognised %v, want nobody", got)
	}
}

// TestVetBadInputsCLI vets a folder of broken files and one good photo:
// each broken one is reported with its reason, the good one is exported.
func TestVetBadInputsCLI(t *testing.T) {
	td := testdata.Dir(t)
	data, dir, out := t.TempDir(), t.TempDir(), t.TempDir()
	good := filepath.Join(td, "recognition", "nayoung.jpg")
	jpeg, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(good, filepath.Join(dir, "good.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone.jpg"), filepath.Join(dir, "unreadable.jpg")); err != nil {
		t.Fatal(err)
	}
	// A PNG header declaring 20000x20000 pixels, with its checksum.
	huge := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x02\x00\x00\x00")
	sum := crc32.ChecksumIEEE(huge[12:])
	huge = append(huge, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
	for name, content := range map[string][]byte{
		"truncated.jpg": jpeg[:len(jpeg)/3],
		"empty.jpg":     nil,
		"text.jpg":      []byte("not a photo\n"),
		"huge.png":      huge,
		"notes.txt":     []byte("a note\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := photovetCLI(t, "vet", "--data", data, "--channel", "website", "--unit", "school",
		"--photographer", "Pia Photo", "--photographer-channels", "website", "--out", out,
		"--vetted-by", "Vera", "--redact-unknown", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1: some photos failed", code)
	}
	if !strings.Contains(stdout, "exported 1 of 6 photos") || !strings.Contains(stderr, "skipped, not a photo: "+filepath.Join(dir, "notes.txt")) {
		t.Errorf("want the good photo exported and notes.txt skipped")
	}
	for name, reason := range map[string]string{
		"truncated.jpg":  "damaged or truncated",
		"empty.jpg":      "not a JPEG, PNG or HEIC",
		"text.jpg":       "not a JPEG, PNG or HEIC",
		"huge.png":       "too large",
		"unreadable.jpg": "no such file",
	} {
		found := false
		for _, line := range strings.Split(stdout, "\n") {
			found = found || strings.Contains(line, filepath.Join(dir, name)) && strings.Contains(line, reason)
		}
		if !found {
			t.Errorf("%s: not reported with %q", name, reason)
		}
	}
	if entries, err := os.ReadDir(out); err != nil || len(entries) != 1 {
		t.Errorf("export folder holds %d files (%v), want 1", len(entries), err)
	}
}
