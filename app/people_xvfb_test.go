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

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// recognitionClass is the recognition folder as a class: everyone the
// data names (LABELS.csv, and the people of photos sharing a stem, the
// jimin* photos aside: several Jimins) is a pupil with website consent
// and a biometric opt-in; the first LABELS.csv photo of each labelled
// person is their portrait, and every other photo, with the portraits
// that enrolment refuses, is the batch (enrol).
type recognitionClass struct {
	dir       string // the recognition folder
	roster    string
	portraits map[string]string // id -> portrait file
	others    []string          // the files that are no portrait
	personOf  map[string]string // file -> id of the person it shows (its largest face)
	names     map[string]string // id -> name
}

func newRecognitionClass(t *testing.T, dir string) recognitionClass {
	t.Helper()
	labels, order := testdata.Labels(t)
	c := recognitionClass{dir: dir, portraits: map[string]string{}, personOf: map[string]string{}, names: map[string]string{}}
	id := func(name string) string {
		return "R-" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return -1
		}, strings.ToUpper(name))
	}
	stem := func(file string) string { return strings.TrimRight(strings.TrimSuffix(file, ".jpg"), "0123456789") }
	byStem := map[string]string{}
	for _, file := range order {
		byStem[stem(file)] = labels[file]
		if _, done := c.names[id(labels[file])]; !done {
			c.portraits[id(labels[file])] = file
		}
		c.names[id(labels[file])] = labels[file]
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the recognition folder has no photos (%v)", err)
	}
	portraitFiles := map[string]bool{}
	for _, f := range c.portraits {
		portraitFiles[f] = true
	}
	for _, path := range files {
		file := filepath.Base(path)
		name, labelled := labels[file]
		switch s := stem(file); {
		case labelled:
		case s == "jimin" || file == "pristin.jpg":
		case byStem[s] != "":
			name = byStem[s]
		default:
			name = strings.ToUpper(s[:1]) + s[1:]
		}
		if name != "" {
			c.personOf[file] = id(name)
			c.names[id(name)] = name
		}
		if !portraitFiles[file] {
			c.others = append(c.others, file)
		}
	}
	var roster strings.Builder
	roster.WriteString("id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until\n")
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range c.names {
			if !yield(id) {
				return
			}
		}
	}) {
		fmt.Fprintf(&roster, "%s,%s,child,6A,school,2014-06-01,website,website,,yes,2026-08-17,2099-07-31\n", id, c.names[id])
	}
	c.roster = roster.String()
	return c
}

