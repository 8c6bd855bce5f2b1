package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// noFaces is a face finder that finds nobody, on any photo.
type noFaces struct{}

func (noFaces) Find(context.Context, *vision.Photo) ([]vision.Face, error) { return nil, nil }

// vetWithoutFaces runs "photovet vet" with a face finder that finds
// nobody, and returns the exit code and output.
func vetWithoutFaces(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	faces := vet.NewFaces(func() (vision.FaceFinder, int, error) { return noFaces{}, 1, nil })
	code := Report(&stderr, Run(context.Background(), append([]string{"vet"}, args...), Env{Stdout: &stdout, Stderr: &stderr, Faces: faces}))
	t.Logf("photovet vet %s -> %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return code, stdout.String()
}

// TestVetReviewAndStore: --confirm-no-face exports a photo in which no
// face was found, as the reviewer's decision saved in the register, and a
// later run restores that decision; a photographer named in the EXIF
// data has the permissions recorded for them.
func TestVetReviewAndStore(t *testing.T) {
	ctx := context.Background()
	data, photos := t.TempDir(), t.TempDir()
	store, err := consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetPhotographerPermission(ctx, "Pia Photo", []string{"website"}, consent.Today()); err != nil {
		t.Fatal(err)
	}
	store.Close()
	empty := filepath.Join(photos, "landscape.jpg")
	writeJPEG(t, empty)
	// Pia is named in the photo, not on the command line.
	if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-Artist=Pia Photo", empty).CombinedOutput(); err != nil {
		t.Fatalf("exiftool (make test installs it): %v\n%s", err, out)
	}
	common := []string{"--data", data, "--channel", "website", "--unit", "school", "--vetted-by", "Vera"}

	code, out := vetWithoutFaces(t, append(common, "--out", t.TempDir(), empty)...)
	if code != 0 || !strings.Contains(out, "exported 0 of 1") || !strings.Contains(out, "no face found: confirm that the photo shows nobody") {
		t.Fatalf("without --confirm-no-face: exit %d, want 0 with the photo waiting for review:\n%s", code, out)
	}
	code, out = vetWithoutFaces(t, append(common, "--confirm-no-face", "--out", t.TempDir(), empty)...)
	if code != 0 || !strings.Contains(out, "exported 1 of 1") {
		t.Fatalf("with --confirm-no-face: exit %d, want the photo exported, by Pia's recorded permission:\n%s", code, out)
	}
	store, err = consent.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	content, err := os.ReadFile(empty)
	if err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(content))
	saved, err := vet.LoadReview(ctx, store, sum, "website")
	if err != nil || !saved.NoFaceConfirmed {
		t.Fatalf("the review state saved: %+v, %v; want the confirmation that nobody is on it", saved, err)
	}
	pubs, err := store.Publications(ctx)
	if err != nil || len(pubs) != 1 || pubs[0].VettedBy != "Vera" || pubs[0].Photographer != "Pia Photo" || len(pubs[0].Faces) != 0 {
		t.Fatalf("ledger: %+v, %v; want one row vetted by Vera, photographed by Pia, with no face", pubs, err)
	}
	// The confirmation is restored: published again without the flag.
	code, out = vetWithoutFaces(t, append(common, "--republish", "--out", t.TempDir(), empty)...)
	if code != 0 || !strings.Contains(out, "exported 1 of 1 ") {
		t.Errorf("a later run without --confirm-no-face: exit %d, want the saved confirmation restored:\n%s", code, out)
	}
}

// writeJPEG writes a patterned photo with nobody on it to path.
func writeJPEG(t *testing.T, path string) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
}
