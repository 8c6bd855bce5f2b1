package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vet"
)

// reviewScenarioEnv names the recognition folder; set, the test binary
// runs the review scenario (see TestMain) in the language of its locale.
const reviewScenarioEnv = "PHOTOVET_REVIEW_SCENARIO"

// reviewScreenshots are the files the review scenario writes in language
// code, in order.
func reviewScreenshots(code string) []string {
	var names []string
	for _, step := range []string{"fit", "list", "zoomed", "wheel", "100"} {
		names = append(names, "review-"+code+"-"+step+".png")
	}
	return names
}

// TestReviewUnderXvfb runs the real app under Xvfb in English, Dutch and
// Finnish over pristin.jpg, a group photo of ten, and reviews it with
// real keys and clicks (xdotool): a row of the face list, the down
// arrow, + and the mouse wheel to zoom, a drag with the middle button, a
// click on a face, 1 and 0. Each step must do what it says (the wheel
// keeps the face under the pointer in place, a chosen face is in view);
// the review's minimum width must stay under 1,280 pixels (the window's,
// the widest of its tabs, is logged).
func TestReviewUnderXvfb(t *testing.T) {
	rec := filepath.Join(testdata.Dir(t), "recognition")
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (make test installs it)", tool)
		}
	}
	display := startXvfb(t)
	for _, l := range []struct{ code, locale string }{{"en", "en_US.UTF-8"}, {"nl", "nl_NL.UTF-8"}, {"fi", "fi_FI.UTF-8"}} {
		t.Run(l.code, func(t *testing.T) {
			shots := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			cmd := childApp(ctx)
			cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG="+l.locale, "LANGUAGE="+l.code,
				consent.DataEnv+"="+t.TempDir(), reviewScenarioEnv+"="+rec, screenshotsEnv+"="+shots,
				"XDG_CONFIG_HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("the app under Xvfb: %s", childFailure(ctx, err, out))
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "review:") {
					t.Log(line)
				}
			}
			checkScreenshots(t, shots, reviewScreenshots(l.code)) // those taken, also after a failure
		})
	}
}

// runReviewScenario is the child process: the real app over a register
// with three PRISTIN members enrolled, pristin.jpg from rec dropped on
// it.
func runReviewScenario(rec, shots string) error {
	ctx := context.Background()
	if err := setUpLanguage(""); err != nil {
		return err
	}
	dir, err := consent.DataDir("")
	if err != nil {
		return err
	}
	store, err := consent.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer store.Close()
	faces := vet.NewFaces(vet.LoadEngine)
	defer faces.Close()
	if err := enrolPristin(ctx, store, faces, rec); err != nil {
		return err
	}
	folder, err := os.MkdirTemp("", "group")
	if err != nil {
		return err
	}
	defer os.RemoveAll(folder)
	if err := os.Symlink(filepath.Join(rec, "pristin.jpg"), filepath.Join(folder, "pristin.jpg")); err != nil {
		return err
	}

	a := fyneapp.NewWithID(appID)
	w := newMainWindow(a, store, faces, "review test", vet.ModelProblem())
	// The zoom steps below keep a second face in view at this size (the
	// screen is 860 px tall; the window opens 680 px tall).
	w.Resize(fyne.NewSize(1180, 800))
	openOn(w, consent.Job{Channel: "instagram", Unit: consent.School})
	w.session.Job.Photographer, w.session.Job.PhotographerChannels = "Pia Photo", []string{"instagram", "website"}
	return runWithBatch(a, w, folder, func(done <-chan struct{}) error { return driveReview(w, done, shots) })
}

