package vision

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestMatcher checks what the matcher measures for the rules: the
// nearest person by their nearest reference, the Euclidean distance to it
// and how much farther the next person lies.
func TestMatcher(t *testing.T) {
	at := func(x float32) Descriptor { var d Descriptor; d[0] = x; return d }
	refs := []Reference{
		{"ann", at(0)}, {"ann", at(0.1)},
		{"ben", at(1)},
		{"cas", at(2)}, {"dan", at(2.04)},
	}
	var off Descriptor
	off[1] = 0.7
	cases := []struct {
		name    string
		refs    []Reference
		query   Descriptor
		nearest string
		dist    float64
		margin  float64
	}{
		{"nearest of several references", refs, at(0.15), "ann", 0.05, 0.8},
		{"beyond the threshold", refs, at(-0.5625), "ann", 0.5625, 1},
		{"two people as near", refs, at(2.02), "cas", 0.02, 0},
		{"far from everyone", refs, at(5), "dan", 2.96, 0.04},
		{"Euclidean, not squared", []Reference{{"ann", Descriptor{}}}, off, "ann", 0.7, math.Inf(1)},
		{"no references", nil, off, "", math.Inf(1), math.NaN()},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 || a == b || math.IsNaN(a) && math.IsNaN(b) }
	for _, c := range cases {
		got := NewMatcher(c.refs, testdata.MatchThreshold()).Match(c.query)
		if got.Nearest != c.nearest || !near(got.Distance, c.dist) || !near(got.Margin, c.margin) {
			t.Errorf("%s: got %+v, want %q at %.4f, margin %.4f", c.name, got, c.nearest, c.dist, c.margin)
		}
	}
}

// ruledName is whom the register's rules take the face measured by res
// to be ("" for unknown).
func ruledName(res Match) string { return testdata.RuledName(res.Nearest, res.Distance, res.Margin) }

// idolRefs reads idols.json: people (id -> name, band) and references.
func idolRefs(t *testing.T) (map[string][2]string, []Reference) {
	t.Helper()
	idols, faces := testdata.Idols(t)
	people := make(map[string][2]string, len(idols))
	for id, i := range idols {
		people[id] = [2]string{i.Name, i.Band}
	}
	refs := make([]Reference, 0, len(faces))
	for _, f := range faces {
		refs = append(refs, Reference{PersonID: f.PersonID, Descriptor: Descriptor(f.Descriptor)})
	}
	return people, refs
}

