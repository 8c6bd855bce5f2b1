package vet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vision"
)

// hugePNG returns the start of a PNG that declares 20000x20000 pixels:
// enough for the size check, which reads only the header.
func hugePNG() []byte {
	ihdr := []byte("IHDR\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x02\x00\x00\x00")
	crc := crc32.ChecksumIEEE(ihdr)
	out := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out = append(out, ihdr...)
	return append(out, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
}

func hashFiles(t *testing.T, paths []string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the dangling link
		}
		sum := sha256.Sum256(data)
		sums[p] = hex.EncodeToString(sum[:])
	}
	return sums
}

// TestBadInputsReportedOthersExported runs a batch with every kind of bad
// file among good ones: each bad one fails with its reason, every good one
// is exported, and no original changes (R10).
func TestBadInputsReportedOthersExported(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := []string{filepath.Join(dir, "ada.png"), filepath.Join(dir, "sub", "ada2.png")}
	writeTestPhoto(t, good[0], widthAda, 200)
	writeTestPhoto(t, good[1], widthAda, 220)
	_, err := os.ReadFile(good[0])
	if err != nil {
		t.Fatal(err)
	}
	chip := filepath.Join(testdata.Dir(t), "children", "10_0_0_20161220222308131.jpg.chip.jpg")
	jpeg, err := os.ReadFile(chip)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"truncated.jpg": jpeg[:len(jpeg)/2],
		"empty.jpg":     nil,
		"notes.jpg":     []byte("this is a text file, not a photo\n"),
		"huge.png":      hugePNG(),
	}
	for name, data := range bad {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The tests run as root, whom no file mode stops: a dangling link is
	// the file that cannot be read.
	if err := os.Symlink(filepath.Join(dir, "gone.jpg"), filepath.Join(dir, "unreadable.jpg")); err != nil {
		t.Fatal(err)
	}
	coll := Collect([]string{dir})
	before := hashFiles(t, coll.Photos)

	store := testStore(t)
	photos, err := testBatch(t, store, &fakeFinder{}).Run(ctx, coll.Photos)
	if err != nil {
		t.Fatal(err)
	}
	confirmRecognised(t, store, photos)
	out := filepath.Join(t.TempDir(), "cleared")
	outcomes, err := Export(ctx, store, photos, testJob(), ExportOptions{Dir: out, Style: vision.RedactBlur, VettedBy: "Vera"})
	if err != nil {
		t.Fatal(err)
	}
	wantReason := map[string]string{
		"truncated.jpg":  "damaged or truncated",
		"empty.jpg":      "not a JPEG, PNG or HEIC",
		"notes.jpg":      "not a JPEG, PNG or HEIC",
		"huge.png":       "too large",
		"unreadable.jpg": "no such file",
		"ada.png":        "",
		"ada2.png":       "",
	}
	if len(outcomes) != len(wantReason) {
		t.Fatalf("%d outcomes, want %d", len(outcomes), len(wantReason))
	}
	for _, o := range outcomes {
		name := filepath.Base(o.Photo.Path)
		want, ok := wantReason[name]
		switch {
		case !ok:
			t.Errorf("unexpected photo %s", o.Photo.Path)
		case want == "" && (o.Photo.Status != Cleared || o.Output == "" || o.Err != nil):
			t.Errorf("%s: status %s %v, output %q, err %v; want cleared and exported", name, o.Photo.Status, o.Photo.Reasons, o.Output, o.Err)
		case want != "" && (o.Photo.Status != Failed || o.Output != "" || len(o.Photo.Reasons) != 1 || !strings.Contains(o.Photo.Reasons[0].String(), want)):
			t.Errorf("%s: status %s %q, output %q; want failed with %q", name, o.Photo.Status, o.Photo.Reasons, o.Output, want)
		case want != "" && (o.Photo.Reasons[0].Args["File"] != o.Photo.Path || o.Photo.Reasons[0].Format == "{{.File}}: {{.Error}}"):
			// The app translates the reason: it must be one of the known kinds, not the raw error.
			t.Errorf("%s: reason %q with %v, want a translatable sentence naming the file", name, o.Photo.Reasons[0].Format, o.Photo.Reasons[0].Args)
		default:
			t.Logf("%s: %s %q %s", name, o.Photo.Status, o.Photo.Reasons, o.Output)
		}
	}
	after := hashFiles(t, coll.Photos)
	if len(before) != 6 || !maps.Equal(before, after) {
		t.Errorf("originals changed (R10):\nbefore %v\nafter  %v", before, after)
	}
	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs) != 2 || pubs[0].ExportName != "2026-11-21_instagram_001.jpg" || pubs[1].ExportName != "2026-11-21_instagram_002.jpg" {
		t.Errorf("ledger %+v, want the two exports", pubs)
	}
}

