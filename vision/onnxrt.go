package vision

import (
	"errors"
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// onnxRuntime is the process's ONNX Runtime. The library keeps one
// environment per process, loaded from one shared library file, so every
// Engine shares it; this is the only package-level state in vision, and it
// mirrors state the library itself keeps globally. The environment stays
// loaded until the process ends: destroying it while another Engine's
// sessions live would crash them.
var onnxRuntime struct {
	mu   sync.Mutex
	path string // the library loaded, "" before the first load
}

// errRuntimeMismatch reports a second Engine asking for another ONNX
// Runtime library than the one the process has loaded.
var errRuntimeMismatch = errors.New("another ONNX Runtime library is already loaded in this process")

// loadRuntime loads the ONNX Runtime shared library at path (already
// verified by the caller) once per process.
func loadRuntime(path string) error {
	onnxRuntime.mu.Lock()
	defer onnxRuntime.mu.Unlock()
	if onnxRuntime.path != "" {
		if onnxRuntime.path != path {
			return fmt.Errorf("load %s: %w (%s)", path, errRuntimeMismatch, onnxRuntime.path)
		}
		return nil
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("load ONNX Runtime %s: %w", path, err)
	}
	onnxRuntime.path = path
	return nil
}

// onnxSession is one loaded network. ONNX Runtime's Run is safe for
// concurrent use, so workers share a session; each call runs on the
// caller's thread plus the session's intra-op threads.
type onnxSession struct {
	s       *ort.DynamicAdvancedSession
	outputs int
}

// newSession loads a network from model (bytes already verified against
// their recorded SHA-256, so what is checked is what runs) with the given
// number of threads per call.
func newSession(model []byte, inputs, outputs []string, threads int) (*onnxSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	// One thread per call and no spinning: the batch runs one call per
	// core already, and spinning threads would steal the other worker's core.
	if err := opts.SetIntraOpNumThreads(threads); err != nil {
		return nil, err
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	if err := opts.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
		return nil, err
	}
	// A memory pattern is planned per input shape and kept with the arena;
	// photos (and tiles) come in many shapes, and without it a session
	// held about a fifth less memory and ran no slower.
	if err := opts.SetMemPattern(false); err != nil {
		return nil, err
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model, inputs, outputs, opts)
	if err != nil {
		return nil, err
	}
	return &onnxSession{s: s, outputs: len(outputs)}, nil
}

// run feeds one float32 NCHW image and returns the outputs' data and shapes.
func (s *onnxSession) run(input []float32, n, c, h, w int) ([][]float32, []ort.Shape, error) {
	in, err := ort.NewTensor(ort.NewShape(int64(n), int64(c), int64(h), int64(w)), input)
	if err != nil {
		return nil, nil, err
	}
	defer in.Destroy()
	outs := make([]ort.Value, s.outputs)
	if err := s.s.Run([]ort.Value{in}, outs); err != nil {
		return nil, nil, err
	}
	data := make([][]float32, len(outs))
	shapes := make([]ort.Shape, len(outs))
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			for _, o := range outs {
				o.Destroy()
			}
			return nil, nil, fmt.Errorf("output %d is %v, want float32", i, o.GetONNXType())
		}
		data[i] = append([]float32(nil), t.GetData()...)
		shapes[i] = t.GetShape()
		t.Destroy()
	}
	return data, shapes, nil
}

func (s *onnxSession) close() {
	if s != nil && s.s != nil {
		s.s.Destroy()
		s.s = nil
	}
}
