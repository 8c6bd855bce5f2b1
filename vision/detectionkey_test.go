package vision

import "testing"

// TestDetectionKey: every option that can move a box or its score gives
// another key; the threads, which change neither, keep it.
func TestDetectionKey(t *testing.T) {
	base := DefaultDetectOptions()
	tests := []struct {
		name    string
		change  func(*DetectOptions)
		sameKey bool
	}{
		{"fine scan", func(o *DetectOptions) { o.FinePixels = 4e6 }, false},
		{"upscale", func(o *DetectOptions) { o.MaxUpscale = 2 }, false},
		{"budget", func(o *DetectOptions) { o.TotalPixels = 8e6 }, false},
		{"coarse scan", func(o *DetectOptions) { o.CoarseSide = 640 }, false},
		{"gap scan", func(o *DetectOptions) { o.GapRatio = 0 }, false},
		{"threshold", func(o *DetectOptions) { o.Threshold = 0.5 }, false},
		{"edge threshold", func(o *DetectOptions) { o.EdgeThreshold = 0.2 }, false},
		{"candidates' threshold", func(o *DetectOptions) { o.CandidateThreshold = 0.05 }, false},
		{"candidates' size", func(o *DetectOptions) { o.CandidateSide = 40 }, false},
		{"closer scale", func(o *DetectOptions) { o.CloserScale = 2 }, false},
		{"closer threshold", func(o *DetectOptions) { o.CloserThreshold = 0.2 }, false},
		{"closer face", func(o *DetectOptions) { o.MinCloserFace = 10 }, false},
		{"threads", func(o *DetectOptions) { o.Threads = 2 }, true},
	}
	for _, tt := range tests {
		o := base
		tt.change(&o)
		if same := o.detectionKey() == base.detectionKey(); same != tt.sameKey {
			t.Errorf("%s changed: same key %v, want %v", tt.name, same, tt.sameKey)
		}
	}
	if base.detectionKey() != DefaultDetectOptions().detectionKey() {
		t.Error("the key of the same options differs between calls")
	}
}
