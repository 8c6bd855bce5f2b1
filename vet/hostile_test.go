package vet

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bytesRead is how many bytes this process has read from files so far
// (rchar in /proc/self/io, page cache included).
func bytesRead(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "rchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no rchar in /proc/self/io")
	return 0
}

// hostileFiles writes into dir what a hostile folder holds, with the
// reason each must fail with: links to /dev/zero and to a FIFO, a FIFO, a
// sparse 4 GB file that starts like a JPEG and a sparse 300 MB text file
// named .png; and a valid 30000x10 PNG.
func hostileFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.jpg"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero.jpg": "/dev/zero", "fifo-link.jpg": fifo} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for name, size := range map[string]int64{"big.jpg": 4 << 30, "text.png": 300 << 20} {
		head := "\xff\xd8\xff\xe0"
		if name == "text.png" {
			head = "Dear parents, the school trip is on Friday.\n"
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(head), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, size); err != nil {
			t.Fatal(err)
		}
	}
	var strip bytes.Buffer
	if err := png.Encode(&strip, image.NewGray(image.Rect(0, 0, 30000, 10))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "strip.png"), strip.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"strip.png":     "too narrow for PhotoVet (one side is more than 10 times",
		"zero.jpg":      "not a photo file",
		"fifo-link.jpg": "not a photo file",
		"fifo.jpg":      "not a photo file",
		"big.jpg":       "too large",
		"text.png":      "not a JPEG, PNG or HEIC",
	}
}

// TestHostileFilesRefusedUnread runs a batch over hostile files beside a
// good photo: each is refused with its reason without being read (the
// whole batch reads less than 64 MB), and none hangs the batch. On the
// code before this test, the FIFOs blocked the batch for ever, /dev/zero
// was hashed for ever, the 4 GB file was hashed in full and read to 512 MB
// before it was refused, the text file was hashed and read in full, and
// the strip went on to the detectors.
func TestHostileFilesRefusedUnread(t *testing.T) {
	dir := t.TempDir()
	want := hostileFiles(t, dir)
	good := filepath.Join(dir, "ada.png")
	writeTestPhoto(t, good, widthAda, 200)
	want["ada.png"] = ""
	var paths []string
	for name := range want {
		paths = append(paths, filepath.Join(dir, name))
	}
	b := testBatch(t, testStore(t), &fakeFinder{})

	type result struct {
		photos []*Photo
		err    error
		read   int64
	}
	done := make(chan result, 1)
	go func() {
		before := bytesRead(t)
		photos, err := b.Run(context.Background(), paths)
		done <- result{photos, err, bytesRead(t) - before}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the batch is still running after 2 minutes")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Logf("the batch read %d bytes", r.read)
	if r.read > 64<<20 {
		t.Errorf("the batch read %d MB, want the hostile files refused before reading them", r.read>>20)
	}
	for _, p := range r.photos {
		name := filepath.Base(p.Path)
		reason := want[name]
		got := ""
		if !p.Error.IsZero() {
			got = p.Error.String()
		}
		t.Logf("%s: %s %s", name, p.Status, got)
		if (reason == "") != (got == "") || !strings.Contains(got, reason) {
			t.Errorf("%s: %q, want %q", name, got, reason)
		}
		if reason != "" && p.Error.Format == "{{.File}}: {{.Error}}" {
			t.Errorf("%s: the raw error %q, want a sentence the app translates", name, got)
		}
	}
}

// TestEnrollHostilePortraits enrols from a folder of portraits among which
// are links to /dev/zero and to a FIFO, and a FIFO: they are reported and
// the good portrait is enrolled. On the code before this test, enrolment
// hung for ever on the first of them.
func TestEnrollHostilePortraits(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "C1.png"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "C2"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeTestPhoto(t, filepath.Join(dir, "C2", "good.png"), widthBen, 200)
	for name, target := range map[string]string{"C2/zero.jpg": "/dev/zero", "C2/fifo.jpg": fifo} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	store := testStore(t)
	type result struct {
		enrolments []Enrolment
		err        error
	}
	done := make(chan result, 1)
	go func() {
		e, err := Enroll(context.Background(), store, &fakeFinder{}, 2, dir, nil)
		done <- result{e, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("enrolment is still running after 2 minutes")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.enrolments) != 2 {
		t.Fatalf("%d enrolments, want C1 and C2", len(r.enrolments))
	}
	for _, e := range r.enrolments {
		t.Logf("%s: used %d, problems %v, err %v", e.PersonID, e.Used, e.Problems, e.Err)
	}
	c1, c2 := r.enrolments[0], r.enrolments[1]
	if c1.Enrolled() || len(c1.Problems) != 1 || !strings.Contains(c1.Problems[0].String(), "not a photo file") {
		t.Errorf("C1 (a FIFO): %+v, want not enrolled, the FIFO reported", c1)
	}
	if !c2.Enrolled() || c2.Used != 1 || len(c2.Problems) != 2 {
		t.Errorf("C2: %+v, want enrolled from good.png, the two links reported", c2)
	}
}
