package vet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// crashEnv names the variable that makes TestExportCrashHelper export; its
// value is "DATA_DIR PHOTO_DIR OUT_DIR".
const crashEnv = "PHOTOVET_TEST_CRASH_EXPORT"

// TestExportCrashHelper is the process TestExportKilled kills: without
// crashEnv it does nothing.
func TestExportCrashHelper(t *testing.T) {
	dirs := strings.Fields(os.Getenv(crashEnv))
	if len(dirs) != 3 {
		return
	}
	ctx := context.Background()
	store, err := consent.Open(ctx, dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	batch := testBatch(t, store, &fakeFinder{})
	photos, err := batch.Run(ctx, Collect(dirs[1:2]).Photos)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		p.RedactUnknown(batch.Register, batch.Job)
	}
	if _, err := Export(ctx, store, photos, testJob(), ExportOptions{Dir: dirs[2], Style: vision.RedactBlur, VettedBy: "Vera"}); err != nil {
		t.Fatal(err)
	}
}

// TestExportKilled kills an export half-way: no file under a final name is
// partial, and after Recover the ledger lists exactly the files that exist.
func TestExportKilled(t *testing.T) {
	ctx := context.Background()
	dataDir, photoDir, out := t.TempDir(), t.TempDir(), t.TempDir()
	store, err := consent.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.ImportRoster(ctx, bytes.NewReader([]byte(testRoster)), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	const photos = 24
	first := filepath.Join(photoDir, "p00.png")
	writeTestPhoto(t, first, 900, 675)
	content, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < photos; i++ {
		if err := os.WriteFile(filepath.Join(photoDir, fmt.Sprintf("p%02d.png", i)), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportCrashHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+strings.Join([]string{dataDir, photoDir, out}, " "))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for len(finalNames(t, out)) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	names := finalNames(t, out)
	if len(names) < 3 || len(names) >= photos {
		t.Fatalf("%d files exported when killed, want the export interrupted after 3", len(names))
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(out, n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(data, []byte{0xff, 0xd9}) {
			t.Errorf("%s is not a complete JPEG", n)
		}
		if _, err := vision.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if err := Recover(ctx, store, out); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, e := range entries {
		all = append(all, e.Name())
	}
	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ledger []string
	for _, p := range pubs {
		ledger = append(ledger, p.ExportName)
	}
	if !slices.Equal(all, ledger) {
		t.Errorf("after recovery the folder holds %v, the ledger lists %v; want the same", all, ledger)
	}
	t.Logf("killed after %d files; after recovery %d files, %d in the ledger", len(names), len(all), len(ledger))
}

// finalNames lists the exports in dir under their final names.
func finalNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), partialPrefix) {
			names = append(names, e.Name())
		}
	}
	return names
}
