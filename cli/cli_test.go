package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/photovet/photovet/vet"
)

// runCLI runs the command line in-process as main does: Run, then Report
// prints the error once; it returns the exit code.
func runCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	faces := vet.NewFaces(vet.LoadEngine)
	defer faces.Close()
	return Report(stderr, Run(ctx, args, Env{Stdout: stdout, Stderr: stderr, Faces: faces, Version: "test-version"}))
}

// photovetCLI runs the command line in-process and returns its exit code
// and output.
func photovetCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runCLI(context.Background(), args, &out, &errOut)
	t.Logf("photovet %s -> %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// TestRunDispatch checks exit codes and where the output goes: an empty
// want means the stream must stay empty, and an error is printed once.
func TestRunDispatch(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "photovet test-version\n", ""},
		{"--version", []string{"--version"}, 0, "photovet test-version\n", ""},
		{"help", []string{"help"}, 0, "Commands:", ""},
		{"command help", []string{"takedowns", "-h"}, 0, "Usage: photovet takedowns", ""},
		{"no command", nil, 2, "", "photovet: no command\n\nUsage: photovet"},
		{"unknown command", []string{"frobnicate"}, 2, "", "photovet: unknown command \"frobnicate\"\n\nUsage: photovet"},
		{"bad flag", []string{"models", "--nope"}, 2, "", "photovet models: flag provided but not defined: -nope\n\nUsage: photovet models"},
		{"missing argument", []string{"vet", "--channel", "website", "--data", data}, 2, "", "photovet vet: give --channel, --out and the photos\n\nUsage: photovet vet"},
		{"bad date", []string{"withdraw", "S-1", "--channel", "all", "--date", "tomorrow", "--data", data}, 2, "", "photovet withdraw: --date: "},
		{"roster without subcommand", []string{"roster"}, 2, "", "photovet roster: which roster command?"},
		{"failure", []string{"roster", "remove", "S-404", "--data", data}, 1, "", "photovet roster: \"S-404\" is not in the register\n"},
		{"unknown channel", []string{"vet", "--channel", "tiktok", "--out", t.TempDir(), "--vetted-by", "Vera", "--data", data, t.TempDir()}, 1, "", "photovet vet: unknown channel \"tiktok\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runCLI(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			for _, s := range []struct {
				name, got, want string
			}{{"stdout", stdout.String(), tt.wantStdout}, {"stderr", stderr.String(), tt.wantStderr}} {
				switch {
				case s.want == "" && s.got != "":
					t.Errorf("%s = %q, want it empty", s.name, s.got)
				case !strings.Contains(s.got, s.want):
					t.Errorf("%s = %q, want it to contain %q", s.name, s.got, s.want)
				}
			}
			if tt.wantCode != 0 {
				errorLines := 0
				for line := range strings.Lines(stderr.String()) {
					if strings.HasPrefix(line, "photovet") {
						errorLines++
					}
				}
				if errorLines != 1 {
					t.Errorf("stderr has %d error lines, want the error printed once:\n%s", errorLines, stderr.String())
				}
			}
		})
	}
}
