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
// identified: "this person is in 14 photos", or that the matcher
// recognised as one person, which the reviewer confirms for them all at
// once. A group is a proposal for the reviewer, never a decision: naming
// or hiding it is one edit per face, each decided by the rules (R4, R8).
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

// GroupFacesToDecide groups the faces of a batch that wait for the
// reviewer and have a descriptor from this batch: the unknown ones
// (Face.Unknown) as FaceGroup and the constants say, and the faces the
// matcher recognised as one person (Face.ToConfirm) as that person's
// group, one face a photo. Faces that join no group are groups of one.
// Largest group first; of groups as large, a recognised person's first,
// then the one with the larger face. The groups hold no descriptor and
// live as long as the caller keeps them: nothing is stored (R9). It stops
// early, returning ctx's error, when ctx is cancelled.
func GroupFacesToDecide(ctx context.Context, photos []*Photo) ([]FaceGroup, error) {
	var faces []groupedFace
	byPerson := map[string][]groupedFace{}
	var people []string
	for i, p := range photos {
		if p == nil {
			continue
		}
		// A photo shows a person once: of its faces recognised as one
		// person only the nearest joins the person's group.
		nearest := map[string]int{}
		for j, f := range p.Faces {
			if who := f.Decision.Recognised; f.ToConfirm() {
				if k, ok := nearest[who]; !ok || f.Distance < p.Faces[k].Distance {
					nearest[who] = j
				}
			}
		}
		for j, f := range p.Faces {
			d, ok := f.Descriptor()
			if !ok || !f.Undecided() {
				continue
			}
			face := groupedFace{ref: FaceRef{i, j}, descriptor: d, height: f.Box.Dy()}
			if who := f.Decision.Recognised; f.ToConfirm() && nearest[who] == j {
				if _, seen := byPerson[who]; !seen {
					people = append(people, who)
				}
				byPerson[who] = append(byPerson[who], face)
				continue
			}
			faces = append(faces, face)
		}
	}
	clustered, err := groupFaces(ctx, faces, GroupDistance, GroupMargin)
	if err != nil {
		return nil, err
	}
	var groups []FaceGroup
	for _, who := range people {
		groups = append(groups, newFaceGroup(byPerson[who]))
	}
	groups = append(groups, clustered...)
	// Of groups as large, a recognised person first (one click confirms
	// them), then the larger face: a tiny false detection in the leaves
	// is the last thing a teacher should meet first.
	face := func(r FaceRef) Face { return photos[r.Photo].Faces[r.Face] }
	rank := func(g FaceGroup) int {
		if face(g.Representative).ToConfirm() {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(groups, func(x, y FaceGroup) int {
		return cmp.Or(len(y.Faces)-len(x.Faces), rank(x)-rank(y), face(y.Representative).Box.Dy()-face(x.Representative).Box.Dy())
	})
	return groups, nil
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
		in := make([]groupedFace, len(m))
		for k, f := range m {
			in[k] = faces[f]
		}
		groups = append(groups, newFaceGroup(in))
	}
	slices.SortStableFunc(groups, func(x, y FaceGroup) int { return len(y.Faces) - len(x.Faces) })
	return groups, nil
}

// newFaceGroup makes a group of faces, in their order, shown by the
// largest.
func newFaceGroup(faces []groupedFace) FaceGroup {
	g := FaceGroup{}
	largest := 0
	for k, f := range faces {
		g.Faces = append(g.Faces, f.ref)
		if f.height > faces[largest].height {
			largest = k
		}
	}
	g.Representative = faces[largest].ref
	return g
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
