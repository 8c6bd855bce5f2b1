package consent

import (
	"slices"
	"testing"
)

func TestR4_RepeatedMatches(t *testing.T) {
	tests := []struct {
		name      string
		nearest   []string
		distances []float64
		want      []bool
	}{
		{"no faces", nil, nil, []bool{}},
		{"different people", []string{"a", "b"}, []float64{0.4, 0.3}, []bool{false, false}},
		{"same person twice: the farther loses", []string{"a", "a", "b"}, []float64{0.45, 0.33, 0.4}, []bool{true, false, false}},
		{"three look-alikes", []string{"a", "a", "a"}, []float64{0.3, 0.2, 0.4}, []bool{true, false, true}},
		{"unmatched faces never repeat", []string{"", "", "a"}, []float64{0.9, 0.8, 0.3}, []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RepeatedMatches(tt.nearest, tt.distances); !slices.Equal(got, tt.want) {
				t.Errorf("RepeatedMatches = %v, want %v", got, tt.want)
			}
		})
	}
}
