package vision

import (
	"bufio"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/internal/testdata"
)

// BenchmarkLoadAtLimit loads the largest photos Load accepts, about
// MaxPixels each, and reports the process's peak memory while loading
// (VmHWM, reset before each, so each figure is its own load's peak):
// baseline and progressive JPEG (the progressive one turned by EXIF
// orientation 6, which costs another copy), 8-bit RGB and 16-bit RGBA
// PNG, and a HEIC grid of 9x9 tiles (88 MP).
func BenchmarkLoadAtLimit(b *testing.B) {
	dir := b.TempDir()
	td := testdata.Dir(b)
	photo, err := Load(filepath.Join(td, "recognition", "pristin.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	big := imaging.Resize(photo.Image, 10_000, 10_000, imaging.Linear) // exactly MaxPixels
	write := func(name string, encode func(f *os.File) error) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := encode(f); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return path
	}
	baseline := write("baseline.jpg", func(f *os.File) error { return jpeg.Encode(f, big, &jpeg.Options{Quality: 90}) })
	progressive := filepath.Join(dir, "progressive.jpg")
	for _, cmd := range [][]string{
		{"convert", baseline, "-interlace", "Plane", progressive},
		{"exiftool", "-q", "-overwrite_original", "-Orientation#=6", progressive},
	} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", cmd, err, out)
		}
	}
	rgb := write("rgb.png", func(f *os.File) error {
		return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, opaque{big})
	})
	rgba16 := write("rgba16.png", func(f *os.File) error {
		return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, wide{big})
	})
	tile := exampleTile(b, 2)
	grid := write("grid.heic", func(f *os.File) error {
		_, err := f.Write(writeHEIF(testItem{id: 1, typ: "grid", data: gridData(9, 9, 9*1280, 9*854),
			props: [][]byte{ispe(9*1280, 9*854)}, dimg: repeat(2, 81)}, tile))
		return err
	})
	big, photo = nil, nil

	for _, c := range []struct{ name, path string }{
		{"jpeg-baseline-100MP", baseline},
		{"jpeg-progressive-turned-100MP", progressive},
		{"png-rgb8-100MP", rgb},
		{"png-rgba16-100MP", rgba16},
		{"heic-grid-88MP", grid},
	} {
		b.Run(c.name, func(b *testing.B) {
			info, err := os.Stat(c.path)
			if err != nil {
				b.Fatal(err)
			}
			var peak, base float64
			var took time.Duration
			for b.Loop() {
				runtime.GC()
				debug.FreeOSMemory()
				if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
					b.Fatal(err)
				}
				base = memoryMB(b, "VmRSS:")
				start := time.Now()
				p, err := Load(c.path)
				took = time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				peak = memoryMB(b, "VmHWM:")
				b.Logf("%s: %d MB file, %dx%d, loaded in %s, peak %.0f MB (%.0f MB before)",
					c.name, info.Size()>>20, p.Width, p.Height, took.Round(time.Millisecond), peak, base)
			}
			b.ReportMetric(peak, "peak-MB")
			b.ReportMetric(peak-base, "load-MB")
		})
	}
}

// memoryMB reads a memory figure (VmRSS:, VmHWM:) of the process from /proc.
func memoryMB(b *testing.B, field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// opaque shows an NRGBA image as RGB: the PNG encoder then writes 8-bit
// RGB, as cameras and phones do.
type opaque struct{ *image.NRGBA }

func (o opaque) Opaque() bool { return true }

// wide shows an NRGBA image as 16-bit RGBA with some transparency: the
// PNG encoder then writes 16-bit RGBA, the largest PNG per pixel.
type wide struct{ *image.NRGBA }

func (w wide) ColorModel() color.Model { return color.NRGBA64Model }

func (w wide) At(x, y int) color.Color {
	c := w.NRGBAAt(x, y)
	return color.NRGBA64{uint16(c.R) * 257, uint16(c.G) * 257, uint16(c.B) * 257, 0xFFFE}
}

func (w wide) Opaque() bool { return false }
