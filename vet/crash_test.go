package vet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// TestExportKilled kills an export half-way: no file under a final name is
// partial; after Recover the ledger lists exactly the files that exist; and
// exporting the same photos again publishes only those the killed export
// had not published, each photo once.
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
	paths := make([]string, 0, photos)
	for i := range photos {
		p := filepath.Join(photoDir, "p"+string(rune('a'+i))+".png")
		writeTestPhoto(t, p, 480, 360+i)
		paths = append(paths, p)
	}
	cmd := startExportChild(t, exportChild{Data: dataDir, Out: out, Photos: paths})
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
	heights := heightsBySHA256(t, paths)
	recovered := checkLedgerMatchesFolder(t, store, out, heights)
	t.Logf("killed after %d files; after recovery %d in the folder and the ledger", len(names), len(recovered))

	// The teacher exports the whole batch again.
	batch := testBatch(t, store, &fakeFinder{})
	vetted, err := batch.Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range vetted {
		p.hideUnknown()
		p.Decide(batch.Register, batch.Job)
	}
	outcomes, err := Export(ctx, store, vetted, testJob(), ExportOptions{Dir: out, Style: vision.RedactBlur, VettedBy: "Vera"})
	if err != nil {
		t.Fatal(err)
	}
	exported := 0
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%s: %v", o.Photo.Path, o.Err)
		}
		if o.Output != "" {
			exported++
		}
	}
	all := checkLedgerMatchesFolder(t, store, out, heights)
	if exported != photos-len(recovered) || len(all) != photos {
		t.Errorf("exporting again wrote %d photos, the ledger holds %d; want the %d not yet published and all %d", exported, len(all), photos-len(recovered), photos)
	}
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
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}
