package vision

import (
	"image"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestTileGrid: tiles stay under the pixel budget, cover the scan,
// overlap their neighbours by at least the overlap, and their cores
// split the scan with no gap and no pixel twice.
func TestTileGrid(t *testing.T) {
	tests := []struct {
		name  string
		r     image.Rectangle
		tiles int
	}{
		{"fits in one call", image.Rect(0, 0, 1400, 1000), 1},
		{"12 MP fine scan with its border", image.Rect(-96, -96, 2804, 2127), 4},
		{"portrait", image.Rect(-96, -96, 2127, 2804), 4},
		{"square scan", image.Rect(-96, -96, 2400, 2400), 4},
		{"panorama strip", image.Rect(0, 0, 9000, 600), 3},
		{"offset sub-image", image.Rect(500, 300, 3500, 2300), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			grid := tileGrid(tc.r, maxTilePixels, tileOverlap)
			if len(grid) != tc.tiles {
				t.Errorf("%d tiles, want %d", len(grid), tc.tiles)
			}
			cover := map[image.Point]int{}
			for _, tl := range grid {
				if len(grid) > 1 && float64(tl.rect.Dx())*float64(tl.rect.Dy()) > maxTilePixels {
					t.Errorf("tile %v has %d px, over %g", tl.rect, tl.rect.Dx()*tl.rect.Dy(), maxTilePixels)
				}
				if !tl.rect.In(tc.r) || !tl.core.In(tl.rect) {
					t.Errorf("tile %v (core %v) outside the scan %v or its tile", tl.rect, tl.core, tc.r)
				}
				for _, o := range grid {
					sameRow, sameColumn := o.rect.Min.Y == tl.rect.Min.Y, o.rect.Min.X == tl.rect.Min.X
					next := sameRow && o.rect.Min.X > tl.rect.Min.X || sameColumn && o.rect.Min.Y > tl.rect.Min.Y
					if !next {
						continue
					}
					shared := o.rect.Intersect(tl.rect)
					if sameRow && shared.Dx() < tileOverlap && o.rect.Min.X < tl.rect.Max.X+tileOverlap ||
						sameColumn && shared.Dy() < tileOverlap && o.rect.Min.Y < tl.rect.Max.Y+tileOverlap {
						// A neighbour (not one further along) shares too little.
						if isNeighbour(grid, tl, o) {
							t.Errorf("tiles %v and %v share %v, want at least %d px", tl.rect, o.rect, shared.Size(), tileOverlap)
						}
					}
				}
				// Sample the core on a coarse lattice: every point once.
				for y := tc.r.Min.Y; y < tc.r.Max.Y; y += 37 {
					for x := tc.r.Min.X; x < tc.r.Max.X; x += 37 {
						if image.Pt(x, y).In(tl.core) {
							cover[image.Pt(x, y)]++
						}
					}
				}
			}
			for y := tc.r.Min.Y; y < tc.r.Max.Y; y += 37 {
				for x := tc.r.Min.X; x < tc.r.Max.X; x += 37 {
					if n := cover[image.Pt(x, y)]; n != 1 {
						t.Fatalf("point (%d,%d) in %d cores, want 1", x, y, n)
					}
				}
			}
		})
	}
}

// TestTileAnswers: a tile answers for a face whose centre is in its core
// unless the face reaches one of its inner edges; the scan's own edges
// are not inner.
func TestTileAnswers(t *testing.T) {
	scan := image.Rect(0, 0, 2000, 1000)
	tl := tile{rect: image.Rect(0, 0, 1128, 1000), core: image.Rect(0, 0, 1000, 1000)}
	tests := []struct {
		name string
		box  image.Rectangle
		want bool
	}{
		{"inside the core", image.Rect(400, 400, 500, 520), true},
		{"at the scan's left edge", image.Rect(-30, 400, 60, 520), true},
		{"centre past the core", image.Rect(960, 400, 1080, 520), false},
		{"centre in the core, cut by the inner edge", image.Rect(800, 300, 1127, 700), false},
		{"centre in the core, box past the inner edge", image.Rect(700, 300, 1200, 700), false},
		{"near the inner edge, whole", image.Rect(880, 400, 1080, 600), true},
	}
	for _, tc := range tests {
		if got := tl.answers(tc.box, scan); got != tc.want {
			t.Errorf("%s: answers(%v) = %v, want %v", tc.name, tc.box, got, tc.want)
		}
	}
}

// TestTiledScanFindsWholeScanFaces compares the fine scan of three crowds
// (12 MP photos of a hundred faces from the detection sets) run in tiles
// with the same scan run whole: every face the whole scan finds at up to
// tileOverlap px is found by the tiles in the same place, and the tiles
// add nothing the whole scan did not find.
func TestTiledScanFindsWholeScanFaces(t *testing.T) {
	e := testEngine(t)
	w := testWorker(t, e)
	opts := DefaultDetectOptions()
	var whole, kept, lost, added int
	err := testdata.ComposeCrowds(testdata.Dir(t), 3, func(c testdata.Crowd) error {
		p, err := crowdPhoto(c)
		if err != nil {
			return err
		}
		scaled, _, _ := resized(p.Image, opts.scales(p.Width, p.Height)[0])
		scan := mirrored(scaled, borderFor(scaled, false))
		if n := len(tileGrid(scan.Rect, maxTilePixels, tileOverlap)); n < 2 {
			t.Fatalf("the fine scan %v runs in %d tile, want several", scan.Rect, n)
		}
		one, err := w.detector.detect(scan, float32(opts.Threshold))
		if err != nil {
			return err
		}
		tiled, err := w.detector.detectTiled(scan, float32(opts.Threshold))
		if err != nil {
			return err
		}
		one, tiled = suppress(one, 0.4), suppress(tiled, 0.4)
		for _, f := range one {
			if f.Box.Dy() > tileOverlap {
				continue
			}
			whole++
			best := 0.0
			for _, g := range tiled {
				best = max(best, IoU(f.Box, g.Box))
			}
			if best >= 0.8 {
				kept++
			} else {
				lost++
				t.Logf("whole scan's face %v (score %.2f) found by the tiles at IoU %.2f at best", f.Box, f.Score, best)
			}
		}
		for _, g := range tiled {
			near := false
			for _, f := range one {
				near = near || IoU(f.Box, g.Box) >= 0.5
			}
			if !near {
				added++
				t.Logf("the tiles found %v (score %.2f), the whole scan not", g.Box, g.Score)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("faces of the whole scans up to %d px: %d, found alike by the tiles %d, lost %d; added by the tiles %d", tileOverlap, whole, kept, lost, added)
	if lost > 0 || kept == 0 {
		t.Errorf("the tiles lost %d of %d faces", lost, whole)
	}
}

// isNeighbour reports whether b is the next tile after a in its row or
// column: no tile of the grid starts between them.
func isNeighbour(grid []tile, a, b tile) bool {
	for _, c := range grid {
		if a.rect.Min.Y == b.rect.Min.Y && c.rect.Min.Y == a.rect.Min.Y && c.rect.Min.X > a.rect.Min.X && c.rect.Min.X < b.rect.Min.X {
			return false
		}
		if a.rect.Min.X == b.rect.Min.X && c.rect.Min.X == a.rect.Min.X && c.rect.Min.Y > a.rect.Min.Y && c.rect.Min.Y < b.rect.Min.Y {
			return false
		}
	}
	return true
}
