package vet

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
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
	benchmarkVetAndExport(b, &fakeFinder{}, benchPhotos(b, 500))
}

// BenchmarkBatchRealEngine vets and exports a batch of copies of the
// shared recognition photos (34 photos of 0.4 to 10.7 MP, cycled) with the
// real dlib engine, one model set per core: the throughput and the peak
// memory a school laptop sees. The batch has 500 photos, about 25 minutes
// on two idle cores; PHOTOVET_BENCH_PHOTOS sets another number (make bench
// BENCH_PHOTOS=68 runs each photo twice).
func BenchmarkBatchRealEngine(b *testing.B) {
	n := 500
	if v := os.Getenv("PHOTOVET_BENCH_PHOTOS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("PHOTOVET_BENCH_PHOTOS=%q: want a positive number", v)
		}
	}
	paths := benchPhotos(b, n)
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

// benchPhotos returns n links to the shared recognition photos, cycled,
// in a temporary folder.
func benchPhotos(b *testing.B, n int) []string {
	rec := filepath.Join(testdata.Dir(b), "recognition")
	sources, err := filepath.Glob(filepath.Join(rec, "*.jpg"))
	if err != nil || len(sources) == 0 {
		b.Fatalf("no photos in %s: %v", rec, err)
	}
	dir := b.TempDir()
	paths := make([]string, 0, n)
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("photo%03d.jpg", i))
		if err := os.Symlink(sources[i%len(sources)], p); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// benchmarkVetAndExport runs the batch over paths with finder, redacts the
// unknown faces, exports, and reports photos per second and the peak
// resident memory.
func benchmarkVetAndExport(b *testing.B, finder vision.FaceFinder, paths []string) {
	ctx := context.Background()
	// Each benchmark reports its own peak: reset the process's VmHWM to
	// the memory in use now (Linux 4.0 and later).
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak memory not reset, it may include earlier benchmarks: %v", err)
	}
	// The program's collector target (main sets it), so that the peak is
	// the one a laptop sees.
	defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	store := testStore(b)
	batch := testBatch(b, store, finder)
	batch.Workers = 0
	var exported int
	start, cpuStart := time.Now(), cpuSeconds(b)
	for b.Loop() {
		photos, err := batch.Run(ctx, paths)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range photos {
			p.hideUnknown()
			p.Decide(batch.Register, batch.Job)
		}
		// The same photos every round (and cycled within one): each
		// export publishes them again, so that every round writes them all.
		outcomes, err := Export(ctx, store, photos, testJob(), ExportOptions{Dir: b.TempDir(), Style: vision.RedactBlur, VettedBy: "Vera", Republish: true})
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
	cpu := (cpuSeconds(b) - cpuStart) / photos
	b.ReportMetric(photos/elapsed.Seconds(), "photos/s")
	b.ReportMetric(cpu, "cpu-s/photo")
	b.ReportMetric(hwm, "peak-MB")
	b.Logf("%d photos vetted (%d workers), %d exported in %s: %.3f photos/s, %.2f CPU seconds per photo, peak memory (VmHWM) %.0f MB",
		int(photos), workers(finder), exported, elapsed.Round(time.Millisecond), photos/elapsed.Seconds(), cpu, hwm)
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

// workers returns how many photos finder processes at once.
func workers(finder vision.FaceFinder) int {
	if e, ok := finder.(*vision.Engine); ok {
		return e.Workers()
	}
	return runtime.NumCPU()
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
