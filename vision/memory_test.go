package vision

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestCNNTiles checks the tiling of the CNN's input: tiles cover the
// photo, stay within the pixel budget once resized, and overlap by the
// overlap asked for.
func TestCNNTiles(t *testing.T) {
	for _, tc := range []struct {
		bounds       image.Rectangle
		scale, max   float64
		overlap      int
		wantOneTile  bool
		wantMinTiles int
	}{
		{image.Rect(0, 0, 540, 810), 2.62, 0.5e6, 160, false, 4},
		{image.Rect(0, 0, 1000, 1000), 1.73, 0.5e6, 160, false, 4},
		{image.Rect(0, 0, 500, 375), 3, 0.5e6, 160, false, 2},
		{image.Rect(0, 0, 4000, 3000), 0.17, 0.5e6, 160, true, 1},
		{image.Rect(10, 20, 640, 480), 2.5, 0.5e6, 160, false, 2},
		{image.Rect(0, 0, 6000, 40), 3, 0.5e6, 160, false, 2}, // a strip
		{image.Rect(0, 0, 1000, 1000), 3, 0, 160, true, 1},    // no budget: whole
	} {
		tiles := cnnTiles(tc.bounds, tc.scale, tc.max, tc.overlap)
		if tc.wantOneTile != (len(tiles) == 1) || len(tiles) < tc.wantMinTiles {
			t.Errorf("%v x%.2f: %d tiles", tc.bounds, tc.scale, len(tiles))
		}
		if len(tiles) == 1 {
			if tiles[0] != tc.bounds {
				t.Errorf("%v: one tile %v, want the whole", tc.bounds, tiles[0])
			}
			continue
		}
		for _, tile := range tiles {
			if !tile.In(tc.bounds) || tile.Empty() {
				t.Errorf("%v: tile %v outside or empty", tc.bounds, tile)
			}
			if px := float64(tile.Dx()) * float64(tile.Dy()) * tc.scale * tc.scale; px > tc.max*1.02 {
				t.Errorf("%v x%.2f: tile %v is %.0f pixels resized, budget %.0f", tc.bounds, tc.scale, tile, px, tc.max)
			}
		}
		// Every square of the overlap's size lies whole inside some tile.
		side := int(float64(tc.overlap)/tc.scale) - 1
		for y := tc.bounds.Min.Y; y+side <= tc.bounds.Max.Y; y += 7 {
			for x := tc.bounds.Min.X; x+side <= tc.bounds.Max.X; x += 7 {
				sq := image.Rect(x, y, x+min(side, tc.bounds.Dx()), y+min(side, tc.bounds.Dy()))
				inside := false
				for _, tile := range tiles {
					inside = inside || sq.In(tile)
				}
				if !inside {
					t.Fatalf("%v x%.2f: square %v is in no tile %v", tc.bounds, tc.scale, sq, tiles)
				}
			}
		}
	}
}

// TestCNNMemoryBounded runs the engine on a small photo, which the CNN
// scans enlarged to 3 MP: in tiles of 0.5 MP, and with its last layer
// computed without unrolling, one call must stay far below the 2.9 GB
// that one untiled 3 MP pass took, and the network must not keep its
// buffers afterwards.
func TestCNNMemoryBounded(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatalf("cannot reset the peak memory (Linux only): %v", err)
	}
	dir, err := ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(dir, 1, DefaultDetectOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p, err := Load(filepath.Join(testdata.Dir(t), "recognition", "tzuyu.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			t.Fatal(err)
		}
		before := peakRSS()
		faces, err := e.Find(context.Background(), p)
		if err != nil || len(faces) != 1 {
			t.Fatalf("Find: %d faces, %v; want 1", len(faces), err)
		}
		grew := peakRSS() - before
		t.Logf("call %d: peak memory %.0f MB above the %.0f MB before", i+1, grew, before)
		if grew > 500 {
			t.Errorf("call %d: peak memory grew by %.0f MB, want under 500 MB", i+1, grew)
		}
	}
}
