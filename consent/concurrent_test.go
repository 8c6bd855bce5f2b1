package consent

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// exporterEnv makes the test binary an exporting laptop (see
// exportAsLaptop): "REGISTER|FOLDER|LABEL|AT_ONCE".
const exporterEnv = "PHOTOVET_TEST_EXPORTER"

// exportsPerLaptop is how many exports each laptop makes at once.
const exportsPerLaptop = 200

// TestConcurrentExportsLoseNothing runs two processes, two laptops, each
// exporting 200 photos at once to the same day and channel of one
// register: every export gets its ledger row and a name no other export
// has. On PostgreSQL all 200 of a laptop start together (its connection
// pool serves them). A SQLite file is one laptop's, and vet exports one
// photo at a time, so there each process exports one at a time: hundreds
// of writers queued on one file lock wait longer than its busy timeout
// (and say so), as 8 per process did under the race detector on a busy
// machine, and 2 per process once at a load of 12 (SQLite's busy wait is
// not a queue: a writer can lose the lock to the others for 10 s).
func TestConcurrentExportsLoseNothing(t *testing.T) {
	if arg := os.Getenv(exporterEnv); arg != "" {
		exportAsLaptop(arg)
		return
	}
	forEachBackend(t, testConcurrentExportsLoseNothing)
}

func testConcurrentExportsLoseNothing(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, where := b.open(t)
	folder := t.TempDir()
	type laptop struct {
		cmd   *exec.Cmd
		go_   io.WriteCloser
		out   *bufio.Scanner
		names []string
	}
	atOnce := exportsPerLaptop
	if b.name == "sqlite" {
		atOnce = 1
	}
	laptops := make([]*laptop, 2)
	for i := range laptops {
		cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentExportsLoseNothing$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|laptop%d|%d", exporterEnv, where, folder, i, atOnce))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		laptops[i] = &laptop{cmd: cmd, go_: stdin, out: bufio.NewScanner(stdout)}
	}
	// Both open the register first, then export at the same moment.
	for i, l := range laptops {
		if !l.out.Scan() || l.out.Text() != "ready" {
			t.Fatalf("laptop %d did not get ready: %q", i, l.out.Text())
		}
	}
	start := time.Now()
	for _, l := range laptops {
		fmt.Fprintln(l.go_, "go")
	}
	var wg sync.WaitGroup
	for _, l := range laptops {
		wg.Go(func() {
			for l.out.Scan() {
				l.names = append(l.names, l.out.Text())
			}
		})
	}
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(5 * time.Minute):
		t.Fatal("the laptops did not finish their exports within 5 minutes")
	}
	took := time.Since(start)
	for i, l := range laptops {
		if err := l.cmd.Wait(); err != nil {
			t.Fatalf("laptop %d: %v (it wrote %q)", i, err, l.names)
		}
	}

	seen := map[string]string{}
	for i, l := range laptops {
		if len(l.names) != exportsPerLaptop {
			t.Fatalf("laptop %d made %d exports, want %d: %q", i, len(l.names), exportsPerLaptop, l.names)
		}
		for _, name := range l.names {
			if other, taken := seen[name]; taken {
				t.Errorf("%s given to laptop%d and %s", name, i, other)
			}
			seen[name] = fmt.Sprintf("laptop%d", i)
		}
	}
	pubs, err := s.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inLedger := map[string]bool{}
	for _, p := range pubs {
		inLedger[p.ExportName] = true
	}
	lost := 0
	for name := range seen {
		if !inLedger[name] {
			lost++
		}
	}
	claims := countRows(t, s, "SELECT count(*) FROM export_claims")
	t.Logf("%s: 2 laptops x %d exports (%d at a time each) in %v: %d ledger rows, %d distinct names, %d rows lost, %d claims left",
		b.name, exportsPerLaptop, atOnce, took.Round(time.Millisecond), len(pubs), len(inLedger), lost, claims)
	if len(pubs) != 2*exportsPerLaptop || len(inLedger) != 2*exportsPerLaptop || lost != 0 || claims != 0 {
		t.Errorf("want %d ledger rows under as many names, none lost, no claim left", 2*exportsPerLaptop)
	}
	for n := 1; n <= 2*exportsPerLaptop; n++ {
		if name := fmt.Sprintf("2026-11-21_instagram_%03d.jpg", n); !inLedger[name] {
			t.Errorf("no export %s: numbers were skipped", name)
		}
	}
}

// exportAsLaptop is the child process: it opens the register, says
// "ready", waits for "go" and makes exportsPerLaptop exports, AT_ONCE at a
// time, as
// vet does (claim, write the temporary file, publish, release), printing
// each name it got.
func exportAsLaptop(arg string) {
	parts := strings.SplitN(arg, "|", 4)
	where, folder, label := parts[0], parts[1], parts[2]
	atOnce, _ := strconv.Atoi(parts[3])
	slots := make(chan struct{}, max(atOnce, 1))
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, label+":", err)
		os.Exit(3)
	}
	data, err := os.MkdirTemp("", "photovet-laptop-")
	if err != nil {
		fail(err)
	}
	s, err := OpenRegister(ctx, where, data)
	if err != nil {
		fail(err)
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fail(err)
	}
	names := make(chan string, exportsPerLaptop)
	errs := make(chan error, exportsPerLaptop)
	var wg sync.WaitGroup
	for i := range exportsPerLaptop {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s photo %d", label, i)))
			temp := fmt.Sprintf(".%s-%d.partial", label, i)
			claim, err := s.ClaimExport(ctx, Publication{
				OriginalSHA256: hex.EncodeToString(sum[:]), Folder: folder, Channel: "instagram", Date: NewDate(2026, 11, 21),
				VettedBy: label, Photographer: "Jan Smit", PhotographerChannels: []string{"instagram"},
				Faces: []PublishedFace{{PersonID: "S-1001", Visible: true}, {Visible: false}},
			}, ClaimOptions{Temp: temp, Create: func(string) error {
				return os.WriteFile(filepath.Join(folder, temp), []byte(label), 0o600)
			}})
			if err == nil {
				err = os.Rename(filepath.Join(folder, temp), filepath.Join(folder, claim.Name))
			}
			if err == nil {
				_, err = s.PublishExport(ctx, claim.PublicationID)
			}
			if err == nil {
				err = s.ReleaseExport(ctx, claim.PublicationID)
			}
			if err != nil {
				errs <- err
				return
			}
			names <- claim.Name
		})
	}
	wg.Wait()
	close(names)
	close(errs)
	for err := range errs {
		fail(err)
	}
	for name := range names {
		fmt.Println(name)
	}
	s.Close()
	os.RemoveAll(data)
	os.Exit(0) // no "PASS" from the test framework in the names
}
