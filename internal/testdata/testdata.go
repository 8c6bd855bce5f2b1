// Package testdata locates the project's shared test photos and ground
// truth: the directory shared/testdata beside the repository (see its
// README.md). Tests read it in place; it is never copied into the repository.
package testdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared/testdata directory, found by walking up from the
// test's working directory. A missing directory fails the test: tests that
// need the data must not pass without it.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		candidate := filepath.Join(dir, "shared", "testdata")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shared/testdata not found above the package directory: check out ../shared beside the repository")
		}
		dir = parent
	}
}
