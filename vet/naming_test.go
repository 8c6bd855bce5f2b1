//go:build !race

// The real face engine runs without the race detector (make test runs
// this file on its own): it adds nothing to the C and C++ and slows the
// pixel loops several times.

package vet

import (
	"context"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vision"
)

// TestNamingRecognitionFolder takes the recognition photos through a batch
// with the real engine, nobody enrolled, and measures on the faces found
// what issue 13 asks, printing every figure:
//   - how far apart the descriptor puts photos of one person and photos
//     of different people, the bound on everything below;
//   - one LABELS.csv photo per person enrolled: correct, unknown and wrong
//     names on the other photos of the enrolled people (LABELS.csv, and
//     file names sharing a stem, jimin* aside);
//   - each photo of a person with several left out in turn, the person
//     enrolled from one of their other photos, then from up to three;
//   - pristin.jpg with the ten members enrolled from idols.json;
//   - the batch's faces grouped (GroupFacesToDecide): pairs of labelled
//     photos grouped rightly and wrongly, groups per person.
//
// A name counts only when the rules would give it: matched, and under the
// threshold by the margin (consent's sure match). No name may be wrong.
func TestNamingRecognitionFolder(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(testdata.Dir(t), "recognition")
	modelDir, err := vision.ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := vision.NewEngine(modelDir, 2, vision.DefaultDetectOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	paths := Collect([]string{dir}).Photos
	photos, err := Batch{Finder: engine, Workers: 2, Job: consent.Job{Unit: consent.School, Channel: "website", Date: testDay}}.Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}

	// Who is on each photo: LABELS.csv, then shared stems (not jimin*).
	person, labelled := testdata.Labels(t) // labelled: LABELS.csv's order
	stem := func(file string) string { return strings.TrimRight(strings.TrimSuffix(file, ".jpg"), "0123456789") }
	byStem := map[string]string{}
	for file, p := range person {
		byStem[stem(file)] = p
	}
	photoOf := map[string]*Photo{}
	for _, p := range photos {
		file := filepath.Base(p.Path)
		photoOf[file] = p
		if _, ok := person[file]; !ok && stem(file) != "jimin" && file != "pristin.jpg" {
			if p, ok := byStem[stem(file)]; ok {
				person[file] = p
			} else {
				person[file] = "stem " + stem(file)
			}
		}
	}
	// subject is the largest face of a photo, the one its label names.
	subject := func(file string) (FaceRef, vision.Descriptor, bool) {
		p := photoOf[file]
		if p == nil || len(p.Faces) == 0 {
			return FaceRef{}, vision.Descriptor{}, false
		}
		best := 0
		for i, f := range p.Faces {
			if f.Box.Dy() > p.Faces[best].Box.Dy() {
				best = i
			}
		}
		d, ok := p.Faces[best].Descriptor()
		return FaceRef{slices.Index(photos, p), best}, d, ok
	}
	set := consent.DefaultSettings()
	name := func(m *vision.Matcher, d vision.Descriptor) string {
		res := m.Match(d)
		return testdata.RuledName(res.Nearest, res.Distance, res.Margin)
	}
	type tally struct{ correct, unknown, wrong int }
	count := func(tl *tally, got, want, what string) {
		switch got {
		case "":
			tl.unknown++
		case want:
			tl.correct++
		default:
			tl.wrong++
			t.Errorf("%s (%s) named %s", what, want, got)
		}
	}
	filesOf := map[string][]string{}
	for _, file := range slices.Sorted(func(yield func(string) bool) {
		for f := range person {
			if !yield(f) {
				return
			}
		}
	}) {
		if _, _, ok := subject(file); ok {
			filesOf[person[file]] = append(filesOf[person[file]], file)
		}
	}

	// What the descriptor allows: the nearest two photos of different
	// people against the photos of one person. While the first lie nearer
	// than the second, no threshold names more faces without a wrong one,
	// and no grouping joins a person's photos without joining strangers.
	sameNearest, sameFarthest, otherNearest := math.Inf(1), 0.0, math.Inf(1)
	var nearestStrangers [2]string
	files := slices.Sorted(maps.Keys(person))
	for i, a := range files {
		_, da, ok := subject(a)
		for _, b := range files[i+1:] {
			_, db, okb := subject(b)
			if !ok || !okb {
				continue
			}
			d := vision.Distance(da, db)
			switch {
			case person[a] == person[b]:
				sameNearest, sameFarthest = min(sameNearest, d), max(sameFarthest, d)
			case d < otherNearest:
				otherNearest, nearestStrangers = d, [2]string{a, b}
			}
		}
	}
	t.Logf("photos of one person lie %.3f-%.3f apart; photos of different people from %.3f (%s and %s)",
		sameNearest, sameFarthest, otherNearest, nearestStrangers[0], nearestStrangers[1])

	// One LABELS.csv photo per person enrolled.
	var refs []vision.Reference
	enrolledFrom := map[string]string{}
	for _, file := range labelled {
		if _, done := enrolledFrom[person[file]]; done {
			continue
		}
		if _, d, ok := subject(file); ok {
			enrolledFrom[person[file]] = file
			refs = append(refs, vision.Reference{PersonID: person[file], Descriptor: d})
		}
	}
	one := vision.NewMatcher(refs, set.MatchThreshold)
	var labels, strangers tally
	for file, who := range person {
		_, d, ok := subject(file)
		if !ok || enrolledFrom[who] == file {
			continue
		}
		if _, enrolled := enrolledFrom[who]; enrolled {
			count(&labels, name(one, d), who, file)
		} else {
			count(&strangers, name(one, d), "", file+", not enrolled,")
		}
	}
	t.Logf("one LABELS.csv photo per person enrolled (%d people): correct %d, unknown %d, wrong %d; people not enrolled: unknown %d, named %d",
		len(refs), labels.correct, labels.unknown, labels.wrong, strangers.unknown, strangers.wrong)

	// Each photo of a person with several left out in turn.
	for _, k := range []int{1, 2, 3} {
		var tl tally
		for who, files := range filesOf {
			if len(files) < 2 {
				continue
			}
			for _, left := range files {
				var refs []vision.Reference
				for other, theirs := range filesOf {
					n := 0
					for _, file := range theirs {
						if file == left || n == k || other != who && n == 1 {
							continue
						}
						_, d, _ := subject(file)
						refs = append(refs, vision.Reference{PersonID: other, Descriptor: d})
						n++
					}
				}
				_, d, _ := subject(left)
				count(&tl, name(vision.NewMatcher(refs, set.MatchThreshold), d), who, left)
			}
		}
		t.Logf("each photo of a person with several left out, the person enrolled from up to %d of their others (everyone else from one): correct %d, unknown %d, wrong %d", k, tl.correct, tl.unknown, tl.wrong)
	}

	// pristin.jpg with the members enrolled from idols.json; who is who:
	// each face's nearest member, which must be ten different members.
	var members []vision.Reference
	memberName := map[string]string{}
	for _, f := range idolFaces(t) {
		if f.band == "PRISTIN" {
			members = append(members, vision.Reference{PersonID: f.person, Descriptor: f.descriptor})
			memberName[f.person] = f.name
		}
	}
	class := vision.NewMatcher(members, set.MatchThreshold)
	pristin := photoOf["pristin.jpg"]
	var band tally
	seen := map[string]bool{}
	for i, f := range pristin.Faces {
		d, _ := f.Descriptor()
		res := class.Match(d)
		seen[res.Nearest] = true
		count(&band, name(class, d), res.Nearest, "pristin.jpg face "+memberName[res.Nearest])
		t.Logf("pristin.jpg face %d: nearest %s at %.3f, margin %.3f, candidates %d", i, memberName[res.Nearest], res.Distance, res.Margin, len(res.Candidates))
	}
	t.Logf("pristin.jpg, the %d members enrolled from idols.json (%d references): correct %d, unknown %d, wrong %d", len(memberName), len(members), band.correct, band.unknown, band.wrong)
	if len(pristin.Faces) != 10 || len(seen) != 10 {
		t.Errorf("pristin.jpg: %d faces, nearest to %d different members; want 10 and 10", len(pristin.Faces), len(seen))
	}

	// Groups of the batch's faces (nobody enrolled: every face unknown).
	groups, err := GroupFacesToDecide(ctx, photos)
	if err != nil {
		t.Fatal(err)
	}
	labelOf := map[FaceRef]string{}
	for file, who := range person {
		if ref, _, ok := subject(file); ok {
			labelOf[ref] = who
		}
	}
	var right, wrongPairs, multi, faces int
	groupsOf := map[string]int{}
	for _, g := range groups {
		faces += len(g.Faces)
		if len(g.Faces) > 1 {
			multi++
		}
		var whos []string
		for _, f := range g.Faces {
			if who, ok := labelOf[f]; ok {
				whos = append(whos, who)
			}
		}
		for _, who := range slices.Compact(slices.Sorted(slices.Values(whos))) {
			groupsOf[who]++
		}
		for a := range whos {
			for b := a + 1; b < len(whos); b++ {
				if whos[a] == whos[b] {
					right++
				} else {
					wrongPairs++
					t.Errorf("%s and %s grouped", whos[a], whos[b])
				}
			}
		}
	}
	several, split := 0, 0
	for who, files := range filesOf {
		if len(files) > 1 {
			several++
			split += groupsOf[who]
		}
	}
	t.Logf("grouping %d faces of %d photos: %d groups of two or more; labelled pairs grouped rightly %d, wrongly %d; the %d people with several photos are in %d groups",
		faces, len(photos), multi, right, wrongPairs, several, split)
}