// TestIdentifyPristin identifies the ten faces of pristin.jpg against
// references from idols.json: enrolled as a class (the ten members), as the
// whole file (552 people, many alike), and with only half the members.
func TestIdentifyPristin(t *testing.T) {
	e := testEngine(t)
	people, refs := idolRefs(t)
	p, err := Load(filepath.Join(testdata.Dir(t), "recognition", "pristin.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	faces, err := e.Find(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 10 {
		t.Fatalf("%d faces found in pristin.jpg, want 10", len(faces))
	}
	isMember := func(id string) bool { return people[id][1] == "PRISTIN" }
	var members []Reference
	for _, r := range refs {
		if isMember(r.PersonID) {
			members = append(members, r)
		}
	}
	// identify counts the outcomes; everyone in the photo is a member,
	// each once, so a name outside the band or given twice is wrong.
	identify := func(m *Matcher, descs []Descriptor, allowed func(string) bool) (correct, unknown, wrong int, named map[int]string) {
		named = map[int]string{}
		seen := map[string]bool{}
		for i, d := range descs {
			res := m.Match(d)
			switch name := ruledName(res); {
			case name == "":
				unknown++
			case !allowed(name) || seen[name]:
				wrong++
				t.Errorf("face %d named %s (%s), nearest distance %.3f", i, people[name][0], people[name][1], res.Distance)
			default:
				correct++
				seen[name] = true
				named[i] = name
			}
		}
		return correct, unknown, wrong, named
	}
	descs := make([]Descriptor, len(faces))
	for i, f := range faces {
		descs[i] = f.Descriptor
	}

	class := NewMatcher(members, testdata.MatchThreshold())
	correct, unknown, wrong, _ := identify(class, descs, isMember)
	// Who is who: the nearest member of each face, which must be ten
	// different members (checked), serves as the truth below.
	member := map[int]string{}
	distinct := map[string]bool{}
	for i := range faces {
		res := class.Match(descs[i])
		member[i] = res.Nearest
		distinct[res.Nearest] = true
		t.Logf("face %d %v: %s, distance %.3f, margin %.3f, named %q", i, faces[i].Box, people[res.Nearest][0], res.Distance, res.Margin, ruledName(res))
	}
	if len(distinct) != 10 {
		t.Errorf("the faces' nearest members are %d different people, want 10", len(distinct))
	}
	t.Logf("pristin.jpg, the 10 members enrolled (%d references): correct %d, unknown %d, wrong %d", len(members), correct, unknown, wrong)
	if correct < 9 || wrong > 0 {
		t.Errorf("correct %d (want >= 9), wrong %d (want 0)", correct, wrong)
	}

	// The whole file: many look-alikes make more faces ambiguous, but none
	// may get a wrong name.
	everyone := NewMatcher(refs, testdata.MatchThreshold())
	correct, unknown, wrong, _ = identify(everyone, descs, isMember)
	t.Logf("pristin.jpg, all %d people enrolled (%d references): correct %d, unknown or ambiguous %d, wrong %d", len(people), len(refs), correct, unknown, wrong)
	// Half the members enrolled: the other five must not get a name.
	var names []string
	for _, r := range members {
		if !slices.Contains(names, people[r.PersonID][0]) {
			names = append(names, people[r.PersonID][0])
		}
	}
	slices.Sort(names)
	enrolled := map[string]bool{}
	var partial []Reference
	for _, r := range members {
		if slices.Index(names, people[r.PersonID][0]) < 5 {
			enrolled[r.PersonID] = true
			partial = append(partial, r)
		}
	}
	half := NewMatcher(partial, testdata.MatchThreshold())
	correct, unknown, wrong = 0, 0, 0
	for i, d := range descs {
		who := member[i]
		switch name := ruledName(half.Match(d)); {
		case name == "":
			unknown++
		case name == who && enrolled[who]:
			correct++
		default:
			wrong++
			t.Errorf("face %d (%s) named %s with only %v enrolled", i, people[who][0], people[name][0], names[:5])
		}
	}
	t.Logf("pristin.jpg, 5 of 10 members enrolled (%v): correct %d, unknown %d, wrong %d", names[:5], correct, unknown, wrong)
	if wrong > 0 || unknown < 5 {
		t.Errorf("with half the members enrolled: unknown %d (want >= 5), wrong %d (want 0)", unknown, wrong)
	}
}

// TestIdentifyLabelled enrols one labelled photo per person (LABELS.csv) and
// identifies the other photos: labelled ones, same-stem ones (the README
// says a shared stem is the same person, except jimin*), and photos of
// people not enrolled, which must stay unknown.
func TestIdentifyLabelled(t *testing.T) {
	e := testEngine(t)
	dir := filepath.Join(testdata.Dir(t), "recognition")
	label, order := testdata.Labels(t)
	stem := func(file string) string { return strings.TrimRight(strings.TrimSuffix(file, ".jpg"), "0123456789") }
	stemPerson := map[string]string{}
	for file, person := range label {
		if stem(file) != "jimin" {
			stemPerson[stem(file)] = person
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, ent := range entries {
		if strings.HasSuffix(ent.Name(), ".jpg") && ent.Name() != "pristin.jpg" {
			all = append(all, ent.Name())
		}
	}
	faces := findAll(t, e, dir, all)
	largest := func(file string) (Face, bool) {
		fs := faces[file]
		if len(fs) == 0 {
			return Face{}, false
		}
		best := fs[0]
		for _, f := range fs {
			if area(f.Box) > area(best.Box) {
				best = f
			}
		}
		return best, true
	}
	var refs []Reference
	enrolledFrom := map[string]string{}
	for _, file := range order {
		person := label[file]
		if _, done := enrolledFrom[person]; done {
			continue
		}
		face, ok := largest(file)
		if !ok {
			t.Errorf("no face found in %s", file)
			continue
		}
		enrolledFrom[person] = file
		refs = append(refs, Reference{PersonID: person, Descriptor: face.Descriptor})
	}
	m := NewMatcher(refs, testdata.MatchThreshold())
	var correct, unknown, wrong, strangersUnknown, strangersNamed int
	for _, file := range all {
		if enrolledFrom[label[file]] == file {
			continue
		}
		want, ok := label[file]
		if !ok {
			want, ok = stemPerson[stem(file)]
		}
		if !ok && stem(file) == "jimin" {
			continue // unlabelled jimin*: may or may not be the enrolled Jimin
		}
		face, found := largest(file)
		if !found {
			t.Logf("%s: no face found", file)
			continue
		}
		got := m.Match(face.Descriptor)
		name := ruledName(got)
		t.Logf("%s (%s): named %q, distance %.3f (nearest %s, margin %.3f)", file, want, name, got.Distance, got.Nearest, got.Margin)
		switch {
		case !ok && name != "":
			strangersNamed++
			t.Errorf("%s: a person not enrolled named %s", file, name)
		case !ok:
			strangersUnknown++
		case name == "":
			unknown++
		case name == want:
			correct++
		default:
			wrong++
			t.Errorf("%s: %s named %s", file, want, name)
		}
	}
	t.Logf("one photo per person enrolled (%d people): enrolled people correct %d, unknown %d, wrong %d; people not enrolled: unknown %d, named %d",
		len(refs), correct, unknown, wrong, strangersUnknown, strangersNamed)
}

// TestMatcherCandidates checks the suggestions a match carries: the
// people within the threshold plus SuggestReach, nearest first, at most
// MaxCandidates, whatever the rules make of the face.
func TestMatcherCandidates(t *testing.T) {
	at := func(x float32) Descriptor { var d Descriptor; d[0] = x; return d }
	refs := []Reference{{"rena", at(0)}, {"nayoung", at(0.05)}, {"eunwoo", at(0.2)}, {"yujin", at(0.3)}, {"far", at(3)}}
	m := NewMatcher(refs, testdata.MatchThreshold())
	cases := []struct {
		name  string
		query Descriptor
		named string
		want  []string
	}{
		{"between Rena and Nayoung", at(0.02), "", []string{"rena", "nayoung", "eunwoo"}},
		{"just beyond the threshold", at(-0.52), "", []string{"rena"}},
		{"far from everyone", at(-2), "", nil},
		{"a clear match", at(3.01), "far", []string{"far"}},
	}
	for _, c := range cases {
		got := m.Match(c.query)
		var ids []string
		for i, cand := range got.Candidates {
			ids = append(ids, cand.PersonID)
			if i > 0 && cand.Distance < got.Candidates[i-1].Distance {
				t.Errorf("%s: candidates not nearest first: %+v", c.name, got.Candidates)
			}
		}
		if name := ruledName(got); name != c.named || !slices.Equal(ids, c.want) {
			t.Errorf("%s: named %q with candidates %v, want %q with %v", c.name, name, ids, c.named, c.want)
		}
	}
}

// TestSeveralReferences measures how a person's several references are
// best used, on idols.json: each face in turn is left out and matched
// against the people of its band (a class: people who look alike),
// enrolled from k of their other faces each. Descriptors that lie within
// 0.2 of another person's are left out: the file gives some photos to
// several members of a band (distance 0). It prints correct, unknown and
// wrong for one reference and, for two and three, for the nearest of them
// (the Matcher's rule) and their mean, and checks that several references
// name more faces rightly than one and no more wrongly. The mean names
// more still (at the default threshold, with three references, 584 and 4
// wrong against the nearest's 469 and 6), but pristin.jpg's class figure
// falls from 9 to 7 of 10 with it (TestNamingRecognitionFolder in vet):
// left for the team to weigh.
func TestSeveralReferences(t *testing.T) {
	people, all := idolRefs(t)
	var refs []Reference
	for _, r := range all {
		if !slices.ContainsFunc(all, func(o Reference) bool { return o.PersonID != r.PersonID && Distance(o.Descriptor, r.Descriptor) < 0.2 }) {
			refs = append(refs, r)
		}
	}
	t.Logf("%d of %d descriptors kept (the others lie within 0.2 of another person's)", len(refs), len(all))
	byPerson := map[string][]int{}
	var order []string
	for i, r := range refs {
		if _, ok := byPerson[r.PersonID]; !ok {
			order = append(order, r.PersonID)
		}
		byPerson[r.PersonID] = append(byPerson[r.PersonID], i)
	}
	type outcome struct{ correct, unknown, wrong int }
	// byNearest is the Matcher's rule: each person's nearest reference.
	byNearest := func(enrolled []Reference, d Descriptor) Match {
		return NewMatcher(enrolled, testdata.MatchThreshold()).Match(d)
	}
	// byMean measures the mean of each person's references instead.
	byMean := func(enrolled []Reference, d Descriptor) Match {
		sums := map[string][]Reference{}
		for _, r := range enrolled {
			sums[r.PersonID] = append(sums[r.PersonID], r)
		}
		var means []Reference
		for person, rs := range sums {
			var m Descriptor
			for _, r := range rs {
				for j, v := range r.Descriptor {
					m[j] += v / float32(len(rs))
				}
			}
			means = append(means, Reference{PersonID: person, Descriptor: m})
		}
		return NewMatcher(means, testdata.MatchThreshold()).Match(d)
	}
	// run leaves out each face of the people with more than k faces and
	// matches it against the band enrolled from k faces each by rule.
	run := func(k int, rule func([]Reference, Descriptor) Match) outcome {
		var o outcome
		for _, p := range order {
			if len(byPerson[p]) <= k {
				continue
			}
			band := people[p][1]
			for _, left := range byPerson[p] {
				var enrolled []Reference
				for _, q := range order {
					if people[q][1] != band {
						continue
					}
					var faces []int
					for _, i := range byPerson[q] {
						if i != left && len(faces) < k {
							faces = append(faces, i)
						}
					}
					for _, i := range faces {
						enrolled = append(enrolled, refs[i])
					}
				}
				switch ruledName(rule(enrolled, refs[left].Descriptor)) {
				case "":
					o.unknown++
				case p:
					o.correct++
				default:
					o.wrong++
				}
			}
		}
		return o
	}
	one := run(1, byNearest)
	t.Logf("1 reference per person: correct %d, unknown %d, wrong %d", one.correct, one.unknown, one.wrong)
	for _, k := range []int{2, 3} {
		nearest, mean := run(k, byNearest), run(k, byMean)
		t.Logf("%d references per person: the nearest (the Matcher's rule) correct %d, unknown %d, wrong %d; their mean correct %d, unknown %d, wrong %d",
			k, nearest.correct, nearest.unknown, nearest.wrong, mean.correct, mean.unknown, mean.wrong)
		if nearest.correct <= one.correct || nearest.wrong > one.wrong {
			t.Errorf("%d references: correct %d, wrong %d; want more correct than one reference gives (%d) and no more wrong (%d)", k, nearest.correct, nearest.wrong, one.correct, one.wrong)
		}
	}
}
