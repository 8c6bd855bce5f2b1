package vision

import (
	"context"
	"testing"
)

// testEngine loads the models for two workers with the default options;
// the engine is closed when the test ends.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	dir, err := ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(dir, 2, DefaultDetectOptions())
	if err != nil {
		t.Fatalf("face engine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// testWorker borrows one of e's model sets for the whole test, for tests
// that call a worker's parts (its detector, its describer) directly.
func testWorker(t testing.TB, e *Engine) *worker {
	t.Helper()
	w, err := e.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.release(w) })
	return w
}