// driveReview reviews pristin.jpg with real keys and clicks.
func driveReview(w *mainWindow, done <-chan struct{}, shots string) error {
	select {
	case <-done:
	case <-time.After(8 * time.Minute):
		return errors.New("the batch did not finish in 8 minutes")
	}
	var p *vet.Photo
	fyne.DoAndWait(func() {
		if len(w.session.photos) == 1 {
			p = w.session.photos[0]
			w.openReview(p)
		}
	})
	if p == nil || len(p.Faces) < 8 {
		return fmt.Errorf("pristin.jpg was not processed, or has fewer than 8 faces: %v", p)
	}
	x, err := findXWindow(w)
	if err != nil {
		return err
	}
	code := lang.SystemLocale().LanguageString()[:2]
	shoot := func(step string) error {
		time.Sleep(700 * time.Millisecond) // let the window draw
		name := "review-" + code + "-" + step + ".png"
		out, err := exec.Command("import", "-window", "root", filepath.Join(shots, name)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("import %s: %v: %s", name, err, out)
		}
		return nil
	}
	r := w.review
	var problems []error
	check := func(what string, ok func() bool) {
		if err := waitUntil(what, onWindow(ok)); err != nil {
			problems = append(problems, err)
		}
	}
	// where is face i's centre on the screen, in window pixels.
	faceAt := func(i int) (pos fyne.Position) {
		fyne.DoAndWait(func() {
			v := r.view
			b := p.Faces[i].Box
			pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(v).Add(v.imageOrigin).AddXY(
				float32(b.Min.X+b.Max.X)/2*v.imageScale, float32(b.Min.Y+b.Max.Y)/2*v.imageScale)
		})
		return pos
	}
	inView := func(i int) bool {
		v := r.view
		b := p.Faces[i].Box
		off, size := v.scroller.Offset, v.scroller.Size()
		at := v.imageOrigin.AddXY(float32(b.Min.X)*v.imageScale, float32(b.Min.Y)*v.imageScale)
		return at.X >= off.X && at.Y >= off.Y && at.X+float32(b.Dx())*v.imageScale <= off.X+size.Width && at.Y+float32(b.Dy())*v.imageScale <= off.Y+size.Height
	}
	width := func() (w float32) {
		fyne.DoAndWait(func() { w = r.view.image.Size().Width })
		return w
	}
	key := func(k string) error { _, err := xdotool("key", k); return err }

	fit := width()
	if err := shoot("fit"); err != nil {
		return err
	}
	// A row of the face list, then the down arrow in it.
	if err := x.click("the face list's middle row", func() fyne.CanvasObject { return r.faces }); err != nil {
		return err
	}
	check("a click in the face list to select its face on the photo", func() bool {
		return r.selected.face >= 0 && r.faces.selectedFace() == r.selected.face && r.view.selected == r.selected
	})
	var first int
	fyne.DoAndWait(func() {
		first = r.selected.face
	})
	if err := key("Down"); err != nil {
		return err
	}
	check("the down arrow in the face list to select the next face", func() bool {
		return r.selected.face == first+1 && r.faces.selectedFace() == first+1
	})
	if err := shoot("list"); err != nil {
		return err
	}

	// + twice zooms in; the down arrow then brings the next face into view.
	for range 2 {
		if err := key("plus"); err != nil {
			return err
		}
	}
	check("+ twice to zoom in", func() bool { return abs32(r.view.image.Size().Width-fit*zoomStep*zoomStep) < 1 })
	if err := key("Down"); err != nil {
		return err
	}
	check("the face chosen in the list to be in view", func() bool { return r.selected.face == first+2 && inView(first+2) })
	if err := shoot("zoomed"); err != nil {
		return err
	}

	// The wheel over the chosen face zooms in around it. Where the photo
	// was or is smaller than the view it is centred instead.
	wider, taller := true, true
	larger := func() {
		size, view := r.view.image.Size(), r.view.scroller.Size()
		wider, taller = wider && size.Width > view.Width, taller && size.Height > view.Height
	}
	target := first + 2
	fyne.DoAndWait(larger)
	before, zoomed := faceAt(target), width()
	if _, err := xdotool("mousemove", "--window", x.id, fmt.Sprint(int(before.X*x.scale)), fmt.Sprint(int(before.Y*x.scale)), "click", "4"); err != nil {
		return err
	}
	check("the wheel to zoom in", func() bool { return r.view.image.Size().Width > zoomed*1.1 })
	fyne.DoAndWait(larger)
	if after := faceAt(target); (wider && abs32(after.X-before.X) > 3) || (taller && abs32(after.Y-before.Y) > 3) {
		problems = append(problems, fmt.Errorf("the wheel moved the face under the pointer from %v to %v", before, after))
	}
	// A drag with the middle button moves the photo, and only while the
	// button is down.
	var offset fyne.Position
	fyne.DoAndWait(func() { offset = r.view.scroller.Offset })
	if _, err := xdotool("mousedown", "2"); err != nil {
		return err
	}
	for range 3 {
		if _, err := xdotool("mousemove_relative", "--", "-40", "-25"); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	check("a drag with the middle button to move the photo", func() bool { return r.view.scroller.Offset != offset })
	if _, err := xdotool("mouseup", "2"); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	fyne.DoAndWait(func() { offset = r.view.scroller.Offset })
	if _, err := xdotool("mousemove_relative", "--", "80", "50"); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	fyne.DoAndWait(func() {
		if r.view.scroller.Offset != offset {
			problems = append(problems, fmt.Errorf("the photo moved from %v to %v with the pointer after the middle button was released", offset, r.view.scroller.Offset))
		}
	})
	// A click on another face in view selects its row.
	other := -1
	fyne.DoAndWait(func() {

		for i := range p.Faces {
			if i != target && inView(i) {
				other = i
				break
			}
		}
	})
	if other < 0 {
		problems = append(problems, errors.New("no other face in view to click"))
	} else {
		at := faceAt(other)
		if _, err := xdotool("mousemove", "--window", x.id, fmt.Sprint(int(at.X*x.scale)), fmt.Sprint(int(at.Y*x.scale)), "click", "1"); err != nil {
			return err
		}
		check(fmt.Sprintf("a click on face %d at %v to select its row", other+1, at), func() bool {
			return r.selected.face == other && r.faces.selectedFace() == other
		})
	}
	if err := shoot("wheel"); err != nil {
		return err
	}

	if err := key("1"); err != nil {
		return err
	}
	var preview float32
	fyne.DoAndWait(func() { preview = float32(r.view.image.Image.Bounds().Dx()) / x.scale })
	check("1 to show the photo at 100%", func() bool { return abs32(r.view.image.Size().Width-preview) < 1 })
	if err := shoot("100"); err != nil {
		return err
	}
	if err := key("0"); err != nil {
		return err
	}
	check("0 to fit the photo again", func() bool { return abs32(r.view.image.Size().Width-fit) < 1 })

	var minWidth, reviewWidth float32
	fyne.DoAndWait(func() {
		minWidth = w.Content().MinSize().Width * w.Canvas().Scale()
		reviewWidth = r.MinSize().Width * w.Canvas().Scale()
	})
	fmt.Printf("review: %s: the window's minimum width in the review is %.0f pixels, the review's own %.0f (scale %.2f); the photo %.0f wide fitted, %.0f at 100%%; %d faces\n",
		code, minWidth, reviewWidth, x.scale, fit, preview, len(p.Faces))
	// The review's own width is checked; the window's is logged: it is the
	// widest of its tabs, and the register's settings are not the review.
	if reviewWidth > 1280 {
		problems = append(problems, fmt.Errorf("the review needs %.0f pixels: more than 1,280", reviewWidth))
	}
	if err := key("Escape"); err != nil {
		return err
	}
	check("Esc to go back to all photos", func() bool { return r.photo == nil })
	return errors.Join(problems...)
}
