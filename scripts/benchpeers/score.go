package main

import (
	"image"
)

// Matching as the package tests of vision score the dev sets
// (TestDetectionRecall): a face is found when a detection overlaps it by
// IoU matchIoU or more; a detection overlapping no face by unmatchedIoU is
// unmatched. The sets do not box every face (AFW leaves out faces in a
// crowd), so an unmatched detection is not necessarily false.
const (
	matchIoU     = 0.3
	unmatchedIoU = 0.1
)

// sizeBands are the bands of face height (px of the composed photo) the
// recall is reported in.
var sizeBands = []struct {
	name string
	max  int
}{
	{"<40 px", 40},
	{"40-99 px", 100},
	{"100-299 px", 300},
	{"300+ px", 1 << 30},
}

// tally counts faces found and faces in a group of faces.
type tally struct{ found, faces int }

func (t *tally) add(found bool) {
	t.faces++
	if found {
		t.found++
	}
}

// score is how one tool's detections compare with the ground truth.
type score struct {
	detections int
	all        tally
	unmatched  int
	bySet      map[string]*tally
	bySize     map[string]*tally
	profiles   tally // AFW faces turned 60 degrees or more
}

// scoreAll scores the detections per composed photo (keyed by file)
// against the ground truth.
func scoreAll(photos []composed, found map[string][]image.Rectangle) score {
	s := score{bySet: map[string]*tally{}, bySize: map[string]*tally{}}
	for _, p := range photos {
		dets := found[p.File]
		s.detections += len(dets)
		used := make([]bool, len(dets))
		for _, face := range p.Faces {
			gt := face.rect()
			best, bestIoU := -1, 0.0
			for j, d := range dets {
				if v := iou(gt, d); v > bestIoU {
					best, bestIoU = j, v
				}
			}
			hit := bestIoU >= matchIoU
			if hit {
				used[best] = true
			}
			s.all.add(hit)
			if s.bySet[face.Set] == nil {
				s.bySet[face.Set] = &tally{}
			}
			s.bySet[face.Set].add(hit)
			for _, band := range sizeBands {
				if gt.Dy() < band.max {
					if s.bySize[band.name] == nil {
						s.bySize[band.name] = &tally{}
					}
					s.bySize[band.name].add(hit)
					break
				}
			}
			if face.Yaw != nil && *face.Yaw >= 60 {
				s.profiles.add(hit)
			}
		}
		for i, d := range dets {
			if used[i] {
				continue
			}
			near := false
			for _, face := range p.Faces {
				if iou(face.rect(), d) >= unmatchedIoU {
					near = true
					break
				}
			}
			if !near {
				s.unmatched++
			}
		}
	}
	return s
}

// iou is the intersection over union of two boxes.
func iou(a, b image.Rectangle) float64 {
	inter := a.Intersect(b)
	if inter.Empty() {
		return 0
	}
	i := inter.Dx() * inter.Dy()
	return float64(i) / float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()-i)
}
