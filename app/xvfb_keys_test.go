package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vet"
)

// keysScenarioEnv names the folder of photos the keys scenario drops; set,
// the test binary runs that scenario (see TestMain).
const keysScenarioEnv = "PHOTOVET_KEYS_SCENARIO"

// keysPhotos are the recognition photos the keys scenario reviews: three
// small ones, so that the real face engine is quick.
func keysPhotos() []string { return []string{"chaeyoung.jpg", "joy.jpg", "seulgi.jpg"} }

// keysScreenshots are the files the keys scenario writes, in order.
func keysScreenshots() []string {
	return []string{"keys-unit-question.png", "keys-unit-arrows.png", "keys-channel-question.png", "keys-channel-arrows.png"}
}

// TestKeysUnderXvfb runs the real app under Xvfb over three photos and
// drives it with real X events (xdotool), the way the teacher who met the
// defect did: in the review of the middle photo, choose a unit with the
// mouse, confirm, press the right and left arrows; the same with the
// channel. Each arrow must move to the next or previous photo and leave
// the unit and channel as chosen; Esc goes back to all photos.
func TestKeysUnderXvfb(t *testing.T) {
	rec := filepath.Join(testdata.Dir(t), "recognition")
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (make test installs it)", tool)
		}
	}
	folder := t.TempDir()
	for _, name := range keysPhotos() {
		if err := os.Symlink(filepath.Join(rec, name), filepath.Join(folder, name)); err != nil {
			t.Fatal(err)
		}
	}
	display := startXvfb(t)
	shots := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := childApp(ctx)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "LANGUAGE=en",
		consent.DataEnv+"="+t.TempDir(), keysScenarioEnv+"="+folder, screenshotsEnv+"="+shots,
		"XDG_CONFIG_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the app under Xvfb: %s", childFailure(ctx, err, out))
	}
	checkScreenshots(t, shots, keysScreenshots())
}

// runKeysScenario is the child process: the real app over an empty
// register, the photos in folder dropped on it, driven with xdotool.
func runKeysScenario(folder, shots string) error {
	if err := setUpLanguage("en"); err != nil {
		return err
	}
	dir, err := consent.DataDir("")
	if err != nil {
		return err
	}
	store, err := consent.Open(context.Background(), dir)
	if err != nil {
		return err
	}
	defer store.Close()
	faces := vet.NewFaces(vet.LoadEngine)
	defer faces.Close()
	a := fyneapp.NewWithID(appID)
	w := newMainWindow(a, store, faces, "keys test", vet.ModelProblem())
	return runWithBatch(a, w, folder, func(done <-chan struct{}) error { return driveKeys(w, done, shots) })
}

// xWindow drives the app's window with xdotool, in window pixels.
type xWindow struct {
	w     *mainWindow
	id    string  // the X window
	scale float32 // window pixels per Fyne unit
}

