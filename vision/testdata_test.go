package vision

import "testing"

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