// TestStatus checks the status and reasons of photos with the register of
// testStore: the faces' decisions, R5, R6 and the reviewer's confirmations.
func TestStatus(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir := t.TempDir()
	paths := map[int]string{}
	for _, w := range []int{widthAda, widthBen, widthStranger, widthNobody} {
		paths[w] = filepath.Join(dir, fmt.Sprintf("w%d.png", w))
		writeTestPhoto(t, paths[w], w, 200)
	}
	batch := testBatch(t, store, &fakeFinder{})
	// confirmed confirms the recognised faces, as a reviewer would, then
	// makes edit.
	confirmed := func(edit func(p *Photo)) func(p *Photo) {
		return func(p *Photo) {
			if err := ConfirmRecognised()(p); err != nil {
				t.Fatal(err)
			}
			if edit != nil {
				edit(p)
			}
		}
	}
	tests := []struct {
		name        string
		width       int
		edit        func(p *Photo)
		wantStatus  Status
		wantReason  string
		wantVisible bool
		unit        consent.Unit // testJob's when ""
	}{
		// A match alone shows nobody: the reviewer confirms who it is.
		{"consented child", widthAda, nil, NeedsReview, "1 recognised face", false, ""},
		{"consented child confirmed", widthAda, confirmed(nil), Cleared, "", true, ""},
		{"child without consent", widthBen, nil, Cleared, "", false, ""},
		{"unknown face", widthStranger, nil, NeedsReview, "1 unknown face", false, ""},
		{"unknown face force-redacted", widthStranger, func(p *Photo) { p.Faces[0].Review = consent.ForceRedacted }, Cleared, "", false, ""},
		{"unknown face assigned", widthStranger, func(p *Photo) { p.Faces[0].Review, p.Faces[0].AssignedID = consent.AssignedByHand, "C1" }, Cleared, "", true, ""},
		{"adult with note", widthStranger, func(p *Photo) {
			p.Faces[0].Review, p.Faces[0].Note = consent.AdultWithNote, "parent on the trip, agreed"
		}, Cleared, "", true, ""},
		{"consented child force-redacted", widthAda, func(p *Photo) { p.Faces[0].Review = consent.ForceRedacted }, Cleared, "", false, ""},
		{"no face", widthNobody, nil, NeedsReview, "no face found", false, ""},
		{"no face confirmed", widthNobody, func(p *Photo) { p.NoFaceConfirmed = true }, Cleared, "", false, ""},
		{"no face but a manual box", widthNobody, func(p *Photo) { p.ManualBoxes = []image.Rectangle{image.Rect(1, 1, 50, 50)} }, Cleared, "", false, ""},
		{"no photographer", widthAda, confirmed(func(p *Photo) { p.Photographer = "" }), Blocked, "no photographer", true, ""},
		{"no photographer, an unknown face", widthStranger, func(p *Photo) { p.Photographer = "" }, Blocked, "1 unknown face", false, ""},
		{"photographer without the channel", widthAda, confirmed(func(p *Photo) { p.PhotographerChannels = []string{"website"} }), Blocked, "has not permitted Instagram", true, ""},
		{"child's work with consent", widthAda, confirmed(func(p *Photo) { p.ChildWork = []string{"C1"} }), Cleared, "", true, ""},
		{"child's work without consent", widthAda, confirmed(func(p *Photo) { p.ChildWork = []string{"C1", "C2"} }), Blocked, "Ben", true, ""},
		// R2 hides every child in early childhood, so an unknown face
		// needs no decision there; a photo with nobody on it still does.
		{"consented child in early childhood", widthAda, nil, Cleared, "", false, consent.EarlyChildhood},
		{"unknown face in early childhood", widthStranger, nil, Cleared, "", false, consent.EarlyChildhood},
		{"no face in early childhood", widthNobody, nil, NeedsReview, "no face found", false, consent.EarlyChildhood},
	}
	reg, err := store.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			photos, err := batch.Run(ctx, []string{paths[tt.width]})
			if err != nil {
				t.Fatal(err)
			}
			p := photos[0]
			job := testJob()
			if tt.unit != "" {
				job.Unit = tt.unit
			}
			if tt.edit != nil {
				tt.edit(p)
			}
			p.Decide(reg, job)
			reasons := joinReasons(p.Reasons)
			if p.Status != tt.wantStatus || !strings.Contains(reasons, tt.wantReason) || (tt.wantReason == "") != (reasons == "") {
				t.Errorf("status %s %q, want %s %q", p.Status, reasons, tt.wantStatus, tt.wantReason)
			}
			if len(p.Faces) > 0 && p.Faces[0].Decision.Visible != tt.wantVisible {
				t.Errorf("face decision %+v, want visible %v", p.Faces[0].Decision, tt.wantVisible)
			}
			// Something to decide on the faces, whatever blocks the photo.
			waits := strings.Contains(reasons, "unknown face") || strings.Contains(reasons, "recognised face") || strings.Contains(reasons, "no face found")
			if p.WaitsForReviewer() != waits {
				t.Errorf("waits for the reviewer %v with reasons %q", p.WaitsForReviewer(), reasons)
			}
		})
	}
}

