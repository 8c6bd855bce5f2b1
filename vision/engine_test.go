package vision

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"testing"
	"time"

	"github.com/photovet/photovet/internal/testdata"
)

func TestEngineLifecycle(t *testing.T) {
	if _, err := NewEngine(t.TempDir(), 1, DefaultDetectOptions()); err == nil {
		t.Error("engine loaded from an empty model directory")
	}
	e := testEngine(t)
	if e.Workers() != 2 {
		t.Fatalf("%d workers, want 2", e.Workers())
	}
	p, err := Load(filepath.Join(testdata.Dir(t), "detection", "dlib", "2008_002506.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// All model sets busy: Find waits, and gives up with its context.
	a, _ := e.acquire(context.Background())
	b, _ := e.acquire(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Find(ctx, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Find with every worker busy: %v, want deadline exceeded", err)
	}
	e.release(a)
	e.release(b)
	faces, err := e.Find(context.Background(), p)
	if err != nil || len(faces) != 3 {
		t.Fatalf("Find: %d faces, %v; want 3", len(faces), err)
	}
	for _, f := range faces {
		if !f.Box.In(p.Image.Rect) || f.Descriptor == (Descriptor{}) {
			t.Errorf("face %+v: box outside the photo or no descriptor", f.Box)
		}
	}
	desc, err := e.Describe(context.Background(), p, faces[0].Box)
	if err != nil || Distance(desc, faces[0].Descriptor) > 1e-4 {
		t.Errorf("Describe of a found box: distance %.4f, %v", Distance(desc, faces[0].Descriptor), err)
	}
	if _, err := e.Describe(context.Background(), p, image.Rect(-50, -50, -10, -10)); err == nil {
		t.Error("Describe outside the photo accepted")
	}
	e.Close()
	if _, err := e.Find(context.Background(), p); !errors.Is(err, ErrClosed) {
		t.Errorf("Find after Close: %v, want ErrClosed", err)
	}
}
