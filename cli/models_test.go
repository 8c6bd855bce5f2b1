package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/vision"
)

func TestModelsCommand(t *testing.T) {
	t.Run("verified cache", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := runCLI(context.Background(), []string{"models"}, &stdout, &stderr); code != 0 {
			t.Fatalf("photovet models = %d, want 0; the models must be set up (make test does it):\n%s%s", code, stdout.String(), stderr.String())
		}
		if n := strings.Count(stdout.String(), " ok\n"); n != 4 {
			t.Errorf("want 4 verified model files, got %d:\n%s", n, stdout.String())
		}
	})
	t.Run("empty cache", func(t *testing.T) {
		t.Setenv("PHOTOVET_MODELS", t.TempDir())
		var stdout, stderr bytes.Buffer
		if code := runCLI(context.Background(), []string{"models"}, &stdout, &stderr); code != 1 {
			t.Fatalf("photovet models on an empty cache = %d, want 1", code)
		}
		if !strings.Contains(stdout.String(), "missing") {
			t.Errorf("stdout should name the missing files:\n%s", stdout.String())
		}
	})
	t.Run("installed package", func(t *testing.T) {
		// The layout scripts/package.sh installs: the program in PREFIX/bin and
		// the models in PREFIX/share/photovet/models, on a laptop with no
		// model cache and no PHOTOVET_MODELS.
		cache, err := vision.ModelDir()
		if err != nil {
			t.Fatal(err)
		}
		prefix := t.TempDir()
		exe := filepath.Join(prefix, "bin", "photovet")
		if out, err := exec.Command("go", "build", "-o", exe, "..").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		bundled := filepath.Join(prefix, "share", "photovet", "models")
		if err := os.MkdirAll(bundled, 0o755); err != nil {
			t.Fatal(err)
		}
		files, err := vision.CheckModels(cache)
		if err != nil {
			t.Fatalf("the model cache must verify (make test fetches it): %v", err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bundled, f.Name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		home := t.TempDir()
		cmd := exec.Command(exe, "models")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "LANG=en_US.UTF-8"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the installed photovet models: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "model cache: "+bundled+"\n") || strings.Count(string(out), " ok\n") != 4 {
			t.Errorf("the installed program does not use the models installed with it:\n%s", out)
		}
	})
}
