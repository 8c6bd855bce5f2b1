package app

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/storage"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/cleancheck"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vet"
)

// The screenshot test runs the real app in a child process (the test
// binary again), because a real window needs the process's main thread:
// TestMain hands that thread to runScreenshotScenario when these variables
// are set.
const (
	scenarioEnv    = "PHOTOVET_SCREENSHOT_SCENARIO" // the recognition folder to drop
	screenshotsEnv = "PHOTOVET_SCREENSHOTS"         // where the PNGs go
	exportEnv      = "PHOTOVET_SCENARIO_EXPORT"     // the folder the scenario exports to
	// keepScreenshotsEnv names a folder to copy the screenshots to, for
	// looking at them after the test.
	keepScreenshotsEnv = "PHOTOVET_KEEP_SCREENSHOTS"
)

// screenshots are the files the scenario writes, in order.
func screenshots() []string {
	return []string{"main.png", "review-pristin.png", "register.png", "export.png"}
}

func TestMain(m *testing.M) {
	if folder := os.Getenv(scenarioEnv); folder != "" {
		if err := runScreenshotScenario(folder, os.Getenv(screenshotsEnv), os.Getenv(exportEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "screenshot scenario:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if folder := os.Getenv(reviewScenarioEnv); folder != "" {
		if err := runReviewScenario(folder, os.Getenv(screenshotsEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "review scenario:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if batch := os.Getenv(peopleScenarioEnv); batch != "" {
		if err := runPeopleScenario(batch, os.Getenv(screenshotsEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "people scenario:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if folder := os.Getenv(keysScenarioEnv); folder != "" {
		if err := runKeysScenario(folder, os.Getenv(screenshotsEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "keys scenario:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// pristinRoster has three PRISTIN members as pupils: Nayoung and Eunwoo
// with Instagram consent, Rena with website consent only.
const pristinRoster = `id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until
P-NAYOUNG,Nayoung,child,6A,school,2014-06-01,instagram|website,instagram|website,,yes,2026-08-17,2099-07-31
P-EUNWOO,Eunwoo,child,6A,school,2014-07-01,instagram|website,instagram|website,,yes,2026-08-17,2099-07-31
P-RENA,Rena,child,6A,school,2014-08-01,website,website,,yes,2026-08-17,2099-07-31
`

// TestScreenshotsUnderXvfb starts the real app under Xvfb on a temporary
// data folder, drops the recognition folder on it, waits for processing
// and saves screenshots of the main window, the review of pristin.jpg and
// the register; then it hides the unknown faces on pristin.jpg with the
// review's button and exports the cleared photos. A blank screenshot
// fails the test, and so does an export that does not pass the
// clean-output check or that the ledger does not list.
func TestScreenshotsUnderXvfb(t *testing.T) {
	rec := filepath.Join(testdata.Dir(t), "recognition")
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Fatal("Xvfb is missing (make test installs it)")
	}
	if _, err := exec.LookPath("import"); err != nil {
		t.Fatal("ImageMagick's import is missing (make test installs it)")
	}
	display := startXvfb(t)
	shots, exports, data := t.TempDir(), t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := childApp(ctx)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "LANGUAGE=en",
		consent.DataEnv+"="+data, scenarioEnv+"="+rec, screenshotsEnv+"="+shots, exportEnv+"="+exports,
		"XDG_CONFIG_HOME="+t.TempDir()) // Fyne's preferences stay out of the real home
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the app under Xvfb: %s", childFailure(ctx, err, out))
	}
	checkScreenshots(t, shots, screenshots())

	files, err := filepath.Glob(filepath.Join(exports, "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the export folder holds no photos (%v)", err)
	}
	if problems, err := cleancheck.Problems(files...); err != nil || len(problems) > 0 {
		t.Errorf("the exports are not clean (%v):\n%s", err, strings.Join(problems, "\n"))
	}
	store, err := consent.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pubs, err := store.Publications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs) != len(files) {
		t.Errorf("the ledger lists %d publications for %d exported files", len(pubs), len(files))
	}
	t.Logf("%d photos exported, clean and in the ledger", len(files))
}

// checkScreenshots fails for a screenshot among names in dir that is
// blank, and copies them to keepScreenshotsEnv's folder when it is set.
func checkScreenshots(t *testing.T, dir string, names []string) {
	t.Helper()
	keep := os.Getenv(keepScreenshotsEnv)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := checkNotBlank(path); err != nil {
			t.Error(err)
		}
		if keep != "" {
			data, err := os.ReadFile(path)
			if err == nil {
				err = os.WriteFile(filepath.Join(keep, name), data, 0o644)
			}
			if err != nil {
				t.Error(err)
			}
		}
	}
}

// startXvfb starts a virtual display for the test and returns its name.
// A display whose lock file names a process that is gone is free: Xvfb
// removes such a lock itself. The display is stopped with SIGTERM, so
// that it removes its own lock (killed, it left one per run, until no
// display between :90 and :119 was free).
func startXvfb(t *testing.T) string {
	t.Helper()
	for n := 90; n < 120; n++ {
		if displayInUse(n) {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command("Xvfb", display, "-screen", "0", "1280x860x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start Xvfb: %v", err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		})
		socket := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		for range 100 {
			if _, err := os.Stat(socket); err == nil && displayInUse(n) {
				return display
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("Xvfb %s did not start", display)
	}
	t.Fatal("no free X display between :90 and :119")
	return ""
}

// displayInUse reports whether X display n has a lock file naming a
// running process.
func displayInUse(n int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/tmp/.X%d-lock", n))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return true // not ours to judge
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM) // EPERM: another user's
}

// checkNotBlank fails for a screenshot that is missing or shows (nearly)
// one colour: a black capture, an empty window.
func checkNotBlank(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	colours := map[uint32]int{}
	b := img.Bounds()
	total := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>11)<<10|(g>>11)<<5|bl>>11]++
			total++
		}
	}
	dominant := 0
	for _, n := range colours {
		dominant = max(dominant, n)
	}
	// A black capture or an empty window is one colour, or nearly.
	if len(colours) < 16 || float64(dominant) > 0.97*float64(total) {
		return fmt.Errorf("screenshot %s is blank: %d colours, the commonest on %.1f%% of it",
			filepath.Base(path), len(colours), 100*float64(dominant)/float64(total))
	}
	return nil
}

// childApp is the test binary run again as the app under Xvfb, stopped
// when ctx ends. Stopped, it prints every goroutine's stack (SIGQUIT)
// before it is killed, so that a window that hangs says where.
func childApp(ctx context.Context) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGQUIT) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// childFailure describes how the app under Xvfb failed: the end of its
// output, or all of it when it hung (the goroutines' stacks).
func childFailure(ctx context.Context, err error, out []byte) string {
	if ctx.Err() != nil {
		return fmt.Sprintf("%v (it hung)\n%s", err, out)
	}
	return fmt.Sprintf("%v\n%s", err, lastLines(string(out), 30))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// runScreenshotScenario is the child process: the real app over a register
// with three PRISTIN members enrolled, the recognition folder dropped on
// it, and a screenshot at each step.
func runScreenshotScenario(rec, shots, exports string) error {
	ctx := context.Background()
	if err := setUpLanguage("en"); err != nil {
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

	a := fyneapp.NewWithID(appID)
	w := newMainWindow(a, store, faces, "screenshot test", vet.ModelProblem())
	openOn(w, consent.Job{Channel: "instagram", Unit: consent.School})
	w.session.Job.Photographer, w.session.Job.PhotographerChannels = "Pia Photo", []string{"instagram", "website"}
	return runWithBatch(a, w, rec, func(done <-chan struct{}) error { return driveScreenshots(w, done, shots, exports) })
}

// runWithBatch shows w, adds folder as its batch once the app has
// started, and runs drive beside the app's loop with a channel closed
// when the batch has finished; the app quits when drive returns, and
// runWithBatch returns drive's error.
func runWithBatch(a fyne.App, w *mainWindow, folder string, drive func(done <-chan struct{}) error) error {
	batchDone, done := make(chan struct{}), make(chan struct{})
	w.batchFinished = func() { close(batchDone) }
	go func() {
		// The photos are decided for the window's job once the register
		// answered for the last of them (applyJob).
		<-batchDone
		w.jobWork.Wait()
		close(done)
	}()
	a.Lifecycle().SetOnStarted(func() { w.addURIs([]fyne.URI{storage.NewFileURI(folder)}) })
	result := make(chan error, 1)
	go func() {
		result <- drive(done)
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return <-result
}

// openOn sets the job the window opens on, as a batch kept from last
// time does (restoreBatch): the batch's photos are processed for it
// while the register is read for it.
func openOn(w *mainWindow, job consent.Job) {
	w.session.Job.Job = job
	w.applyJob(job)
}

// enrolPristin imports pristinRoster into store, with Pia Photo's
// permission, and enrols its three members from their portraits in rec.
func enrolPristin(ctx context.Context, store *consent.Store, faces *vet.Faces, rec string) error {
	if _, err := store.ImportRoster(ctx, strings.NewReader(pristinRoster), consent.ImportOptions{}); err != nil {
		return err
	}
	if err := store.SetPhotographerPermission(ctx, "Pia Photo", []string{"instagram", "website"}, consent.Today()); err != nil {
		return err
	}
	finder, workers, err := faces.Finder()
	if err != nil {
		return err
	}
	portraits, err := os.MkdirTemp("", "portraits")
	if err != nil {
		return err
	}
	defer os.RemoveAll(portraits)
	for id, name := range map[string]string{"P-NAYOUNG": "nayoung.jpg", "P-EUNWOO": "eunwoo.jpg", "P-RENA": "rena.jpg"} {
		if err := os.Symlink(filepath.Join(rec, name), filepath.Join(portraits, id+".jpg")); err != nil {
			return err
		}
	}
	enrolled, err := vet.Enroll(ctx, store, finder, workers, portraits, nil)
	if err != nil {
		return err
	}
	for _, e := range enrolled {
		if !e.Enrolled() {
			return fmt.Errorf("enrol %s: %v %v", e.PersonID, e.Err, e.Problems)
		}
	}
	return nil
}

// driveScreenshots waits for the batch, takes the screenshots, and exports
// after hiding the unknown faces on pristin.jpg.
func driveScreenshots(w *mainWindow, done <-chan struct{}, shots, exports string) error {
	select {
	case <-done:
	case <-time.After(15 * time.Minute):
		return errors.New("the batch did not finish in 15 minutes")
	}
	settle := func() { time.Sleep(1500 * time.Millisecond) } // let the window draw
	shoot := func(name string) error {
		settle()
		out, err := exec.Command("import", "-window", "root", filepath.Join(shots, name)).CombinedOutput()
		if err != nil {
			return fmt.Errorf("import %s: %v: %s", name, err, out)
		}
		return nil
	}
	if err := shoot("main.png"); err != nil {
		return err
	}
	var missing error
	fyne.DoAndWait(func() {
		for _, p := range w.session.photos {
			if filepath.Base(p.Path) == "pristin.jpg" {
				w.openReview(p)
				return
			}
		}
		missing = errors.New("pristin.jpg is not among the processed photos")
	})
	if missing != nil {
		return missing
	}
	if err := shoot("review-pristin.png"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { w.tabs.SelectIndex(1) })
	if err := shoot("register.png"); err != nil {
		return err
	}

	exported := make(chan exportSummary, 1)
	var pristin *vet.Photo
	fyne.DoAndWait(func() { w.tabs.SelectIndex(0) })
	// Back on the Photos tab the register is read again for the batch's
	// job; Export waits for it.
	w.jobWork.Wait()
	fyne.DoAndWait(func() {
		pristin = w.review.photo
		// As the teacher's clicks do: each face PhotoVet recognised,
		// then "Yes, this is ..."; then "Hide every unknown face".
		for i, f := range pristin.Faces {
			if f.ToConfirm() {
				w.review.selectFace(i)
				w.review.confirmButton.OnTapped()
			}
		}
		w.review.hideUnknown.OnTapped()
		w.exportFinished = func(s exportSummary) { exported <- s }
		w.export(exports, "Vera Vetter")
	})
	var sum exportSummary
	select {
	case sum = <-exported:
	case <-time.After(10 * time.Minute):
		return errors.New("the export did not finish in 10 minutes")
	}
	if err := shoot("export.png"); err != nil {
		return err
	}
	var exportedPristin bool
	fyne.DoAndWait(func() { exportedPristin = w.session.exported[pristin] != "" })
	switch {
	case len(sum.failed) > 0:
		return fmt.Errorf("export failed for %v", sum.failed)
	case !exportedPristin:
		return fmt.Errorf("pristin.jpg was not exported after its unknown faces were hidden: %v", sum.notDone)
	}
	return nil
}
