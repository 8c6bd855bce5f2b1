package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestParseInterspersed parses command lines with flags among and after
// the positional arguments. On the code before this test, "--" protected
// only the argument after it: "-- -a.jpg -b.jpg" failed on -b.jpg.
func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args        []string
		wantArgs    []string
		wantChannel string
		wantJSON    bool
		wantErr     bool
	}{
		{[]string{"S-1", "--channel", "x"}, []string{"S-1"}, "x", false, false},
		{[]string{"--json", "a.jpg", "--channel=x", "b.jpg"}, []string{"a.jpg", "b.jpg"}, "x", true, false},
		{[]string{"--channel", "x", "--", "-a.jpg", "-b.jpg", "--json", "--", "c.jpg"}, []string{"-a.jpg", "-b.jpg", "--json", "--", "c.jpg"}, "x", false, false},
		{[]string{"a.jpg", "--", "--channel", "y"}, []string{"a.jpg", "--channel", "y"}, "", false, false},
		{[]string{"--channel", "--", "a.jpg"}, []string{"a.jpg"}, "--", false, false}, // a value, as the flag package reads it
		{[]string{"-", "--json"}, []string{"-"}, "", true, false},
		{[]string{"a.jpg", "--nope"}, nil, "", false, true},
		{[]string{"a.jpg", "--channel"}, nil, "", false, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			channel := fs.String("channel", "", "")
			asJSON := fs.Bool("json", false, "")
			got, err := parseInterspersed(fs, tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (!slices.Equal(got, tt.wantArgs) || *channel != tt.wantChannel || *asJSON != tt.wantJSON) {
				t.Errorf("got %q, channel %q, json %v; want %q, %q, %v", got, *channel, *asJSON, tt.wantArgs, tt.wantChannel, tt.wantJSON)
			}
		})
	}
}

// TestVetHostileInputCLI vets a folder of hostile files and a path that
// does not exist. Each file is reported, none hangs the batch, a name with
// a newline cannot fake a line of the output, and the missing path is an
// error naming it (exit 1). On the code before this test, the links to a
// FIFO and to /dev/zero hung the batch for ever, and a missing path was
// "skipped, not a photo" with exit 0.
func TestVetHostileInputCLI(t *testing.T) {
	data, dir, out, elsewhere := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	fifo := filepath.Join(elsewhere, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.jpg"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero.jpg": "/dev/zero", "fifo.jpg": fifo} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	fake := "fake\nexported 9 of 9 photos to x\nfailed: 0\n.jpg"
	for name, content := range map[string]string{fake: "not a photo\n", "notes\n  fake.txt": "a note\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(elsewhere, "no such folder")

	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := runCLI(context.Background(), []string{"vet", "--data", data, "--channel", "website", "--unit", "school",
			"--photographer", "Pia Photo", "--photographer-channels", "website", "--out", out, "--vetted-by", "Vera",
			dir, missing}, &stdout, &stderr)
		done <- result{code, stdout.String(), stderr.String()}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("photovet vet still running after 5 minutes")
	}
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	// The summary: its first line, "failed: 3" and the three photos.
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 5 || lines[0] != "exported 0 of 3 photos to "+out || lines[1] != "failed: 3" {
		t.Errorf("summary of %d lines, want 5: exported 0 of 3, failed: 3, and one line per photo", len(lines))
	}
	for _, want := range []string{
		printable(filepath.Join(dir, fake)) + ": not a JPEG, PNG or HEIC image",
		filepath.Join(dir, "zero.jpg") + ": not a photo file",
		filepath.Join(dir, "fifo.jpg") + ": not a photo file",
	} {
		if !strings.Contains(r.stdout, "\n  "+want) {
			t.Errorf("summary does not list %q", want)
		}
	}
	for _, line := range strings.Split(r.stderr, "\n") {
		if line != "" && !strings.HasPrefix(line, "photovet vet: ") && !strings.HasPrefix(line, "[") {
			t.Errorf("stderr line %q is not one of photovet's", line)
		}
	}
	for _, want := range []string{
		"skipped, not a photo: " + printable(filepath.Join(dir, "notes\n  fake.txt")),
		"skipped, not a photo: " + filepath.Join(dir, "pipe.jpg"),
		missing + ": no such file or directory",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q", want)
		}
	}
}

// TestPrintInspectQuotes prints a report whose file name and EXIF fields
// hold newlines: they are quoted, and the report keeps its lines. On the
// code before this test, the newlines printed as they are.
func TestPrintInspectQuotes(t *testing.T) {
	var buf bytes.Buffer
	printInspect(&buf, inspectResult{
		File: "trip\nfaces: 0\n.jpg", Width: 640, Height: 480,
		Metadata: &inspectMetadata{Artist: "Pia\n  faces: 0", Camera: "\x1b[2Jphone"},
	})
	t.Logf("\n%s", buf.String())
	want := `"trip\nfaces: 0\n.jpg": 640x480
  metadata: camera "\x1b[2Jphone"; artist "Pia\n  faces: 0"
  faces: 0
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