// openTestRegisterWith opens a register in a temporary folder with the
// roster and Pia Photo's permission for the website.
func openTestRegisterWith(t *testing.T, roster string) *consent.Store {
	t.Helper()
	ctx := context.Background()
	store, err := consent.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.ImportRoster(ctx, strings.NewReader(roster), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetPhotographerPermission(ctx, "Pia Photo", []string{"website"}, consent.Today()); err != nil {
		t.Fatal(err)
	}
	return store
}

// enrol enrols the class's portraits with finder into store and links
// the batch's photos into batch: the other photos, and the portraits
// enrolment refused. It returns how many people it enrolled and the
// batch's files.
func (c recognitionClass) enrol(ctx context.Context, store *consent.Store, finder vision.FaceFinder, workers int, batch string) (int, []string, error) {
	portraits, err := os.MkdirTemp("", "portraits")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(portraits)
	for id, file := range c.portraits {
		if err := os.Symlink(filepath.Join(c.dir, file), filepath.Join(portraits, id+".jpg")); err != nil {
			return 0, nil, err
		}
	}
	enrolments, err := vet.Enroll(ctx, store, finder, workers, portraits, nil)
	if err != nil {
		return 0, nil, err
	}
	files, enrolled := slices.Clone(c.others), 0
	for _, e := range enrolments {
		if e.Enrolled() {
			enrolled++
		} else {
			files = append(files, c.portraits[e.PersonID])
		}
	}
	for _, file := range files {
		if err := os.Symlink(filepath.Join(c.dir, file), filepath.Join(batch, file)); err != nil {
			return 0, nil, err
		}
	}
	return enrolled, files, nil
}

// The people scenario runs the real app in a child process, as the
// screenshot test does; TestMain hands it the main thread when
// peopleScenarioEnv names the batch folder to drop.
const peopleScenarioEnv = "PHOTOVET_PEOPLE_SCENARIO"

// peopleScreenshots are the files the people scenario writes, in order.
func peopleScreenshots() []string {
	return []string{"people-main.png", "people-view.png", "people-picker.png", "people-named.png", "review-picker.png"}
}

// TestPeopleUnderXvfb runs the real app under Xvfb in English, Dutch and
// Finnish (LANG) over a batch of the recognition folder, one portrait per
// labelled person enrolled (recognitionClass), and drives it with real
// clicks and keys (xdotool): P for "People in this batch"; "This
// is..." on the largest group, the name of its person typed, Escape
// (nothing named); again, and a double-click on the person (the group
// named); in the review, "This is..." on a face nobody was identified as.
// It keeps a screenshot of each step; a blank one fails the test, and so
// does a Photos tab wider than the display.
func TestPeopleUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (make test installs it)", tool)
		}
	}
	ctx := context.Background()
	c := newRecognitionClass(t, filepath.Join(testdata.Dir(t), "recognition"))
	// One register, enrolled once, copied for each language: the
	// scenario saves its review in it.
	template, batch := t.TempDir(), t.TempDir()
	store, err := consent.Open(ctx, template)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportRoster(ctx, strings.NewReader(c.roster), consent.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetPhotographerPermission(ctx, "Pia Photo", []string{"website"}, consent.Today()); err != nil {
		t.Fatal(err)
	}
	faces := vet.NewFaces(vet.LoadEngine)
	finder, workers, err := faces.Finder()
	if err != nil {
		t.Fatal(err)
	}
	enrolled, files, err := c.enrol(ctx, store, finder, workers, batch)
	faces.Close()
	if err == nil {
		err = store.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d people enrolled, %d photos in the batch", enrolled, len(files))

	display := startXvfb(t)
	for _, locale := range []string{"en_US.UTF-8", "nl_NL.UTF-8", "fi_FI.UTF-8"} {
		t.Run(locale, func(t *testing.T) {
			data, shots := t.TempDir(), t.TempDir()
			copyFolder(t, template, data)
			ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
			defer cancel()
			cmd := childApp(ctx)
			for _, v := range os.Environ() {
				if !strings.HasPrefix(v, "LANGUAGE=") && !strings.HasPrefix(v, "LC_ALL=") && !strings.HasPrefix(v, "LC_MESSAGES=") {
					cmd.Env = append(cmd.Env, v)
				}
			}
			cmd.Env = append(cmd.Env, "DISPLAY="+display, "LANG="+locale, consent.DataEnv+"="+data,
				peopleScenarioEnv+"="+batch, screenshotsEnv+"="+shots, "XDG_CONFIG_HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the app under Xvfb: %s", childFailure(ctx, err, out))
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "people scenario: ") {
					t.Log(strings.TrimPrefix(line, "people scenario: "))
				}
			}
			names := peopleScreenshots()
			if keep := os.Getenv(keepScreenshotsEnv); keep != "" {
				for i, name := range names {
					lang := locale[:2]
					renamed := strings.TrimSuffix(name, ".png") + "-" + lang + ".png"
					if err := os.Rename(filepath.Join(shots, name), filepath.Join(shots, renamed)); err != nil {
						t.Fatal(err)
					}
					names[i] = renamed
				}
			}
			checkScreenshots(t, shots, names)
		})
	}
}

