package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/cli"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// TestCLIAndAppDecideAlike runs one batch through the command line and
// through the app's session, each over a register of its own set up
// alike and with the same face finder, and compares what they exported
// (names and bytes), the ledger rows and the saved review state.
func TestCLIAndAppDecideAlike(t *testing.T) {
	tests := []struct {
		name string
		unit consent.Unit
		// cliFlags are the reviewer's decisions on the command line;
		// review, when set, takes the same ones in the app.
		cliFlags []string
		review   bool
		// wantExported is how many of the two photos are exported.
		wantExported int
	}{
		// The reviewer confirms Ada, hides the stranger and confirms the
		// empty photo.
		{"school, reviewed", consent.School, []string{"--confirm-recognised", "--redact-unknown", "--confirm-no-face"}, true, 2},
		// Nobody reviews: the stranger needs no decision in early
		// childhood (R2 hides every child), the empty photo does.
		{"early childhood, not reviewed", consent.EarlyChildhood, nil, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newTestSetup(t)
			// Solid redaction, from the settings, so that the exports can
			// be compared byte for byte (blur adds random noise).
			useSolid(t, s.store)
			s.win.applyJob(consent.Job{Channel: "instagram", Unit: tt.unit})
			waitForJob(t, s.win)
			photos := []string{s.writePhoto(t, "ada and a stranger.png", widthTwoFaces), s.writePhoto(t, "empty.png", widthNoFace)}

			// The command line, over a register of its own.
			cliData, cliOut := t.TempDir(), t.TempDir()
			cliSetUp := openTestRegister(t, cliData)
			useSolid(t, cliSetUp)
			cliSetUp.Close()
			args := append([]string{"vet", "--data", cliData, "--channel", "instagram", "--unit", string(tt.unit),
				"--photographer", "Pia Photo", "--vetted-by", "Tess Teacher", "--out", cliOut}, tt.cliFlags...)
			var stdout, stderr bytes.Buffer
			faces := vet.NewFaces(func() (vision.FaceFinder, int, error) { return fakeFinder{}, 2, nil })
			err := cli.Run(ctx, append(args, s.dir), cli.Env{Stdout: &stdout, Stderr: &stderr, Faces: faces})
			if err != nil {
				t.Fatalf("photovet vet: %v\n%s%s", err, stdout.String(), stderr.String())
			}
			cliStore, err := consent.Open(ctx, cliData)
			if err != nil {
				t.Fatal(err)
			}
			defer cliStore.Close()

			// The app.
			appOut := t.TempDir()
			s.drop(t, photos...)
			if tt.review {
				s.reviewAll(t)
			}
			exportAndWait(t, s, appOut)

			// The app numbers exports in the order its workers finished
			// the photos: rows and files are compared by original.
			cliFiles, appFiles := exportedFiles(t, cliOut), exportedFiles(t, appOut)
			if len(cliFiles) != tt.wantExported || len(appFiles) != tt.wantExported {
				t.Errorf("exported %d photos from the command line and %d from the app, want %d", len(cliFiles), len(appFiles), tt.wantExported)
			}
			cliRows, appRows := ledgerRows(t, cliStore), ledgerRows(t, s.store)
			if len(cliRows) != len(appRows) {
				t.Errorf("the command line's ledger has %d rows, the app's %d", len(cliRows), len(appRows))
			}
			for sum, app := range appRows {
				cli, ok := cliRows[sum]
				switch {
				case !ok:
					t.Errorf("only the app published %s: %s", sum[:12], app.row)
				case cli.row != app.row:
					t.Errorf("ledger rows differ:\ncommand line: %s\napp:          %s", cli.row, app.row)
				case !bytes.Equal(cliFiles[cli.name], appFiles[app.name]):
					t.Errorf("%s: the command line exported %d bytes as %s, the app %d as %s, or not the same",
						sum[:12], len(cliFiles[cli.name]), cli.name, len(appFiles[app.name]), app.name)
				}
			}
			for _, path := range photos {
				sum := fileSum(t, path)
				cliReview, cliErr := cliStore.Review(ctx, sum, "instagram")
				appReview, appErr := s.store.Review(ctx, sum, "instagram")
				cliState, appState := withoutKeys(t, cliStore, cliReview.State), withoutKeys(t, s.store, appReview.State)
				if (cliErr == nil) != (appErr == nil) || cliState != appState {
					t.Errorf("%s: review state saved differs:\ncommand line: %s (%v)\napp:          %s (%v)", filepath.Base(path), cliState, cliErr, appState, appErr)
				}
			}
		})
	}
}

// withoutKeys returns a saved review state with its registration keys
// left out, after checking that each is the key store's register holds
// for the person: two registers draw different keys for the same roster.
func withoutKeys(t *testing.T, store *consent.Store, state json.RawMessage) string {
	t.Helper()
	if state == nil {
		return ""
	}
	reg, err := store.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var p vet.Photo
	if err := json.Unmarshal(state, &p); err != nil {
		t.Fatal(err)
	}
	keyOf := func(id string) string {
		if person := reg.People[id]; person != nil {
			return person.RegistrationKey
		}
		return ""
	}
	for i, f := range p.Faces {
		if f.AssignedKey != "" && f.AssignedKey != keyOf(f.AssignedID) {
			t.Errorf("face %d saved with key %q for %s, whose key is %q", i, f.AssignedKey, f.AssignedID, keyOf(f.AssignedID))
		}
		p.Faces[i].AssignedKey = ""
	}
	for id, key := range p.ChildWorkKeys {
		if key != keyOf(id) {
			t.Errorf("work of %s saved with key %q, whose key is %q", id, key, keyOf(id))
		}
	}
	p.ChildWorkKeys = nil
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// useSolid sets the register's redaction style to solid.
func useSolid(t *testing.T, store *consent.Store) {
	t.Helper()
	ctx := context.Background()
	set, err := store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.RedactionStyle = string(vision.RedactSolid)
	if err := store.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
}

// exportedFiles returns the files in dir by name, with their content.
func exportedFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

// ledgerRow is a publication as text, without what differs between two
// registers by design (row ids, the folder, the export's number), and
// the name it was exported under.
type ledgerRow struct{ row, name string }

// ledgerRows returns the ledger's publications by original.
func ledgerRows(t *testing.T, store *consent.Store) map[string]ledgerRow {
	t.Helper()
	pubs, err := store.Publications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]ledgerRow{}
	for _, p := range pubs {
		var faces []string
		for _, f := range p.Faces {
			faces = append(faces, f.PersonID+":"+map[bool]string{true: "visible", false: "hidden"}[f.Visible])
		}
		rows[p.OriginalSHA256] = ledgerRow{name: p.ExportName, row: strings.Join([]string{p.Channel, p.Date.String(), p.VettedBy,
			p.Photographer, strings.Join(p.PhotographerChannels, ","), strings.Join(faces, " ")}, " | ")}
	}
	return rows
}

// fileSum is the hex SHA-256 of the file at path.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(data))
}
