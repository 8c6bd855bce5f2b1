package cli

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/cleancheck"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// pristinRoster has the ten PRISTIN members as pupils of a school (aged
// 12 on the export date: guardian and pupil must both agree), all opted in
// to face recognition. Instagram consent: Nayoung, Eunwoo, Kyla, Yuha and
// Yehana from both; Roa from the guardian only, Xiyeon from the pupil
// only; Rena and Sungyeon for the website only; Kyulkyung for nothing.
const pristinRoster = `id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until
P-NAYOUNG,Nayoung,child,6A,school,2014-06-01,instagram|website,instagram|website,,yes,2026-08-17,2027-07-31
P-EUNWOO,Eunwoo,child,6A,school,2014-07-01,instagram|website,instagram|website,,yes,2026-08-17,2027-07-31
P-RENA,Rena,child,6A,school,2014-08-01,website,website,,yes,2026-08-17,2027-07-31
P-KYLA,Kyla,child,6A,school,2014-03-01,instagram,instagram,,yes,2026-08-17,2027-07-31
P-YUHA,Yuha,child,6A,school,2014-04-01,instagram|website,instagram,,yes,2026-08-17,2027-07-31
P-YEHANA,Yehana,child,6A,school,2014-05-01,instagram,instagram,,yes,2026-08-17,2027-07-31
P-ROA,Roa,child,6A,school,2014-09-01,instagram,,,yes,2026-08-17,2027-07-31
P-XIYEON,Xiyeon,child,6A,school,2014-10-01,,instagram,,yes,2026-08-17,2027-07-31
P-SUNGYEON,Sungyeon,child,6A,school,2014-11-01,website,website,,yes,2026-08-17,2027-07-31
P-KYULKYUNG,Kyulkyung,child,6A,school,2014-12-01,,,,yes,2026-08-17,2027-07-31
`