// copyFolder copies the files of from into to.
func copyFolder(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(to, e.Name()), data, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// runPeopleScenario is the child process: the real app in the system's
// language over the register in the data folder, the batch folder dropped
// on it, driven with xdotool.
func runPeopleScenario(batch, shots string) error {
	if err := setUpLanguage(""); err != nil {
		return err
	}
	ctx := context.Background()
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
	a := fyneapp.NewWithID(appID)
	w := newMainWindow(a, store, faces, "people screenshots", vet.ModelProblem())
	w.session.Job.Photographer, w.session.Job.PhotographerChannels = "Pia Photo", []string{"website"}
	openOn(w, consent.Job{Channel: "website", Unit: consent.School})
	return runWithBatch(a, w, batch, func(done <-chan struct{}) error { return drivePeople(w, done, shots) })
}

// drivePeople waits for the batch and drives the people view and the
// pickers with xdotool, a screenshot at each step.
func drivePeople(w *mainWindow, done <-chan struct{}, shots string) error {
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		return errors.New("the batch did not finish in 10 minutes")
	}
	// Each screenshot also checks that the Photos tab, where the people
	// and the pickers are, fits the 1,280 pixels of the display: a wider
	// window is cut off at its right edge. (The window is as wide as its
	// widest tab; the register's is not this test's business.)
	shoot := func(name string) error {
		time.Sleep(1500 * time.Millisecond) // let the window draw
		out, err := exec.Command("import", "-window", "root", filepath.Join(shots, name)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("import %s: %v: %s", name, err, out)
		}
		var width float32
		fyne.DoAndWait(func() { width = w.tabs.Items[0].Content.MinSize().Width * w.Canvas().Scale() })
		if width > 1280 {
			return fmt.Errorf("%s: the Photos tab needs %.0f pixels, the display has 1,280", name, width)
		}
		return nil
	}
	x, err := findXWindow(w)
	if err != nil {
		return err
	}
	if err := shoot("people-main.png"); err != nil {
		return err
	}
	v := w.people
	// P, not the button: on main since the shared register the window
	// is wider than the display (the register's settings), and the
	// button, on the right, is off it.
	if _, err := xdotool("key", "p"); err != nil {
		return err
	}
	if err := waitUntil("the groups", onWindow(func() bool { return v.ready })); err != nil {
		return err
	}
	// The largest group whose person the register knows by the data:
	// its face is the largest of a photo named after someone.
	var who, name string
	var faces int
	fyne.DoAndWait(func() {
		for i, g := range v.groups {
			for _, f := range g.faces {
				stem := strings.TrimRight(strings.TrimSuffix(filepath.Base(f.photo.Path), ".jpg"), "0123456789")
				if p := personNamed(w, stem); p != nil && who == "" {
					who, name, faces = p.ID, p.Name, len(g.faces)
					v.list.Select(i)
				}
			}
		}
	})
	if who == "" {
		return errors.New("no group shows a person of the register")
	}
	fmt.Printf("people scenario: %d groups; naming one of %d faces as %s\n", len(v.groups), faces, who)
	if err := shoot("people-view.png"); err != nil {
		return err
	}
	// "This is...", the name typed, Escape: nothing is named.
	if err := x.click("This is...", func() fyne.CanvasObject { return v.nameButton }); err != nil {
		return err
	}
	if _, err := xdotool("type", "--delay", "60", name); err != nil {
		return err
	}
	if err := shoot("people-picker.png"); err != nil {
		return err
	}
	if _, err := xdotool("key", "Escape"); err != nil {
		return err
	}
	if err := waitUntil("the picker to close on Escape", onWindow(func() bool { return w.Canvas().Overlays().Top() == nil })); err != nil {
		return err
	}
	named := func() (n int) {
		fyne.DoAndWait(func() {
			for _, p := range w.session.photos {
				for _, f := range p.Faces {
					if f.Review == consent.AssignedByHand {
						n++
					}
				}
			}
		})
		return n
	}
	if n := named(); n != 0 {
		return fmt.Errorf("%d faces named after Escape", n)
	}
	// Again, and a double-click on the person.
	if err := x.click("This is...", func() fyne.CanvasObject { return v.nameButton }); err != nil {
		return err
	}
	if _, err := xdotool("type", "--delay", "60", name); err != nil {
		return err
	}
	var row fyne.CanvasObject
	err = waitUntil("the person's row", onWindow(func() bool {
		for _, o := range visibleObjects(w.Canvas().Overlays().Top()) {
			if r, ok := o.(*pickerRow); ok && r.id == 0 {
				row = r
			}
		}
		return row != nil
	}))
	if err != nil {
		return err
	}
	var pos fyne.Position
	fyne.DoAndWait(func() {
		pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(row).AddXY(40, row.Size().Height/2)
	})
	if _, err := xdotool("mousemove", "--window", x.id, fmt.Sprint(int(pos.X*x.scale)), fmt.Sprint(int(pos.Y*x.scale)), "click", "--repeat", "2", "--delay", "80", "1"); err != nil {
		return err
	}
	if err := waitUntil("the double-click to name the group", func() bool { return named() == faces }); err != nil {
		return fmt.Errorf("%w: %d faces named, want %d", err, named(), faces)
	}
	if err := shoot("people-named.png"); err != nil {
		return err
	}
	// The review's picker, on a face nobody was identified as.
	var found bool
	fyne.DoAndWait(func() {
		for _, p := range w.session.photos {
			for i, f := range p.Faces {
				if f.Unknown() && !found {
					found = true
					w.openReview(p)
					w.review.view.selected = selection{face: i, box: -1}
					w.review.selectOverlay(w.review.view.selected)
					w.review.view.Refresh()
				}
			}
		}
	})
	if !found {
		return errors.New("no face is left unknown for the review's picker")
	}
	// The review's panel is on the right, off the display (see P above):
	// "This is..." is pressed as its button does.
	fyne.DoAndWait(w.review.chooseAssignee)
	return shoot("review-picker.png")
}

// personNamed is the register's person whose name, in lower case and
// without spaces, is name; nil for nobody.
func personNamed(w *mainWindow, name string) *consent.Person {
	for _, p := range w.session.people() {
		if strings.ToLower(strings.ReplaceAll(p.Name, " ", "")) == name {
			return p
		}
	}
	return nil
}
