package vet

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/photovet/photovet/vision"
)

// FaceRef names one face of a batch: photos[Photo].Faces[Face].
type FaceRef struct {
	Photo, Face int
}

// FaceGroup is faces of a batch that look like one person whom nobody
// identified: "this person is in 14 photos". A group is a proposal for the
// reviewer, never a decision: naming or hiding it is one edit per face,
// each decided by the rules (R4, R8).
type FaceGroup struct {
	// Faces are the group's faces, in batch order, at most one per photo.
	Faces []FaceRef
	// Representative is the face to show for the group: its largest.
	Representative FaceRef
}

// How alike faces must be to be grouped. Every two faces of a group lie
// within GroupDistance, and no face outside a group comes nearer to any
// of its faces than the group's widest pair plus GroupMargin (the
// matcher's margin): a group another face nearly belongs to may hold the
// wrong one of two look-alikes, and falls apart. A wrong group shows the
// reviewer the wrong child's face under a name, so both are strict,
// measured on the bands of idols.json as classes (TestGroupIdols): at 0.3
// and 0.06, 28 groups and no pair of different people; at 0.35, one wrong
// pair in 19 groups. dlib's descriptors put different people as near as
// one person's photos often enough that few faces group at all.
const (
	GroupDistance = 0.3
	GroupMargin   = 0.06
)

// GroupUnknownFaces groups the unknown faces of a batch (Face.Unknown: no
// one identified, nobody reviewed them) that have a descriptor from this
// batch: see FaceGroup and the constants for what makes a group. Faces that
// join no group are groups of one. Largest group first, then in batch
// order. The groups hold no descriptor and live as long as the caller
// keeps them: nothing is stored (R9). It stops early, returning ctx's
// error, when ctx is cancelled.
func GroupUnknownFaces(ctx context.Context, photos []*Photo) ([]FaceGroup, error) {
	var faces []groupedFace
	for i, p := range photos {
		if p == nil {
			continue
		}
		for j, f := range p.Faces {
			if d, ok := f.Descriptor(); ok && f.Unknown() {
				faces = append(faces, groupedFace{ref: FaceRef{i, j}, descriptor: d, height: f.Box.Dy()})
			}
		}
	}
	return groupFaces(ctx, faces, GroupDistance, GroupMargin)
}

// groupedFace is one face to group.
type groupedFace struct {
	ref        FaceRef
	descriptor vision.Descriptor
	height     int
}

// neighbour is a face near another, by index, and their distance.
type neighbour struct {
	face     int
	distance float64
}

// groupFaces groups faces by complete linkage: the nearest pairs first,
// two groups merge when every pair across them lies within distance and
// no photo has two faces in the result; then every group that does not
// stand apart from the other faces by margin falls apart (see
// GroupDistance and GroupMargin).
func groupFaces(ctx context.Context, faces []groupedFace, distance, margin float64) ([]FaceGroup, error) {
	n := len(faces)
	// near[i] holds the faces within distance+margin of face i, the only
	// ones the rules below ask about.
	near := make([][]neighbour, n)
	type pair struct {
		a, b     int
		distance float64
	}
	var pairs []pair
	for i := range n {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for j := i + 1; j < n; j++ {
			d := vision.Distance(faces[i].descriptor, faces[j].descriptor)
			if d > distance+margin {
				continue
			}
			near[i] = append(near[i], neighbour{j, d})
			near[j] = append(near[j], neighbour{i, d})
			if d <= distance && faces[i].ref.Photo != faces[j].ref.Photo {
				pairs = append(pairs, pair{i, j, d})
			}
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int { return cmp.Compare(x.distance, y.distance) })
	between := func(i, j int) float64 {
		for _, nb := range near[i] {
			if nb.face == j {
				return nb.distance
			}
		}
		return math.Inf(1)
	}
	group := make([]int, n) // the group each face is in, by the index of its first face
	members := make([][]int, n)
	for i := range n {
		group[i], members[i] = i, []int{i}
	}
	for _, p := range pairs {
		ga, gb := group[p.a], group[p.b]
		if ga == gb || !linkable(faces, members[ga], members[gb], between, distance) {
			continue
		}
		keep, gone := min(ga, gb), max(ga, gb)
		for _, f := range members[gone] {
			group[f] = keep
		}
		members[keep], members[gone] = append(members[keep], members[gone]...), nil
	}
	// A group that another face comes nearly as near to is ambiguous: it
	// may hold the wrong one of two look-alikes. It falls apart.
	for g, m := range members {
		if len(m) > 1 && !standsApart(m, group, g, between, near, margin) {
			for _, f := range m {
				group[f], members[f] = f, []int{f}
			}
			if !slices.Contains(m, g) {
				members[g] = nil
			}
		}
	}
	var groups []FaceGroup
	for _, m := range members {
		if len(m) == 0 {
			continue
		}
		slices.Sort(m)
		g := FaceGroup{}
		largest := m[0]
		for _, f := range m {
			g.Faces = append(g.Faces, faces[f].ref)
			if faces[f].height > faces[largest].height {
				largest = f
			}
		}
		g.Representative = faces[largest].ref
		groups = append(groups, g)
	}
	slices.SortStableFunc(groups, func(x, y FaceGroup) int { return len(y.Faces) - len(x.Faces) })
	return groups, nil
}

// linkable reports whether groups a and b may become one: no photo twice,
// every pair across them within distance.
func linkable(faces []groupedFace, a, b []int, between func(i, j int) float64, distance float64) bool {
	for _, i := range a {
		for _, j := range b {
			if faces[i].ref.Photo == faces[j].ref.Photo || between(i, j) > distance {
				return false
			}
		}
	}
	return true
}

// standsApart reports whether every face outside group g (members m) lies
// farther from each of its faces than the group's widest pair plus margin.
func standsApart(m []int, group []int, g int, between func(i, j int) float64, near [][]neighbour, margin float64) bool {
	widest := 0.0
	for x, i := range m {
		for _, j := range m[x+1:] {
			widest = math.Max(widest, between(i, j))
		}
	}
	for _, f := range m {
		for _, nb := range near[f] {
			if group[nb.face] != g && nb.distance < widest+margin {
				return false
			}
		}
	}
	return true
}
