package vet

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vision"
)

// BenchmarkBatch500 vets and exports 500 photos (links to the shared
// recognition photos, cycled) with the fake finder, so that it measures
// the pipeline itself: decoding, previews, the worker pool, redaction,
// clean encoding and the ledger. It reports photos per second and the
// process's peak resident memory (VmHWM), which the bounded pipeline keeps
// to a few decoded photos.
func BenchmarkBatch500(b *testing.B) {
	rec := filepath.Join(testdata.Dir(b), "recognition")
	sources, err := filepath.Glob(filepath.Join(rec, "*.jpg"))
	if err != nil || len(sources) == 0 {
		b.Fatalf("no photos in %s: %v", rec, err)
	}
	dir := b.TempDir()
	var paths []string
	for i := range 500 {
		p := filepath.Join(dir, fmt.Sprintf("photo%03d.jpg", i))
		if err := os.Symlink(sources[i%len(sources)], p); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	benchmarkVetAndExport(b, &fakeFinder{}, paths)
}

// BenchmarkRecognitionRealEngine vets and exports the shared recognition
// photos once each with the real dlib engine, one model set per core: the
// throughput a school laptop sees.
func BenchmarkRecognitionRealEngine(b *testing.B) {
	paths, err := filepath.Glob(filepath.Join(testdata.Dir(b), "recognition", "*.jpg"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no recognition photos: %v", err)
	}
	modelDir, err := vision.ModelDir()
	if err != nil {
		b.Fatal(err)
	}
	engine, err := vision.NewEngine(modelDir, 0, vision.DefaultDetectOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer engine.Close()
	benchmarkVetAndExport(b, engine, paths)
}

// benchmarkVetAndExport runs the batch over paths with finder, redacts the
// unknown faces, exports, and reports photos per second and the peak
// resident memory.
func benchmarkVetAndExport(b *testing.B, finder vision.FaceFinder, paths []string) {
	ctx := context.Background()
	store := testStore(b)
	batch := testBatch(b, store, finder)
	batch.Workers = 0
	var exported int
	start := time.Now()
	for b.Loop() {
		photos, err := batch.Run(ctx, paths)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range photos {
			p.RedactUnknown(batch.Register, batch.Job)
		}
		outcomes, err := Export(ctx, store, photos, testJob(), ExportOptions{Dir: b.TempDir(), Style: vision.RedactBlur, VettedBy: "Vera"})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outcomes {
			if o.Output != "" {
				exported++
			}
		}
	}
	elapsed := time.Since(start)
	photos := float64(b.N * len(paths))
	hwm := peakMemoryMB(b)
	b.ReportMetric(photos/elapsed.Seconds(), "photos/s")
	b.ReportMetric(hwm, "peak-MB")
	b.Logf("%d photos vetted, %d exported in %s: %.2f photos/s, peak memory (VmHWM) %.0f MB", int(photos), exported, elapsed.Round(time.Millisecond), photos/elapsed.Seconds(), hwm)
}

// peakMemoryMB reads the process's peak resident memory from /proc.
func peakMemoryMB(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