// xdotool runs xdotool with args and returns what it printed.
func xdotool(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// findXWindow finds the app's window on the display and gives it the
// keyboard (there is no window manager to do so).
func findXWindow(w *mainWindow) (*xWindow, error) {
	x := &xWindow{w: w}
	fyne.DoAndWait(func() { x.scale = w.Canvas().Scale() })
	err := waitUntil("the window to be on the display", func() bool {
		ids, err := xdotool("search", "--onlyvisible", "--name", "^PhotoVet$")
		if err != nil || ids == "" {
			return false
		}
		x.id = strings.Fields(ids)[0]
		return true
	})
	if err != nil {
		return nil, err
	}
	_, err = xdotool("windowfocus", x.id)
	return x, err
}

// waitUntil polls cond until it holds, for at most 20 seconds.
func waitUntil(what string, cond func() bool) error {
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("waited 20 s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// onWindow evaluates cond on Fyne's goroutine.
func onWindow(cond func() bool) func() bool {
	return func() bool {
		var ok bool
		fyne.DoAndWait(func() { ok = cond() })
		return ok
	}
}

// click clicks the middle of the object that find returns (on Fyne's
// goroutine); nil is an error naming what.
func (x *xWindow) click(what string, find func() fyne.CanvasObject) error {
	var pos fyne.Position
	var found bool
	fyne.DoAndWait(func() {
		if o := find(); o != nil {
			found = true
			pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
		}
	})
	if !found {
		return fmt.Errorf("%s is not on the window", what)
	}
	_, err := xdotool("mousemove", "--window", x.id, fmt.Sprint(int(pos.X*x.scale)), fmt.Sprint(int(pos.Y*x.scale)), "click", "1")
	return err
}

// inDialog returns the object on top of the window (a list, a dialog)
// showing text, or nil.
func (x *xWindow) inDialog(text string) fyne.CanvasObject {
	top := x.w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	for _, o := range visibleObjects(top) {
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				return v
			}
		case *canvas.Text:
			if v.Text == text {
				return v
			}
		}
	}
	return nil
}

// driveKeys waits for the batch, opens the review of the middle photo and
// chooses a unit, then a channel, each followed by the arrow keys.
func driveKeys(w *mainWindow, done <-chan struct{}, shots string) error {
	select {
	case <-done:
	case <-time.After(8 * time.Minute):
		return errors.New("the batch did not finish in 8 minutes")
	}
	var photos []*vet.Photo
	fyne.DoAndWait(func() { photos = slices.Clone(w.session.photos) })
	if len(photos) != len(keysPhotos()) {
		return fmt.Errorf("%d photos processed, want %d", len(photos), len(keysPhotos()))
	}
	fyne.DoAndWait(func() { w.openReview(photos[1]) })
	x, err := findXWindow(w)
	if err != nil {
		return err
	}
	shoot := func(name string) error {
		time.Sleep(500 * time.Millisecond) // let the window draw
		out, err := exec.Command("import", "-window", "root", filepath.Join(shots, name)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("import %s: %v: %s", name, err, out)
		}
		return nil
	}
	const change = "Change and check again"
	var problems []error
	for _, step := range []struct {
		name     string
		dropDown func() fyne.CanvasObject
		option   string
		chosen   func(consent.Job) bool
	}{
		{"unit", func() fyne.CanvasObject { return w.unit }, unitLabel(consent.EarlyChildhood),
			func(j consent.Job) bool { return j.Unit == consent.EarlyChildhood }},
		{"channel", func() fyne.CanvasObject { return w.channel }, channelName("instagram"),
			func(j consent.Job) bool { return j.Channel == "instagram" }},
	} {
		if onWindow(func() bool { return step.chosen(w.session.Job.Job) })() {
			return fmt.Errorf("the %s is %s already: choose another one", step.name, step.option)
		}
		if err := x.click("the "+step.name+"'s drop-down", step.dropDown); err != nil {
			return err
		}
		if err := waitUntil("the "+step.name+"'s list", onWindow(func() bool { return x.inDialog(step.option) != nil })); err != nil {
			return err
		}
		if err := x.click(step.option, func() fyne.CanvasObject { return x.inDialog(step.option) }); err != nil {
			return err
		}
		asked := false
		err := waitUntil("the question, or the "+step.name+" to change", onWindow(func() bool {
			asked = x.inDialog(change) != nil
			return asked || step.chosen(w.session.Job.Job)
		}))
		if err != nil {
			return err
		}
		if asked {
			if err := shoot("keys-" + step.name + "-question.png"); err != nil {
				return err
			}
			if err := x.click(change, func() fyne.CanvasObject { return x.inDialog(change) }); err != nil {
				return err
			}
		} else {
			problems = append(problems, fmt.Errorf("the %s changed without asking", step.name))
		}
		if err := waitUntil("the "+step.name+" to change", onWindow(func() bool {
			return step.chosen(w.session.Job.Job) && w.Canvas().Overlays().Top() == nil
		})); err != nil {
			return err
		}
		var want consent.Job
		fyne.DoAndWait(func() { want = w.session.Job.Job })
		for _, k := range []struct {
			key    string
			target *vet.Photo
		}{{"Right", photos[2]}, {"Left", photos[1]}} {
			if _, err := xdotool("key", k.key); err != nil {
				return err
			}
			moved := waitUntil(k.key+" to show "+baseName(k.target.Path), onWindow(func() bool { return w.review.photo == k.target }))
			var job consent.Job
			fyne.DoAndWait(func() {
				job = w.session.Job.Job
				if moved != nil {
					w.review.show(k.target) // for the next key
				}
			})
			if moved != nil {
				problems = append(problems, fmt.Errorf("after choosing the %s: %w", step.name, moved))
			}
			if job.Channel != want.Channel || job.Unit != want.Unit {
				problems = append(problems, fmt.Errorf("after choosing the %s, %s changed the setting from %s, %s to %s, %s",
					step.name, k.key, want.Channel, want.Unit, job.Channel, job.Unit))
			}
		}
		if err := shoot("keys-" + step.name + "-arrows.png"); err != nil {
			return err
		}
	}
	if _, err := xdotool("key", "Escape"); err != nil {
		return err
	}
	if err := waitUntil("Esc to go back to all photos", onWindow(func() bool { return w.review.photo == nil })); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}
