package vision

import (
	"bufio"
	"context"
	"image"
	"image/color"
	"image/draw"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/internal/testdata"
)

// benchPhoto composes a 4000x3000 JPEG from the shared photos: a group of
// ten (faces ~100 px), a family of three enlarged (faces ~200 px), a crowd
// enlarged (faces ~110 px), a class at original size (faces ~37 px) and a
// portrait (one large face). It returns the file's path.
func benchPhoto(b testing.TB) string {
	b.Helper()
	td := testdata.Dir(b)
	canvas := image.NewNRGBA(image.Rect(0, 0, 4000, 3000))
	draw.Draw(canvas, canvas.Rect, image.NewUniform(color.Gray{Y: 120}), image.Point{}, draw.Src)
	parts := []struct {
		file  string
		at    image.Point
		width int
	}{
		{"recognition/pristin.jpg", image.Pt(0, 0), 2100},
		{"detection/dlib/2008_002506.jpg", image.Pt(2100, 0), 1000},
		{"recognition/tzuyu.jpg", image.Pt(3150, 0), 800},
		{"detection/dlib/2007_007763.jpg", image.Pt(0, 1100), 1500},
		{"detection/dlib/2008_004176.jpg", image.Pt(1550, 1100), 480},
		{"recognition/jimin.jpg", image.Pt(2100, 1250), 1800},
	}
	for _, part := range parts {
		p, err := Load(filepath.Join(td, part.file))
		if err != nil {
			b.Fatal(err)
		}
		img := imaging.Resize(p.Image, part.width, 0, imaging.Lanczos)
		draw.Draw(canvas, img.Rect.Add(part.at), img, image.Point{}, draw.Src)
	}
	path := filepath.Join(b.TempDir(), "bench.jpg")
	writeClean(b, path, canvas)
	return path
}

// peakRSS returns the process's peak resident memory in MB (VmHWM).
func peakRSS() float64 { return statusMB("VmHWM:") }

// currentRSS returns the process's resident memory in MB (VmRSS).
func currentRSS() float64 { return statusMB("VmRSS:") }

// statusMB reads a kB field of /proc/self/status, in MB.
func statusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// processPhoto is the whole per-photo path: load, detect and describe,
// redact every face, encode.
func processPhoto(ctx context.Context, e *Engine, path string, w io.Writer) (int, error) {
	p, err := Load(path)
	if err != nil {
		return 0, err
	}
	faces, err := e.Find(ctx, p)
	if err != nil {
		return 0, err
	}
	boxes := make([]image.Rectangle, len(faces))
	for i, f := range faces {
		boxes[i] = f.Box
	}
	return len(faces), EncodeClean(w, Redact(p.Image, boxes, RedactBlur))
}

// BenchmarkPhoto measures the per-photo path on a 12 MP photo: each stage
// alone, the whole path on one worker, the throughput with one
// single-threaded worker per core (the default), and with one worker whose
// network calls use two threads.
func BenchmarkPhoto(b *testing.B) {
	path := benchPhoto(b)
	e := testEngine(b)
	ctx := context.Background()
	p, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	faces, err := e.Find(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("bench photo %dx%d: %d faces", p.Width, p.Height, len(faces))
	boxes := make([]image.Rectangle, len(faces))
	found := make([]rawDetection, len(faces))
	for i, f := range faces {
		boxes[i] = f.Box
		found[i] = rawDetection{Box: f.Box, Score: f.Score}
	}
	w, err := e.acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	opts := DefaultDetectOptions()
	stages := []struct {
		name string
		run  func() error
	}{
		{"load", func() error { _, err := Load(path); return err }},
		{"detect", func() error {
			_, err := detectFaces(ctx, w.detector, p.Image, opts)
			return err
		}},
		{"describe", func() error {
			_, err := w.describe(ctx, p.Image, found)
			return err
		}},
		{"redact", func() error { Redact(p.Image, boxes, RedactBlur); return nil }},
		{"encode", func() error { return EncodeClean(io.Discard, p.Image) }},
	}
	for _, s := range stages {
		b.Run(s.name, func(b *testing.B) {
			cpuStart := cpuSeconds(b)
			for b.Loop() {
				if err := s.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds(b)-cpuStart)/float64(b.N), "cpu-s/op")
		})
	}
	e.release(w)

	b.Run("whole", func(b *testing.B) {
		cpuStart := cpuSeconds(b)
		for b.Loop() {
			if _, err := processPhoto(ctx, e, path, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "photos/s")
		b.ReportMetric((cpuSeconds(b)-cpuStart)/float64(b.N), "cpu-s/photo")
		b.ReportMetric(peakRSS(), "peak-MB")
	})
	b.Run("parallel", func(b *testing.B) { benchParallel(b, e, path) })

	// The trade of threads: one worker using both cores for each network
	// call, against one single-threaded worker per core (the default).
	dir, err := ModelDir()
	if err != nil {
		b.Fatal(err)
	}
	threaded := DefaultDetectOptions()
	threaded.Threads = 2
	one, err := NewEngine(dir, 1, threaded)
	if err != nil {
		b.Fatal(err)
	}
	defer one.Close()
	b.Run("one-worker-two-threads", func(b *testing.B) { benchParallel(b, one, path) })
}

// benchParallel runs the whole path with one worker per model set, as the
// batch does, and reports the throughput and the process's peak memory.
func benchParallel(b *testing.B, e *Engine, path string) {
	ctx := context.Background()
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	var faces atomic.Int64
	start, cpuStart := time.Now(), cpuSeconds(b)
	for range e.Workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				n, err := processPhoto(ctx, e, path, io.Discard)
				if err != nil {
					b.Error(err)
				}
				faces.Store(int64(n))
			}
		}()
	}
	for range b.N {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "photos/s")
	b.ReportMetric((cpuSeconds(b)-cpuStart)/float64(b.N), "cpu-s/photo")
	b.ReportMetric(float64(faces.Load()), "faces")
	b.ReportMetric(float64(e.Workers()), "workers")
	b.ReportMetric(float64(runtime.NumCPU()), "cpus")
	b.ReportMetric(peakRSS(), "peak-MB")
}

// cpuSeconds returns the CPU time the process has used: on cores shared
// with other work, photos/s falls with the load, CPU seconds per photo
// hardly.
func cpuSeconds(b *testing.B) float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()).Seconds()
}