// TestBatchWorkersProgressCancel checks that the pool keeps to its size,
// that progress counts every photo once, and that cancelling stops the
// batch early with the context's error.
func TestBatchWorkersProgressCancel(t *testing.T) {
	store := testStore(t)
	dir := t.TempDir()
	var paths []string
	for i := range 12 {
		p := filepath.Join(dir, fmt.Sprintf("p%02d.png", i))
		writeTestPhoto(t, p, widthAda, 100)
		paths = append(paths, p)
	}
	tests := []struct {
		name        string
		workers     int
		cancelAfter int // 0: never
	}{
		{"one worker", 1, 0},
		{"three workers", 3, 0},
		{"cancelled", 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			finder := &fakeFinder{delay: 20 * time.Millisecond}
			b := testBatch(t, store, finder)
			b.Workers = tt.workers
			var seen []int
			var files []string
			b.Progress = func(p Progress) {
				seen = append(seen, p.Done)
				files = append(files, p.Photo.Path)
				if p.Total != len(paths) {
					t.Errorf("total %d, want %d", p.Total, len(paths))
				}
				if p.Done == tt.cancelAfter {
					cancel()
				}
			}
			photos, err := b.Run(ctx, paths)
			if tt.cancelAfter == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if len(seen) != len(paths) || seen[len(seen)-1] != len(paths) {
					t.Errorf("progress %v, want 1..%d", seen, len(paths))
				}
				slices.Sort(files)
				if !slices.Equal(files, paths) {
					t.Errorf("progress files %v, want every photo once", files)
				}
				// Each photo shows Ada, recognised: processed, it waits for
				// the reviewer to confirm her.
				for i, p := range photos {
					if p == nil || p.Path != paths[i] || p.Status != NeedsReview || len(p.Faces) != 1 || p.Faces[0].Decision.Recognised != "C1" {
						t.Errorf("photo %d of %s not processed as the others", i, paths[i])
					}
				}
			} else {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err %v, want context.Canceled", err)
				}
				if finder.calls >= len(paths) {
					t.Errorf("%d photos processed after cancelling at %d, want fewer than %d", finder.calls, tt.cancelAfter, len(paths))
				}
				// A photo the cancellation stopped halfway is not reported
				// as failed: it was not processed.
				for _, p := range photos {
					if p != nil && p.Status == Failed {
						t.Errorf("%s reported failed after the cancellation: %s", p.Path, p.Error)
					}
				}
			}
			if finder.peak > tt.workers {
				t.Errorf("%d photos at once, want at most %d", finder.peak, tt.workers)
			}
			t.Logf("%d workers: peak %d at once, %d processed", tt.workers, finder.peak, finder.calls)
		})
	}
}

