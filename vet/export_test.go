package vet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/jpeg" // decodes the exports' sizes
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// exportChildEnv names the variable that makes TestExportChildProcess
// export; its value is an exportChild as JSON.
const exportChildEnv = "PHOTOVET_TEST_EXPORT_CHILD"

// exportChild is what a child process exports, and how.
type exportChild struct {
	Data     string   // the register's directory
	Out      string   // the export folder
	Photos   []string // vetted with the fake finder, unknown faces redacted
	PerPhoto bool     // one Export per photo, so that Recover runs before each
	Ready    string   // created when the photos are vetted ("" none)
	Go       string   // exporting starts when this file exists ("" at once)
	Report   string   // the outcomes are written here as JSON ("" nowhere)
}

// childOutcome is one outcome a child process reports.
type childOutcome struct {
	Photo, Output, Err string
}

// TestExportChildProcess is the exporting process that the tests below
// start (and some kill): without exportChildEnv it does nothing.
func TestExportChildProcess(t *testing.T) {
	raw := os.Getenv(exportChildEnv)
	if raw == "" {
		return
	}
	var c exportChild
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := consent.Open(ctx, c.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	batch := testBatch(t, store, &fakeFinder{})
	photos, err := batch.Run(ctx, c.Photos)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		p.hideUnknown()
		p.Decide(batch.Register, batch.Job)
	}
	if c.Ready != "" {
		if err := os.WriteFile(c.Ready, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c.Go != "" {
		waitForFile(t, c.Go)
	}
	opt := ExportOptions{Dir: c.Out, Style: vision.RedactBlur, VettedBy: "Vera"}
	var outcomes []Outcome
	if c.PerPhoto {
		for _, p := range photos {
			o, err := Export(ctx, store, []*Photo{p}, testJob(), opt)
			if err != nil {
				t.Fatal(err)
			}
			outcomes = append(outcomes, o...)
		}
	} else if outcomes, err = Export(ctx, store, photos, testJob(), opt); err != nil {
		t.Fatal(err)
	}
	if c.Report == "" {
		return
	}
	var report []childOutcome
	for _, o := range outcomes {
		r := childOutcome{Photo: o.Photo.Path, Output: o.Output}
		if o.Err != nil {
			r.Err = o.Err.Error()
		}
		report = append(report, r)
	}
	data, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.Report, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// startExportChild starts a process that exports as c says.
func startExportChild(t *testing.T, c exportChild) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportChildProcess$")
	cmd.Env = append(os.Environ(), exportChildEnv+"="+string(raw))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("child process output:\n%s", out.String())
		}
	})
	return cmd
}

// waitChild waits for a child process to end, at most two minutes.
func waitChild(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the exporting process: %v", err)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("the exporting process did not end within two minutes")
	}
}

// waitForFile waits until path exists, at most two minutes.
func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within two minutes", path)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// readReport reads what a child process exported.
func readReport(t *testing.T, path string) []childOutcome {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var report []childOutcome
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	return report
}

// writeDistinctPhotos writes n photos of a stranger (the fake finder finds
// one unknown face) into dir, each of its own height, so that every export
// tells by its size which original it is.
func writeDistinctPhotos(t *testing.T, dir, prefix string, n, firstHeight int) []string {
	t.Helper()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("%s%02d.png", prefix, i))
		writeTestPhoto(t, p, 320, firstHeight+i)
		paths = append(paths, p)
	}
	return paths
}

// heightsBySHA256 maps the SHA-256 of each photo to its height.
func heightsBySHA256(t *testing.T, paths []string) map[string]int {
	t.Helper()
	heights := map[string]int{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		heights[hex.EncodeToString(sum[:])] = cfg.Height
	}
	return heights
}

