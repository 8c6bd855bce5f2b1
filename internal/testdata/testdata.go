// Package testdata locates the project's shared test photos and ground
// truth: the directory shared/testdata beside the repository (see its
// README.md). Tests and benchmarks read it in place; it is never copied
// into the repository.
package testdata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// ErrNotFound reports that no shared/testdata directory is above the
// working directory.
var ErrNotFound = errors.New("shared/testdata not found above the working directory: check out ../shared beside the repository")

// Dir returns the shared/testdata directory, found by walking up from the
// test's working directory. A missing directory fails the test: tests that
// need the data must not pass without it.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := Locate()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Locate returns the shared/testdata directory, found by walking up from
// the working directory, or ErrNotFound.
func Locate() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "shared", "testdata")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNotFound
		}
		dir = parent
	}
}