// TestVetEndToEndCLI is issue 5's acceptance through the CLI with the real
// models: the roster of the ten PRISTIN members, enrolment from the three
// single photos (nayoung, eunwoo and rena.jpg; the group photo given as a
// portrait is reported, not guessed), then `vet` of the whole recognition
// folder to Instagram. It checks that only cleared photos are exported;
// that in the exports the detector and matcher recognise exactly the faces
// decided visible (against the enrolled references, and against the
// idols.json references of all ten members, so that no member without
// consent can be recognised, enrolled or not); that ExifTool finds no
// metadata; that the ledger lists the exports; that withdrawing Nayoung's
// consent lists exactly the exports she is visible in; and that an early
// childhood batch redacts every face.
//
// On 21 November 2026 it fails on two wrong matches through Eunwoo's
// portrait: pristin.jpg's Sungyeon (no Instagram consent; idols.json names
// her at 0.33) is shown as Eunwoo at 0.454, and jimin4.jpg's Jimin (AOA) as
// Eunwoo at 0.4996. eunwoo.jpg itself is as near to Sungyeon as to Eunwoo
// in idols.json (the test data's README calls it "likely" Eunwoo).
func TestVetEndToEndCLI(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	rec := filepath.Join(testdata.Dir(t), "recognition")
	data, work := t.TempDir(), t.TempDir()
	roster := filepath.Join(work, "roster.csv")
	if err := os.WriteFile(roster, []byte(pristinRoster), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := photovetCLI(t, "roster", "import", roster, "--data", data); code != 0 || !strings.Contains(out, "10 added") {
		t.Fatalf("roster import: exit %d, want the ten members added", code)
	}
	// Portraits named by id; links, so the test data is never copied.
	portraits := filepath.Join(work, "portraits")
	if err := os.Mkdir(portraits, 0o755); err != nil {
		t.Fatal(err)
	}
	for src, id := range map[string]string{"nayoung.jpg": "P-NAYOUNG", "eunwoo.jpg": "P-EUNWOO", "rena.jpg": "P-RENA", "pristin.jpg": "P-KYLA"} {
		if err := os.Symlink(filepath.Join(rec, src), filepath.Join(portraits, id+".jpg")); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := photovetCLI(t, "roster", "enroll", portraits, "--data", data)
	if code != 1 || !strings.Contains(errOut, "shows 10 faces") || strings.Count(out, "enrolled ") != 3 {
		t.Fatalf("roster enroll: exit %d, want 1 with three enrolled and the group photo reported", code)
	}

	// R10: the originals are hashed before and after.
	sources, err := filepath.Glob(filepath.Join(rec, "*"))
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string][32]byte{}
	for _, f := range sources {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		hashes[f] = sha256.Sum256(b)
	}

	// A recognised child is named but stays hidden until the reviewer
	// confirms who it is: --confirm-recognised below.
	code, out, _ = photovetCLI(t, "inspect", "--data", data, "--channel", "instagram", "--unit", "school", filepath.Join(rec, "nayoung.jpg"))
	if code != 0 || !strings.Contains(out, "looks like Nayoung") || strings.Contains(out, "visible") {
		t.Errorf("inspect nayoung.jpg: exit %d\n%s\nwant her recognised and hidden until confirmed", code, out)
	}

	outDir := filepath.Join(work, "cleared")
	vetStart := time.Now()
	code, out, errOut = photovetCLI(t, "vet", "--data", data, "--channel", "instagram", "--unit", "school",
		"--photographer", "Pia Photo", "--photographer-channels", "instagram,website", "--out", outDir,
		"--vetted-by", "Vera", "--date", "2026-11-21", "--confirm-recognised", "--redact-unknown", "--json", rec)
	if code != 0 {
		t.Fatalf("vet: exit %d", code)
	}
	t.Logf("vet of the recognition folder: %s", time.Since(vetStart).Round(time.Second))
	for _, skipped := range []string{"LABELS.csv", "idols.json"} {
		if !strings.Contains(errOut, "skipped, not a photo: "+filepath.Join(rec, skipped)) {
			t.Errorf("%s not listed as skipped", skipped)
		}
	}
	lines := parseVetLines(t, out)
	photos, _ := filepath.Glob(filepath.Join(rec, "*.jpg"))
	if len(lines) != len(photos) {
		t.Fatalf("%d JSON lines, want one per photo (%d)", len(lines), len(photos))
	}
	for f, sum := range hashes {
		if b, err := os.ReadFile(f); err != nil || sha256.Sum256(b) != sum {
			t.Errorf("%s: original changed (R10)", f)
		}
	}

	// Exported files exist for cleared photos only, and nothing else is in
	// the folder.
	var exported []string
	statuses := map[vet.Status]int{}
	for name, l := range lines {
		statuses[l.Status]++
		if (l.Status == vet.Cleared) != (l.Output != "") {
			t.Errorf("%s: %s %v, output %q; want an export exactly when cleared", name, l.Status, l.Reasons, l.Output)
		}
		if l.Output != "" {
			exported = append(exported, l.Output)
			if filepath.Dir(l.Output) != outDir {
				t.Errorf("%s: exported to %s, outside %s", name, l.Output, outDir)
			}
		}
	}
	slices.Sort(exported)
	t.Logf("statuses %v; %d exported", statuses, len(exported))
	entries, err := os.ReadDir(outDir)
	if err != nil {
		t.Fatal(err)
	}
	var inFolder []string
	for _, e := range entries {
		inFolder = append(inFolder, filepath.Join(outDir, e.Name()))
	}
	if !slices.Equal(inFolder, exported) {
		t.Errorf("export folder holds %v, want exactly the cleared photos' exports %v", inFolder, exported)
	}

	// Decisions: Nayoung and Eunwoo are shown on their portraits and
	// Nayoung on the group photo, nobody else anywhere; Rena is recognised
	// and redacted. Eunwoo's group-photo face may stay unsure: her single
	// portrait is about as near to Sungyeon (see the data's README), so
	// the rules may hide her there (R4), never show someone else.
	consented := []string{"P-EUNWOO", "P-NAYOUNG"}
	for name, want := range map[string][]string{"pristin.jpg": {"P-NAYOUNG"}, "nayoung.jpg": {"P-NAYOUNG"}, "eunwoo.jpg": {"P-EUNWOO"}, "rena.jpg": nil} {
		got := visibleIn(lines[name])
		if name == "pristin.jpg" {
			got = slices.DeleteFunc(got, func(id string) bool { return id == "P-EUNWOO" })
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: visible %v, want %v", name, visibleIn(lines[name]), want)
		}
		if lines[name].Output == "" {
			t.Errorf("%s: %s %v, not exported", name, lines[name].Status, lines[name].Reasons)
		}
	}
	if !slices.ContainsFunc(lines["rena.jpg"].Faces, func(f inspectFace) bool { return f.Person == "P-RENA" && !f.Visible }) {
		t.Errorf("rena.jpg: Rena not identified and redacted")
	}
	// The other photos show other people (see the test data's README):
	// nobody on the roster, so no face may be shown in them.
	pristinPhotos := []string{"pristin.jpg", "nayoung.jpg", "eunwoo.jpg", "rena.jpg"}
	for name, l := range lines {
		for _, f := range l.Faces {
			if f.Visible && (!slices.Contains(pristinPhotos, name) || !slices.Contains(consented, f.Person)) {
				t.Errorf("%s: face %v shown as %s (distance %.3f), but %s", name, f.Box, f.Person, deref(f.Distance),
					map[bool]string{true: "that member has no Instagram consent", false: "the photo shows no PRISTIN member"}[slices.Contains(pristinPhotos, name)])
			}
		}
	}

	// The detector and matcher on the exports recognise exactly the faces
	// decided visible: with the enrolled references, and with the
	// idols.json references of all ten members. They run on the exports
	// that can show a member: the four PRISTIN photos and every photo in
	// which vet identified someone; the other photos show other people
	// only, all unknown and redacted (running the detector on them too
	// would double the test's time).
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	enrolled, err := vet.NewMatcher(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	members := pristinReferences(t, rec)
	check := newExportChecker(t, enrolled, members)
	defer check.Close()
	checkStart := time.Now()
	var checked []string
	for name, l := range lines {
		identified := slices.ContainsFunc(l.Faces, func(f inspectFace) bool { return f.Person != "" })
		if l.Output != "" && (identified || slices.Contains(pristinPhotos, name)) {
			checked = append(checked, l.Output)
		}
	}
	recognised := check.recognise(checked)
	t.Logf("detector and matcher on %d exports: %s", len(checked), time.Since(checkStart).Round(time.Second))
	for name, l := range lines {
		if !slices.Contains(checked, l.Output) {
			continue
		}
		got := recognised[l.Output]
		want := visibleIn(l)
		if !slices.Equal(got.enrolled, want) {
			t.Errorf("export of %s: recognised %v with the enrolled references, want the visible %v", name, got.enrolled, want)
		}
		// A visible member may stay unknown against idols.json (other
		// photos of her), but no one else may be recognised.
		for _, id := range got.members {
			if !slices.Contains(want, id) {
				t.Errorf("export of %s: %s recognised with the idols.json references, but not decided visible", name, id)
			}
		}
	}
	if got := recognised[lines["pristin.jpg"].Output].members; !slices.Contains(got, "P-NAYOUNG") {
		t.Errorf("export of pristin.jpg: idols.json references recognise %v, want Nayoung among them", got)
	}

	// The clean-output check: no metadata segment, nothing after the image,
	// and ExifTool finds nothing but the file itself.
	if problems, err := cleancheck.Problems(exported...); err != nil || len(problems) > 0 {
		t.Errorf("the exports are not clean (%v):\n%s", err, strings.Join(problems, "\n"))
	}

	// The ledger lists the exports, with who is visible in each.
	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ledger []string
	visibleInLedger := map[string][]string{}
	for _, p := range pubs {
		path := filepath.Join(outDir, p.ExportName)
		ledger = append(ledger, path)
		for _, f := range p.Faces {
			if f.Visible {
				visibleInLedger[path] = append(visibleInLedger[path], f.PersonID)
			}
		}
	}
	slices.Sort(ledger)
	if !slices.Equal(ledger, exported) {
		t.Errorf("ledger %v, want the exports %v", ledger, exported)
	}
	var withNayoung []string
	for _, l := range lines {
		got := slices.Sorted(slices.Values(visibleInLedger[l.Output]))
		if l.Output != "" && !slices.Equal(got, visibleIn(l)) {
			t.Errorf("ledger: %s shows %v, want %v", filepath.Base(l.Output), got, visibleIn(l))
		}
		if slices.Contains(visibleIn(l), "P-NAYOUNG") {
			withNayoung = append(withNayoung, l.Output)
		}
	}
	slices.Sort(withNayoung)
	if code, out, _ := photovetCLI(t, "takedowns", "--data", data); code != 0 || !strings.Contains(out, "no open take-down tasks") {
		t.Errorf("takedowns before any withdrawal: exit %d", code)
	}

	// Withdrawing Nayoung's Instagram consent lists exactly the exports in
	// which she is visible; so does `photovet takedowns`.
	code, out, _ = photovetCLI(t, "withdraw", "P-NAYOUNG", "--channel", "instagram", "--date", "2026-11-22", "--data", data)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d published photo(s) to take down", len(withNayoung))) {
		t.Errorf("withdraw: exit %d, want %d photos to take down", code, len(withNayoung))
	}
	if got := takedownFiles(out); !slices.Equal(got, withNayoung) {
		t.Errorf("withdraw lists %v, want the exports showing Nayoung %v", got, withNayoung)
	}
	code, out, _ = photovetCLI(t, "takedowns", "--data", data)
	if got := takedownFiles(out); code != 0 || !slices.Equal(got, withNayoung) {
		t.Errorf("takedowns: exit %d, lists %v, want %v", code, got, withNayoung)
	}

	// Early childhood, for the website (where Nayoung and Eunwoo have
	// consent): every face is redacted, the unknown ones by default.
	daycare := filepath.Join(work, "daycare")
	if err := os.Mkdir(daycare, 0o755); err != nil {
		t.Fatal(err)
	}
	ecPhotos := []string{"pristin.jpg", "nayoung.jpg", "eunwoo.jpg"}
	for _, name := range ecPhotos {
		if err := os.Symlink(filepath.Join(rec, name), filepath.Join(daycare, name)); err != nil {
			t.Fatal(err)
		}
	}
	ecOut := filepath.Join(work, "daycare-cleared")
	code, out, _ = photovetCLI(t, "vet", "--data", data, "--channel", "website", "--unit", "early_childhood",
		"--photographer", "Pia Photo", "--photographer-channels", "instagram,website", "--out", ecOut,
		"--vetted-by", "Vera", "--date", "2026-11-21", "--json", daycare)
	if code != 0 {
		t.Fatalf("early childhood vet: exit %d", code)
	}
	ecLines := parseVetLines(t, out)
	var ecExported []string
	for _, name := range ecPhotos {
		l := ecLines[name]
		if l.Status != vet.Cleared || l.Output == "" || len(l.Faces) == 0 || len(visibleIn(l)) != 0 {
			t.Errorf("early childhood %s: %s, %d faces, visible %v, output %q; want cleared, exported, all redacted", name, l.Status, len(l.Faces), visibleIn(l), l.Output)
		}
		if l.Output != "" {
			ecExported = append(ecExported, l.Output)
		}
	}
	for path, got := range check.recognise(ecExported) {
		if len(got.enrolled) != 0 || len(got.members) != 0 {
			t.Errorf("early childhood export %s: recognised %v (enrolled) and %v (idols.json), want nobody", filepath.Base(path), got.enrolled, got.members)
		}
	}
	t.Logf("whole test: %s", time.Since(start).Round(time.Second))
}

// parseVetLines reads vet's --json output, one line per photo, by file
// name.
func parseVetLines(t *testing.T, out string) map[string]vetLine {
	t.Helper()
	lines := map[string]vetLine{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v vetLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines[filepath.Base(v.File)] = v
	}
	return lines
}

func deref(d *float64) float64 {
	if d == nil {
		return math.Inf(1)
	}
	return *d
}

// visibleIn returns the sorted ids of the faces decided visible.
func visibleIn(l vetLine) []string {
	var ids []string
	for _, f := range l.Faces {
		if f.Visible {
			ids = append(ids, f.Person)
		}
	}
	slices.Sort(ids)
	return ids
}

// takedownFiles returns the sorted export paths of a take-down table.
func takedownFiles(out string) []string {
	var files []string
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.HasPrefix(fields[0], "#") {
			files = append(files, fields[4])
		}
	}
	slices.Sort(files)
	return files
}

