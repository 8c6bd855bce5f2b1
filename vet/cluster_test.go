package vet

import (
	"context"
	"image"
	"math"
	"slices"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// photoWithFaces returns a decided photo whose faces have the given
// descriptors, each 50 px high plus its index (so the last is the largest).
func photoWithFaces(descriptors ...vision.Descriptor) *Photo {
	p := &Photo{Path: "p.jpg", Width: 1000, Height: 1000}
	for i, d := range descriptors {
		d := d
		p.Faces = append(p.Faces, Face{Box: image.Rect(10*i, 0, 10*i+50, 50+i), Distance: math.Inf(1), NextDistance: math.Inf(1), descriptor: &d})
	}
	p.Decide(nil, consent.Job{})
	return p
}

// along returns a unit vector on axis i moved by x along axis 127.
func along(i int, x float32) vision.Descriptor {
	d := unitVector(i)
	d[127] = x
	return d
}

// TestGroupFacesToDecide checks what makes a group: faces alike within
// GroupDistance, at most one per photo, apart from every other face by
// GroupMargin; identified or reviewed faces stay out; the largest face
// represents the group; the largest group comes first.
func TestGroupFacesToDecide(t *testing.T) {
	photos := []*Photo{
		photoWithFaces(along(0, 0), along(1, 0)),   // Ann and Bo
		photoWithFaces(along(0, 0.1), along(4, 0)), // Ann and Dee
		photoWithFaces(along(0, 0.2), along(2, 0)), // Ann, and Cy
		photoWithFaces(along(2, 0.25)),             // Cy
		photoWithFaces(along(1, 0.3)),              // Bo, reviewed below
		photoWithFaces(along(3, 0), along(3, 0.35), along(3, 0.17)),
	}
	// Bo's second face was assigned by hand: no longer unknown. (Bo is
	// in the register: a face assigned to someone who is not waits for a
	// decision again, consent.Face.InRegister.)
	photos[4].Faces[0].Review, photos[4].Faces[0].AssignedID = consent.AssignedByHand, "C2"
	bo := &consent.Person{ID: "C2", Name: "Bo Test", Role: consent.Child, Unit: consent.School}
	photos[4].Decide(&consent.Register{Settings: consent.DefaultSettings(), People: map[string]*consent.Person{"C2": bo}}, consent.Job{})
	photos = append(photos, nil) // a photo not reached by a cancelled batch
	groups, err := GroupFacesToDecide(context.Background(), photos)
	if err != nil {
		t.Fatal(err)
	}
	got := map[FaceRef]int{}
	for i, g := range groups {
		for _, f := range g.Faces {
			got[f] = i
		}
		t.Logf("group %d: %v, shown by %v", i, g.Faces, g.Representative)
	}
	same := func(a, b FaceRef) bool { return got[a] == got[b] }
	switch {
	case len(got) != 10:
		t.Errorf("%d faces grouped, want the 10 unknown ones", len(got))
	case !same(FaceRef{0, 0}, FaceRef{1, 0}) || !same(FaceRef{0, 0}, FaceRef{2, 0}) || same(FaceRef{0, 0}, FaceRef{1, 1}):
		t.Error("Ann's three faces: want them together, without Dee")
	case !same(FaceRef{2, 1}, FaceRef{3, 0}):
		t.Error("Cy's two faces apart")
	case same(FaceRef{0, 1}, FaceRef{4, 0}):
		t.Error("a reviewed face grouped")
	case same(FaceRef{5, 0}, FaceRef{5, 1}):
		t.Error("two faces of one photo grouped")
	case len(groups[0].Faces) < len(groups[len(groups)-1].Faces):
		t.Error("groups not largest first")
	}
	for _, g := range groups {
		height := func(f FaceRef) int { return photos[f.Photo].Faces[f.Face].Box.Dy() }
		for _, f := range g.Faces {
			if height(f) > height(g.Representative) {
				t.Errorf("group %v: representative %v is not its largest face", g.Faces, g.Representative)
			}
		}
	}
	// A face as like two others as they are like each other makes the
	// group ambiguous: none of the three is grouped.
	ambiguous := []*Photo{photoWithFaces(along(5, 0)), photoWithFaces(along(5, 0.2)), photoWithFaces(along(5, 0.4))}
	if groups, err := GroupFacesToDecide(context.Background(), ambiguous); err != nil || len(groups) != 3 {
		t.Errorf("three faces 0.2 apart in a row: %d groups, %v; want 3 groups of one", len(groups), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := GroupFacesToDecide(ctx, photos); err == nil {
		t.Error("grouping went on after its context was cancelled")
	}
}

// TestGroupRecognisedFaces checks that the faces the matcher recognised
// as one person, awaiting the reviewer's confirmation, are that person's
// group however far apart their descriptors lie (the matcher, not the
// grouping, put them together), one face a photo, the nearer of two; and
// that of groups as large the recognised come first.
func TestGroupRecognisedFaces(t *testing.T) {
	recognised := func(p *Photo, face int, who string, distance float64) {
		p.Faces[face].Decision.Recognised, p.Faces[face].Distance = who, distance
	}
	photos := []*Photo{
		photoWithFaces(along(0, 0), along(1, 0)),
		photoWithFaces(along(2, 0), along(3, 0)),
		photoWithFaces(along(4, 0)),
		photoWithFaces(along(5, 0)),
	}
	recognised(photos[0], 0, "C1", 0.3)
	recognised(photos[1], 0, "C1", 0.35) // two faces taken for Ada: the nearer is hers
	recognised(photos[1], 1, "C1", 0.2)
	recognised(photos[2], 0, "C1", 0.38)
	recognised(photos[3], 0, "C2", 0.3)
	groups, err := GroupFacesToDecide(context.Background(), photos)
	if err != nil {
		t.Fatal(err)
	}
	var ada []FaceRef
	for _, g := range groups {
		if slices.Contains(g.Faces, FaceRef{0, 0}) {
			ada = g.Faces
		}
	}
	if want := []FaceRef{{0, 0}, {1, 1}, {2, 0}}; !slices.Equal(ada, want) {
		t.Errorf("Ada's group %v, want %v", ada, want)
	}
	// Of the groups of one, the recognised come first: Ada's second face
	// in photo 1 and the face taken for Ben, then the unknown one.
	var order []FaceRef
	for _, g := range groups {
		order = append(order, g.Representative)
	}
	if want := []FaceRef{{1, 1}, {3, 0}, {1, 0}, {0, 1}}; !slices.Equal(order, want) {
		t.Errorf("groups shown by %v, want %v: Ada's three faces, the two other recognised faces, the unknown one", order, want)
	}
}

// TestGroupIdols groups the faces of each band of idols.json, as a batch
// of one class's photos (one face per photo), and counts the pairs grouped
// wrongly, which must be none, and the groups found. Descriptors within 0.2
// of another person's are left out: the file gives some photos to several
// members of a band.
func TestGroupIdols(t *testing.T) {
	all := idolFaces(t)
	bands := map[string][]idolFace{}
	for _, f := range all {
		noisy := false
		for _, o := range all {
			if o.person != f.person && vision.Distance(o.descriptor, f.descriptor) < 0.2 {
				noisy = true
				break
			}
		}
		if !noisy {
			bands[f.band] = append(bands[f.band], f)
		}
	}
	var faces, right, wrong, grouped, multi, people int
	for band, members := range bands {
		photos := make([]*Photo, len(members))
		for i, m := range members {
			photos[i] = photoWithFaces(m.descriptor)
		}
		groups, err := GroupFacesToDecide(context.Background(), photos)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range members {
			seen[m.person] = true
		}
		faces, people = faces+len(members), people+len(seen)
		for _, g := range groups {
			if len(g.Faces) > 1 {
				multi++
				grouped += len(g.Faces)
			}
			for a := range g.Faces {
				for b := a + 1; b < len(g.Faces); b++ {
					x, y := members[g.Faces[a].Photo], members[g.Faces[b].Photo]
					if x.person == y.person {
						right++
					} else {
						wrong++
						t.Errorf("%s: %s and %s grouped (distance %.3f)", band, x.name, y.name, vision.Distance(x.descriptor, y.descriptor))
					}
				}
			}
		}
	}
	t.Logf("%d bands, %d people, %d faces: %d groups of two or more holding %d faces; pairs grouped rightly %d, wrongly %d",
		len(bands), people, faces, multi, grouped, right, wrong)
	if multi == 0 {
		t.Error("no group found")
	}
}