// TestExportRedecidesNamesAndRecords exports twice into one folder: names
// skip a file of the user's, the second export redacts a child whose
// consent was withdrawn after the batch ran and publishes the photo again
// only when asked (a re-publication in the ledger), and the ledger records
// who was visible.
func TestExportRedecidesNamesAndRecords(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	dir, out := t.TempDir(), t.TempDir()
	ada, ben := filepath.Join(dir, "ada.png"), filepath.Join(dir, "ben.png")
	writeTestPhoto(t, ada, widthAda, 200)
	writeTestPhoto(t, ben, widthBen, 200)
	// A file that is not ours keeps its name and content.
	users := filepath.Join(out, "2026-11-21_instagram_001.jpg")
	if err := os.WriteFile(users, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	photos, err := testBatch(t, store, &fakeFinder{}).Run(ctx, []string{ada, ben})
	if err != nil {
		t.Fatal(err)
	}
	confirmRecognised(t, store, photos)
	opt := ExportOptions{Dir: out, Style: vision.RedactSolid, VettedBy: "Vera"}
	first, err := Export(ctx, store, photos, testJob(), opt)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"2026-11-21_instagram_002.jpg", "2026-11-21_instagram_003.jpg"}
	for i, o := range first {
		if filepath.Base(o.Output) != wantNames[i] || o.Err != nil || o.Republished || o.Earlier != nil {
			t.Errorf("first export %d: %+v, want %s", i, o, wantNames[i])
		}
	}
	if got, err := os.ReadFile(users); err != nil || string(got) != "x" {
		t.Errorf("the user's file: %q, %v", got, err)
	}
	checkRegion(t, first[0].Output, ada, photos[0].Faces[0].Box, false)
	checkRegion(t, first[1].Output, ben, photos[1].Faces[0].Box, true)

	if _, err := store.Withdraw(ctx, "C1", "instagram", testDay); err != nil {
		t.Fatal(err)
	}
	// Ada's photo is published already: not again, unless asked.
	second, err := Export(ctx, store, photos[:1], testJob(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if o := second[0]; o.Output != "" || o.Err != nil || o.Earlier == nil || o.Earlier.Path() != first[0].Output {
		t.Errorf("exporting Ada again: %+v, want it left out as published as %s", o, first[0].Output)
	}
	opt.Republish = true
	second, err = Export(ctx, store, photos[:1], testJob(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if o := second[0]; filepath.Base(o.Output) != "2026-11-21_instagram_004.jpg" || !o.Republished || o.Err != nil {
		t.Errorf("republishing Ada: %+v, want number 004, a re-publication", o)
	}
	if d := photos[0].Faces[0].Decision; d.Visible || !strings.Contains(d.Reason.String(), "withdrawn") {
		t.Errorf("after withdrawal the decision is %+v, want redacted as withdrawn", d)
	}
	checkRegion(t, second[0].Output, ada, photos[0].Faces[0].Box, true)

	pubs, err := store.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pubs {
		got = append(got, fmt.Sprintf("%s %s visible=%v republishes=%d", p.ExportName, p.Faces[0].PersonID, p.Faces[0].Visible, p.Republishes))
	}
	want := []string{
		"2026-11-21_instagram_002.jpg C1 visible=true republishes=0",
		"2026-11-21_instagram_003.jpg C2 visible=false republishes=0",
		fmt.Sprintf("2026-11-21_instagram_004.jpg C1 visible=false republishes=%d", pubs[0].ID),
	}
	if !slices.Equal(got, want) {
		t.Errorf("ledger\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	tasks, err := store.Takedowns(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].ExportPath() != first[0].Output {
		t.Errorf("take-downs %+v, want the first export of Ada, in its folder", tasks)
	}
}

// checkRegion compares the face box of an export with the original:
// redacted, it must differ strongly; visible, only by JPEG noise.
func checkRegion(t *testing.T, exported, original string, box image.Rectangle, redacted bool) {
	t.Helper()
	a, err := vision.Load(exported)
	if err != nil {
		t.Fatal(err)
	}
	b, err := vision.Load(original)
	if err != nil {
		t.Fatal(err)
	}
	var sum, n float64
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			pa, pb := a.Image.NRGBAAt(x, y), b.Image.NRGBAAt(x, y)
			for _, d := range []int{int(pa.R) - int(pb.R), int(pa.G) - int(pb.G), int(pa.B) - int(pb.B)} {
				sum += float64(max(d, -d))
			}
			n += 3
		}
	}
	mean := sum / n
	t.Logf("%s: mean difference %.1f in the face box", filepath.Base(exported), mean)
	if redacted && mean < 30 || !redacted && mean > 15 {
		t.Errorf("%s: mean difference %.1f from the original in the face box, want redacted=%v", exported, mean, redacted)
	}
}

// TestReviewStateSurvivesRestart saves the review of a photo, opens the
// register again and finds the reviewer's work, without descriptors (R9).
func TestReviewStateSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	store, err := consent.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportRoster(ctx, strings.NewReader(testRoster), consent.ImportOptions{Today: testDay}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stranger.png")
	writeTestPhoto(t, path, widthStranger, 200)
	photos, err := testBatch(t, store, &fakeFinder{}).Run(ctx, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	p := photos[0]
	p.Faces[0].Review, p.Faces[0].AssignedID = consent.AssignedByHand, "C1"
	p.ManualBoxes = []image.Rectangle{image.Rect(5, 6, 30, 40)}
	p.ChildWork = []string{"C1"}
	reg, err := store.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Decide(reg, testJob())
	if err := SaveReview(ctx, store, p, "instagram"); err != nil {
		t.Fatal(err)
	}
	saved, err := store.Review(ctx, p.SHA256, "instagram")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(string(saved.State)), "descriptor") {
		t.Errorf("saved state holds a descriptor (R9): %s", saved.State)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = consent.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, err := LoadReview(ctx, store, p.SHA256, "instagram")
	if err != nil {
		t.Fatal(err)
	}
	if reg, err = store.Register(ctx); err != nil {
		t.Fatal(err)
	}
	got.Decide(reg, testJob())
	p.Preview = nil
	for i := range p.Faces {
		p.Faces[i].descriptor = nil
	}
	want, _ := json.Marshal(p)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Errorf("after restart\n%s\nwant\n%s", have, want)
	}
	if got.Status != Cleared || !got.Faces[0].Decision.Visible {
		t.Errorf("restored photo %s %v, face %+v; want cleared with Ada visible", got.Status, got.Reasons, got.Faces[0].Decision)
	}
}

// TestOncePerPhoto: two faces nearest to one person cannot both be them;
// only the nearer may be shown, the other is ambiguous and redacted.
func TestOncePerPhoto(t *testing.T) {
	store := testStore(t)
	reg, err := store.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	inf := math.Inf(1)
	p := &Photo{Photographer: "Pia Photo", PhotographerChannels: []string{"instagram"}, Faces: []Face{
		{NearestID: "C1", Distance: 0.45, NextDistance: inf},
		{NearestID: "C1", Distance: 0.33, NextDistance: inf},
		{NearestID: "C2", Distance: 0.35, NextDistance: inf},
	}}
	oncePerPhoto(p.Faces)
	p.Decide(reg, testJob())
	want := []string{"ambiguous face", "looks like Ada Test", "no Instagram consent"}
	for i, f := range p.Faces {
		if !strings.HasPrefix(f.Decision.Reason.String(), want[i]) {
			t.Errorf("face %d: %+v, want %q", i, f.Decision, want[i])
		}
	}
}

// TestPreviewIsSmall: a batch keeps a preview with its longest side at
// PreviewSize, never the decoded photo.
func TestPreviewIsSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.png")
	writeTestPhoto(t, path, 2500, 1200)
	photos, err := testBatch(t, testStore(t), &fakeFinder{}).Run(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	img, err := photos[0].PreviewImage()
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got != image.Pt(PreviewSize, 491) {
		t.Errorf("preview %v, want %dx491", got, PreviewSize)
	}
	t.Logf("preview %v in %d bytes", img.Bounds().Size(), len(photos[0].Preview))
}
