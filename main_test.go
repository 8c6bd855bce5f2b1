package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuietUnderCLocale runs the built program under the C locales and
// with no locale at all: Fyne's lang package, which reads the locale when
// the program starts, must print nothing (see internal/quietlocale).
func TestQuietUnderCLocale(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "photovet")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, locale := range [][]string{
		{"LANG=C"}, {"LANG=C.UTF-8"}, {"LANG=POSIX"}, {"LANG=POSIX.UTF-8"}, {"LC_ALL=C.UTF-8", "LANG=fi_FI.UTF-8"}, nil,
	} {
		for _, args := range [][]string{{"version"}, {"help"}} {
			name := strings.Join(locale, " ")
			if name == "" {
				name = "no locale"
			}
			t.Run(name+" "+args[0], func(t *testing.T) {
				cmd := exec.Command(exe, args...)
				cmd.Env = append(append([]string{}, base...), locale...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					t.Fatalf("photovet %s: %v\n%s", args[0], err, stderr.String())
				}
				if stderr.Len() > 0 {
					t.Errorf("stderr = %q, want it empty", stderr.String())
				}
				if stdout.Len() == 0 {
					t.Error("stdout is empty")
				}
			})
		}
	}
}

func TestGUIArguments(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args     []string
		wantData string
		wantRest []string
		wantOK   bool
	}{
		{nil, "", nil, false},
		{[]string{"--data", "/tmp/reg"}, "/tmp/reg", []string{}, true},
		{[]string{"--data=/tmp/reg", dir}, "/tmp/reg", []string{dir}, true},
		{[]string{"-data", "/tmp/reg", dir}, "/tmp/reg", []string{dir}, true},
		{[]string{"vet", "--data", "x"}, "", []string{"vet", "--data", "x"}, false},
	}
	for _, tt := range tests {
		data, rest, ok := guiDataFlag(tt.args)
		if data != tt.wantData || ok != tt.wantOK || len(rest) != len(tt.wantRest) {
			t.Errorf("guiDataFlag(%q) = %q, %q, %v; want %q, %q, %v", tt.args, data, rest, ok, tt.wantData, tt.wantRest, tt.wantOK)
		}
	}
	for arg, want := range map[string]bool{dir: true, "vet": false, "./no-such-file.jpg": false} {
		if got := isPath(arg); got != want {
			t.Errorf("isPath(%q) = %v, want %v", arg, got, want)
		}
	}
}
