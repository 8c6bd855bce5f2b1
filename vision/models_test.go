package vision

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckModels(t *testing.T) {
	real, err := ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	files, err := CheckModels(real)
	if err != nil {
		t.Fatalf("the model cache %s must verify (make test fetches it): %v", real, err)
	}
	if len(files) != 4 {
		t.Fatalf("CheckModels lists %d files, want 4", len(files))
	}

	// A cache with one truncated file and one missing file.
	dir := t.TempDir()
	for i, f := range files {
		switch i {
		case 0:
			data, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f.Name), data[:len(data)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		case 1:
			// missing
		default:
			if err := os.Symlink(f.Path, filepath.Join(dir, f.Name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := CheckModels(dir)
	if err == nil {
		t.Fatal("CheckModels accepted a truncated and a missing model")
	}
	if !errors.Is(got[0].Err, ErrModelMismatch) {
		t.Errorf("truncated file: err = %v, want ErrModelMismatch", got[0].Err)
	}
	if !errors.Is(got[1].Err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want not exist", got[1].Err)
	}
	if got[2].Err != nil {
		t.Errorf("intact file: err = %v", got[2].Err)
	}
}

// TestEngineRefusesBadModels breaks each model file in turn (missing,
// truncated, replaced by another file of the same name) and checks that
// no engine is made, so that nothing is vetted without a detector, and
// that the error names the file and the fix.
func TestEngineRefusesBadModels(t *testing.T) {
	real, err := ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	files, err := CheckModels(real)
	if err != nil {
		t.Fatal(err)
	}
	for _, broken := range files {
		for _, damage := range []string{"missing", "truncated", "replaced"} {
			t.Run(broken.Name+"/"+damage, func(t *testing.T) {
				dir := t.TempDir()
				for _, f := range files {
					dst := filepath.Join(dir, f.Name)
					if f.Name != broken.Name {
						if err := os.Symlink(f.Path, dst); err != nil {
							t.Fatal(err)
						}
						continue
					}
					switch damage {
					case "truncated":
						data, err := os.ReadFile(f.Path)
						if err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(dst, data[:len(data)/2], 0o644); err != nil {
							t.Fatal(err)
						}
					case "replaced":
						if err := os.WriteFile(dst, []byte("not a model"), 0o644); err != nil {
							t.Fatal(err)
						}
					}
				}
				e, err := NewEngine(dir, 1, DefaultDetectOptions())
				if err == nil {
					e.Close()
					t.Fatal("engine made with a broken model")
				}
				path := filepath.Join(dir, broken.Name)
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "scripts/setup.sh") {
					t.Errorf("error %q does not name %s and the fix", err, path)
				}
			})
		}
	}
}

func TestBundledModelDir(t *testing.T) {
	root := t.TempDir()
	installed := filepath.Join(root, "usr", "local", "bin", "photovet")
	if err := os.MkdirAll(filepath.Dir(installed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(installed, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	// A desktop's "Open with" or a user's ~/bin may start the program
	// through a link: the models are where the package put the program.
	link := filepath.Join(root, "home", "bin", "photovet")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(installed, link); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, "usr", "local", "share", "photovet", "models")
	for _, tc := range []struct{ name, exe, want string }{
		{"system install", installed, want},
		{"started through a link", link, want},
		{"user install", "/home/ann/.local/bin/photovet", "/home/ann/.local/share/photovet/models"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := BundledModelDir(tc.exe); got != tc.want {
				t.Errorf("BundledModelDir(%s) = %s, want %s", tc.exe, got, tc.want)
			}
		})
	}
}