// pristinReferences returns the idols.json references of the ten PRISTIN
// members, under their roster ids.
func pristinReferences(t *testing.T, rec string) []vision.Reference {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(rec, "idols.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Idols []struct {
			ID, Name string
			Band     string `json:"band_name"`
		} `json:"idols"`
		Faces []struct {
			Descriptor string `json:"descriptor"`
			IdolID     string `json:"idol_id"`
		} `json:"faces"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, i := range doc.Idols {
		if i.Band == "PRISTIN" {
			ids[i.ID] = "P-" + strings.ToUpper(i.Name)
		}
	}
	if len(ids) != 10 {
		t.Fatalf("idols.json has %d PRISTIN members, want 10", len(ids))
	}
	var refs []vision.Reference
	for _, f := range doc.Faces {
		id, ok := ids[f.IdolID]
		if !ok {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(f.Descriptor)
		if err != nil || len(b) != 4*vision.DescriptorSize {
			t.Fatalf("descriptor of %s: %d bytes, %v", id, len(b), err)
		}
		r := vision.Reference{PersonID: id}
		for i := range r.Descriptor {
			r.Descriptor[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		refs = append(refs, r)
	}
	return refs
}

// exportChecker runs the real detector on exported files and matches each
// face found against two sets of references.
type exportChecker struct {
	t                 *testing.T
	engine            *vision.Engine
	enrolled, members *vision.Matcher
}

// recognition is who the two matchers recognise in one export, sorted.
type recognition struct{ enrolled, members []string }

func newExportChecker(t *testing.T, enrolled *vision.Matcher, members []vision.Reference) *exportChecker {
	t.Helper()
	modelDir, err := vision.ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := vision.NewEngine(modelDir, 0, vision.DefaultDetectOptions())
	if err != nil {
		t.Fatal(err)
	}
	return &exportChecker{t: t, engine: engine, enrolled: enrolled,
		members: vision.NewMatcher(members, testdata.MatchThreshold())}
}

func (c *exportChecker) Close() { c.engine.Close() }

// recognise finds the faces in each file, one file per engine worker at a
// time.
func (c *exportChecker) recognise(paths []string) map[string]recognition {
	var mu sync.Mutex
	found := map[string]recognition{}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range c.engine.Workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range jobs {
				p, err := vision.Load(path)
				if err != nil {
					c.t.Error(err)
					continue
				}
				faces, err := c.engine.Find(context.Background(), p)
				if err != nil {
					c.t.Error(err)
					continue
				}
				var r recognition
				var seen []string
				for _, f := range faces {
					e, m := c.enrolled.Match(f.Descriptor), c.members.Match(f.Descriptor)
					byRegister := testdata.RuledName(e.Nearest, e.Distance, e.Margin)
					byMembers := testdata.RuledName(m.Nearest, m.Distance, m.Margin)
					if byRegister != "" {
						r.enrolled = append(r.enrolled, byRegister)
					}
					if byMembers != "" {
						r.members = append(r.members, byMembers)
					}
					seen = append(seen, fmt.Sprintf("%v %s: enrolled %q (nearest %s %.3f), idols.json %q (nearest %s %.3f, margin %.3f)",
						f.Box, f.Detector, byRegister, e.Nearest, e.Distance, byMembers, m.Nearest, m.Distance, m.Margin))
				}
				slices.Sort(r.enrolled)
				slices.Sort(r.members)
				c.t.Logf("%s: %d faces found, recognised %v (enrolled), %v (idols.json)\n\t%s", filepath.Base(path), len(faces), r.enrolled, r.members, strings.Join(seen, "\n\t"))
				mu.Lock()
				found[path] = r
				mu.Unlock()
			}
		}()
	}
	for _, p := range paths {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	return found
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

// TestVetRepublishCLI vets one photo three times on one day: exported to
// a first folder; then, to a second folder, not again, naming the first
// export; then with --republish, under the day's next number, recorded in
// the ledger as a re-publication of the first.
func TestVetRepublishCLI(t *testing.T) {
	ctx := context.Background()
	data, dir, work := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.Symlink(filepath.Join(testdata.Dir(t), "recognition", "nayoung.jpg"), filepath.Join(dir, "trip.jpg")); err != nil {
		t.Fatal(err)
	}
	first, second := filepath.Join(work, "first"), filepath.Join(work, "second")
	vetTo := func(out string, extra ...string) (int, string) {
		t.Helper()
		args := append([]string{"vet", "--data", data, "--channel", "website", "--unit", "school",
			"--photographer", "Pia Photo", "--photographer-channels", "website", "--out", out,
			"--vetted-by", "Vera", "--date", "2026-11-21", "--redact-unknown"}, extra...)
		code, stdout, _ := photovetCLI(t, append(args, dir)...)
		return code, stdout
	}
	firstExport := filepath.Join(first, "2026-11-21_website_001.jpg")
	if code, out := vetTo(first); code != 0 || !strings.Contains(out, "exported 1 of 1 photos") {
		t.Fatalf("first vet: exit %d, want the photo exported", code)
	}
	code, out := vetTo(second)
	if code != 0 || !strings.Contains(out, "exported 0 of 1 photos") || !strings.Contains(out, "already published (not exported again; --republish to publish them again): 1") ||
		!strings.Contains(out, filepath.Join(dir, "trip.jpg")+": as "+firstExport+" on 2026-11-21") {
		t.Errorf("second vet: exit %d, want the photo left out as published as %s", code, firstExport)
	}
	code, out = vetTo(second, "--republish")
	if code != 0 || !strings.Contains(out, "exported 1 of 1 photos to "+second+" (1 published again)") {
		t.Errorf("vet --republish: exit %d, want the photo exported again", code)
	}
	entries, err := os.ReadDir(second)
	if err != nil || len(entries) != 1 || entries[0].Name() != "2026-11-21_website_002.jpg" {
		t.Errorf("the second folder holds %v (%v), want the re-publication as number 002", entries, err)
	}
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs) != 2 || pubs[0].Path() != firstExport || pubs[0].Republishes != 0 ||
		pubs[1].Path() != filepath.Join(second, "2026-11-21_website_002.jpg") || pubs[1].Republishes != pubs[0].ID {
		t.Errorf("ledger %+v, want the first publication and its re-publication", pubs)
	}
}