// checkLedgerMatchesFolder checks that the ledger and the export folder
// agree: one ledger row per name, every row's file there and showing the
// row's original (by its size: heights maps each original's SHA-256 to its
// height), each original published once, and nothing in the folder that
// the ledger does not list (leftover temporary files included). It returns
// the ledger's names.
func checkLedgerMatchesFolder(t *testing.T, store *consent.Store, out string, heights map[string]int) []string {
	t.Helper()
	pubs, err := store.Publications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	perOriginal := map[string]int{}
	for _, p := range pubs {
		names = append(names, p.ExportName)
		perOriginal[p.OriginalSHA256]++
		f, err := os.Open(filepath.Join(out, p.ExportName))
		if err != nil {
			t.Errorf("ledger row %d (%s): %v", p.ID, p.ExportName, err)
			continue
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if want, known := heights[p.OriginalSHA256]; err != nil || !known || cfg.Height != want {
			t.Errorf("%s shows a photo %d high (%v), its ledger row's original is %d high: overwritten", p.ExportName, cfg.Height, err, want)
		}
	}
	slices.Sort(names)
	if dup := slices.Compact(slices.Clone(names)); len(dup) != len(names) {
		t.Errorf("the ledger names %d exports with %d names: %v", len(names), len(dup), names)
	}
	for sum, n := range perOriginal {
		if n != 1 {
			t.Errorf("original %s is in the ledger %d times, want once", sum[:12], n)
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var inFolder []string
	for _, e := range entries {
		inFolder = append(inFolder, e.Name())
	}
	if !slices.Equal(inFolder, slices.Compact(slices.Clone(names))) {
		t.Errorf("the folder holds %v\nthe ledger lists %v\nwant the same", inFolder, names)
	}
	return names
}

// TestExportTwoProcesses exports from two processes into one folder at
// once, one photo per Export (so each starts with Recover while the other
// process is writing), with some photos in both batches: no export is
// overwritten, no name is used twice, every ledger row has its file, and
// every photo is published exactly once.
func TestExportTwoProcesses(t *testing.T) {
	ctx := context.Background()
	data, photoDir, out, sync := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.ImportRoster(ctx, bytes.NewReader([]byte(testRoster)), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	shared := writeDistinctPhotos(t, photoDir, "shared", 4, 200)
	own := [][]string{
		append(writeDistinctPhotos(t, photoDir, "a", 12, 300), shared...),
		append(writeDistinctPhotos(t, photoDir, "b", 12, 400), shared...),
	}
	var cmds []*exec.Cmd
	var reports []string
	for i, photos := range own {
		c := exportChild{Data: data, Out: out, Photos: photos, PerPhoto: true,
			Ready: filepath.Join(sync, fmt.Sprintf("ready%d", i)), Go: filepath.Join(sync, "go"),
			Report: filepath.Join(sync, fmt.Sprintf("report%d.json", i))}
		cmds = append(cmds, startExportChild(t, c))
		reports = append(reports, c.Report)
	}
	waitForFile(t, filepath.Join(sync, "ready0"))
	waitForFile(t, filepath.Join(sync, "ready1"))
	if err := os.WriteFile(filepath.Join(sync, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range cmds {
		waitChild(t, cmd)
	}
	exportedBy := map[string][]string{}
	for i, r := range reports {
		for _, o := range readReport(t, r) {
			if o.Err != "" {
				t.Errorf("process %d: %s: %s", i, filepath.Base(o.Photo), o.Err)
			}
			if o.Output != "" {
				exportedBy[o.Photo] = append(exportedBy[o.Photo], filepath.Base(o.Output))
			}
		}
	}
	all := append(slices.Clone(own[0]), own[1][:12]...)
	for _, p := range all {
		if len(exportedBy[p]) != 1 {
			t.Errorf("%s exported as %v, want once", filepath.Base(p), exportedBy[p])
		}
	}
	names := checkLedgerMatchesFolder(t, store, out, heightsBySHA256(t, all))
	t.Logf("%d photos, %d in the ledger: %v", len(all), len(names), names)
}

// TestRecoverLeavesOthersAlone runs Recover over and over on a folder
// while another process exports into it: the other's files in progress are
// not touched, so every photo it exports is written and recorded once. Nor
// does Recover touch the user's own hidden files, whatever their names.
func TestRecoverLeavesOthersAlone(t *testing.T) {
	ctx := context.Background()
	data, photoDir, out, sync := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.ImportRoster(ctx, bytes.NewReader([]byte(testRoster)), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	userFiles := map[string]string{
		".foo.partial":                          "the user's own",
		".2026-11-21_instagram_005.jpg.partial": "looks like an export in progress",
		".photovet-export.partial":              "looks like ours",
	}
	for name, content := range userFiles {
		if err := os.WriteFile(filepath.Join(out, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	photos := writeDistinctPhotos(t, photoDir, "p", 30, 300)
	c := exportChild{Data: data, Out: out, Photos: photos,
		Ready: filepath.Join(sync, "ready"), Report: filepath.Join(sync, "report.json")}
	cmd := startExportChild(t, c)
	waitForFile(t, c.Ready)
	recoveries := 0
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if err := Recover(ctx, store, out); err != nil {
			t.Fatal(err)
		}
		recoveries++
		if _, err := os.Stat(c.Report); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the exporting process did not finish within two minutes")
		}
	}
	waitChild(t, cmd)
	exported := 0
	for _, o := range readReport(t, c.Report) {
		if o.Err != "" || o.Output == "" {
			t.Errorf("%s: output %q, error %s; want exported", filepath.Base(o.Photo), o.Output, o.Err)
		}
		if o.Output != "" {
			exported++
		}
	}
	for name, content := range userFiles {
		if got, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(got) != content {
			t.Errorf("the user's %s: %q, %v; want it untouched", name, got, err)
		}
		if err := os.Remove(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	checkLedgerMatchesFolder(t, store, out, heightsBySHA256(t, photos))
	t.Logf("%d recoveries while the other process exported %d photos", recoveries, exported)
}

// TestExportNamesUniqueAcrossFolders exports to a second folder on the
// same day: its names continue the day's numbering, so that a name in the
// ledger (and on a take-down list) is one file.
func TestExportNamesUniqueAcrossFolders(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir := t.TempDir()
	paths := writeDistinctPhotos(t, dir, "p", 4, 200)
	photos, err := testBatch(t, store, &fakeFinder{}).Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		p.Faces[0].Review = consent.ForceRedacted
		p.Decide(mustRegister(t, store), testJob())
	}
	var names []string
	for i, out := range []string{t.TempDir(), t.TempDir()} {
		outcomes, err := Export(ctx, store, photos[2*i:2*i+2], testJob(), ExportOptions{Dir: out, Style: vision.RedactSolid, VettedBy: "Vera"})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outcomes {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			names = append(names, filepath.Base(o.Output))
		}
	}
	want := []string{"2026-11-21_instagram_001.jpg", "2026-11-21_instagram_002.jpg", "2026-11-21_instagram_003.jpg", "2026-11-21_instagram_004.jpg"}
	if !slices.Equal(names, want) {
		t.Errorf("exported as %v, want %v", names, want)
	}
}

// TestExportNameTakenMeanwhile makes the next export name a folder of the
// user's while an export runs: that export goes under another name, the
// user's folder is untouched, and the ledger holds no row without its file.
func TestExportNameTakenMeanwhile(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir, out := t.TempDir(), t.TempDir()
	paths := writeDistinctPhotos(t, dir, "p", 3, 200)
	photos, err := testBatch(t, store, &fakeFinder{}).Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		p.Faces[0].Review = consent.ForceRedacted
		p.Decide(mustRegister(t, store), testJob())
	}
	users := filepath.Join(out, "2026-11-21_instagram_002.jpg")
	opt := ExportOptions{Dir: out, Style: vision.RedactSolid, VettedBy: "Vera", Progress: func(done, total int) {
		if done == 1 {
			if err := os.MkdirAll(users, 0o755); err != nil {
				t.Error(err)
			}
			if err := os.WriteFile(filepath.Join(users, "notes.txt"), []byte("mine"), 0o644); err != nil {
				t.Error(err)
			}
		}
	}}
	outcomes, err := Export(ctx, store, photos, testJob(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		t.Logf("%s: %q %v", filepath.Base(o.Photo.Path), filepath.Base(o.Output), o.Err)
	}
	if got, err := os.ReadFile(filepath.Join(users, "notes.txt")); err != nil || string(got) != "mine" {
		t.Errorf("the user's folder: %q, %v", got, err)
	}
	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pubs {
		if st, err := os.Lstat(filepath.Join(out, p.ExportName)); err != nil || !st.Mode().IsRegular() {
			t.Errorf("ledger row %s: %v, mode %v; want its exported file", p.ExportName, err, st.Mode())
		}
	}
	for _, o := range outcomes {
		if o.Err != nil || o.Output == "" {
			t.Errorf("%s: %q, %v; want exported under a free name", filepath.Base(o.Photo.Path), o.Output, o.Err)
		}
	}
}

// mustRegister reads the register.
func mustRegister(t *testing.T, store *consent.Store) *consent.Register {
	t.Helper()
	reg, err := store.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// testClaim claims an export in out, as Export does, of a publication
// that the register of testStore accepts; each call a different original.
func testClaim(t *testing.T, store *consent.Store, out string, n int) *exportFile {
	t.Helper()
	sum := sha256.Sum256([]byte{byte(n)})
	e, err := claimExport(context.Background(), store, consent.Publication{
		OriginalSHA256: hex.EncodeToString(sum[:]), Folder: out, Channel: "instagram", Date: testDay,
		VettedBy: "Vera", Photographer: "Pia Photo", PhotographerChannels: []string{"instagram"},
		Faces: []consent.PublishedFace{{PersonID: "C1", Visible: true}},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// testImage is what the tests export.
func testImage() image.Image { return image.NewNRGBA(image.Rect(0, 0, 40, 30)) }

// ledgerAndFolder lists the ledger's export paths and the folder's files.
func ledgerAndFolder(t *testing.T, store *consent.Store, out string) (ledger, folder []string) {
	t.Helper()
	pubs, err := store.Publications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pubs {
		ledger = append(ledger, p.ExportName)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		folder = append(folder, e.Name())
	}
	return ledger, folder
}

// TestExportFailureUndone makes an export fail after its claim: at its
// last step, giving the file its final name, or when it is to be published
// and another export has published the photo meanwhile. The failed export
// leaves no ledger row, no claim and no file.
func TestExportFailureUndone(t *testing.T) {
	for _, tc := range []struct {
		name string
		// tamper makes the export fail; it returns the ledger's names
		// of other exports it made.
		tamper func(t *testing.T, e *exportFile) []string
		want   string
	}{
		{"temporary file deleted by another program", func(t *testing.T, e *exportFile) []string {
			must(t, os.Remove(e.tempPath()))
			return nil
		}, "no such file"},
		{"name taken by another program meanwhile", func(t *testing.T, e *exportFile) []string {
			must(t, os.WriteFile(e.finalPath(), []byte("theirs"), 0o644))
			return nil
		}, "appeared in"},
		{"published meanwhile by another export", func(t *testing.T, e *exportFile) []string {
			other := testClaim(t, e.store, e.claim.Folder, 1)
			pub, err := other.complete(context.Background(), testImage())
			must(t, err)
			must(t, other.release(context.Background()))
			return []string{pub.ExportName}
		}, "already published to Instagram"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store, out := testStore(t), t.TempDir()
			e := testClaim(t, store, out, 1)
			others := tc.tamper(t, e)
			_, err := e.complete(ctx, testImage())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("complete: %v, want an error saying %q", err, tc.want)
			}
			ledger, folder := ledgerAndFolder(t, store, out)
			claims, cerr := store.ExportClaims(ctx, out)
			if !slices.Equal(ledger, others) || len(claims) != 0 || cerr != nil {
				t.Errorf("after the failure the ledger holds %v and the claims %+v (%v); want %v and none", ledger, claims, cerr, others)
			}
			if slices.ContainsFunc(folder, isTempName) {
				t.Errorf("the folder holds %v: a temporary file is left", folder)
			}
		})
	}
}

// TestRecoverLeavesLiveExport runs Recover while an export of this
// process is claimed and being written: Recover leaves it, and the export
// then completes.
func TestRecoverLeavesLiveExport(t *testing.T) {
	ctx := context.Background()
	store, out := testStore(t), t.TempDir()
	e := testClaim(t, store, out, 1)
	if err := e.write(testImage()); err != nil {
		t.Fatal(err)
	}
	if err := Recover(ctx, store, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.tempPath()); err != nil {
		t.Fatalf("Recover removed a live export's file: %v", err)
	}
	pub, err := e.complete(ctx, testImage())
	if err != nil {
		t.Fatal(err)
	}
	// Published and named, not yet released: still live.
	if err := Recover(ctx, store, out); err != nil {
		t.Fatal(err)
	}
	if err := e.release(ctx); err != nil {
		t.Fatal(err)
	}
	ledger, folder := ledgerAndFolder(t, store, out)
	if !slices.Equal(ledger, []string{pub.ExportName}) || !slices.Equal(folder, ledger) {
		t.Errorf("ledger %v, folder %v; want the export in both", ledger, folder)
	}
}

// TestRecoverAfterDeath leaves an export at each step where its process
// could die (closing its file ends its lock, as death does) and checks
// what Recover makes of it: a published export keeps or gets its file, a
// pending one goes, and a file of another program is never touched.
func TestRecoverAfterDeath(t *testing.T) {
	tests := []struct {
		name string
		// die takes the export to the step where its process dies.
		die       func(t *testing.T, e *exportFile)
		published bool // in the ledger, with its file, after Recover
	}{
		{"claimed", func(t *testing.T, e *exportFile) {}, false},
		{"written", func(t *testing.T, e *exportFile) { mustWrite(t, e) }, false},
		{"written, temporary file removed while undoing", func(t *testing.T, e *exportFile) {
			mustWrite(t, e)
			must(t, os.Remove(e.tempPath()))
		}, false},
		{"published", func(t *testing.T, e *exportFile) {
			mustWrite(t, e)
			mustPublish(t, e)
		}, true},
		{"published, linked", func(t *testing.T, e *exportFile) {
			mustWrite(t, e)
			mustPublish(t, e)
			must(t, os.Link(e.tempPath(), e.finalPath()))
		}, true},
		{"published, named", func(t *testing.T, e *exportFile) {
			mustWrite(t, e)
			mustPublish(t, e)
			must(t, os.Rename(e.tempPath(), e.finalPath()))
		}, true},
		{"published, name taken by another program", func(t *testing.T, e *exportFile) {
			mustWrite(t, e)
			mustPublish(t, e)
			must(t, os.WriteFile(e.finalPath(), []byte("theirs"), 0o644))
		}, false},
		{"published, file removed while undoing", func(t *testing.T, e *exportFile) {
			mustWrite(t, e)
			mustPublish(t, e)
			must(t, os.Remove(e.tempPath()))
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store, out := testStore(t), t.TempDir()
			e := testClaim(t, store, out, 1)
			tc.die(t, e)
			final := e.finalPath()
			theirs, _ := os.ReadFile(final)
			e.temp.Close()
			if err := Recover(ctx, store, out); err != nil {
				t.Fatal(err)
			}
			ledger, folder := ledgerAndFolder(t, store, out)
			claims, err := store.ExportClaims(ctx, out)
			if err != nil || len(claims) != 0 {
				t.Errorf("claims left: %+v, %v", claims, err)
			}
			switch {
			case string(theirs) == "theirs":
				if got, err := os.ReadFile(final); err != nil || string(got) != "theirs" || len(ledger) != 0 || len(folder) != 1 {
					t.Errorf("ledger %v, folder %v, their file %q (%v); want their file alone, untouched", ledger, folder, got, err)
				}
			case tc.published:
				if !slices.Equal(ledger, []string{e.claim.Name}) || !slices.Equal(folder, ledger) {
					t.Errorf("ledger %v, folder %v; want the export in both", ledger, folder)
				}
				if _, err := vision.Load(final); err != nil {
					t.Errorf("the recovered export: %v", err)
				}
			default:
				if len(ledger) != 0 || len(folder) != 0 {
					t.Errorf("ledger %v, folder %v; want both empty", ledger, folder)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, e *exportFile) { t.Helper(); must(t, e.write(testImage())) }

func mustPublish(t *testing.T, e *exportFile) {
	t.Helper()
	_, err := e.store.PublishExport(context.Background(), e.claim.PublicationID)
	must(t, err)
}

// TestTakedownShowsTheExport exports a photo showing Ada, with a
// stranger's face hidden, and withdraws Ada's consent: the take-down task
// carries the photo's own name and a small picture of the export as
// published, redaction and all, never of the original.
func TestTakedownShowsTheExport(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	ada, stranger := image.Rect(40, 100, 200, 300), image.Rect(360, 100, 520, 300)
	face := func(box image.Rectangle, d vision.Descriptor) vision.Face {
		return vision.Face{Box: box, Score: 1, Detector: vision.RetinaFace, Landmarks: frontalLandmarks(box), Descriptor: d}
	}
	finder := scriptedFinder{t, map[int][]vision.Face{640: {face(ada, unitVector(0)), face(stranger, unitVector(9))}}}
	path := filepath.Join(t.TempDir(), "class trip.png")
	writeTestPhoto(t, path, 640, 400)
	batch := testBatch(t, store, finder)
	photos, err := batch.Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	reviewer := Reviewer{Store: store, Register: batch.Register, Job: batch.Job}
	if err := reviewer.Apply(ctx, photos[0], ConfirmRecognised(), ForceRedact(1)); err != nil {
		t.Fatal(err)
	}
	outcomes, err := Export(ctx, store, photos, testJob(), ExportOptions{Dir: t.TempDir(), Style: vision.RedactSolid, VettedBy: "Vera"})
	if err != nil || len(outcomes) != 1 || outcomes[0].Output == "" {
		t.Fatalf("export: %+v, %v", outcomes, err)
	}
	tasks, err := store.Withdraw(ctx, "C1", "instagram", testDay)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("withdrawal: %d tasks, %v; want Ada's one", len(tasks), err)
	}
	task := tasks[0]
	if task.OriginalName != "class trip.png" {
		t.Errorf("take-down names the original %q, want %q", task.OriginalName, "class trip.png")
	}
	thumb, err := jpeg.Decode(bytes.NewReader(task.Thumbnail))
	if err != nil {
		t.Fatalf("thumbnail of %d bytes: %v", len(task.Thumbnail), err)
	}
	if b := thumb.Bounds(); b.Dx() != thumbnailSide || b.Dy() != thumbnailSide*400/640 {
		t.Errorf("thumbnail %v, want %dx%d", b, thumbnailSide, thumbnailSide*400/640)
	}
	exported, err := vision.Load(outcomes[0].Output)
	if err != nil {
		t.Fatal(err)
	}
	original, err := vision.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// Inside the hidden face the thumbnail is the export's solid fill, not
	// the original's pattern.
	scale := float64(thumbnailSide) / 640
	hidden := image.Rect(int(float64(stranger.Min.X)*scale)+3, int(float64(stranger.Min.Y)*scale)+3, int(float64(stranger.Max.X)*scale)-3, int(float64(stranger.Max.Y)*scale)-3)
	small := func(img image.Image) image.Image { return imaging.Fit(img, thumbnailSide, thumbnailSide, imaging.Box) }
	toExport, toOriginal := meanDifference(thumb, small(exported.Image), hidden), meanDifference(thumb, small(original.Image), hidden)
	t.Logf("inside the hidden face, mean difference to the export %.1f, to the original %.1f", toExport, toOriginal)
	if toExport > 8 || toOriginal < 40 {
		t.Errorf("the thumbnail is not the export as published: difference %.1f to it, %.1f to the original", toExport, toOriginal)
	}
}

// meanDifference is the mean absolute difference of the red, green and
// blue values of a and b in r, in steps of 0-255.
func meanDifference(a, b image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			sum += math.Abs(float64(r1)-float64(r2)) + math.Abs(float64(g1)-float64(g2)) + math.Abs(float64(b1)-float64(b2))
		}
	}
	return sum / float64(3*257*r.Dx()*r.Dy())
}
