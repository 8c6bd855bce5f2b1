package vision

import (
	"cmp"
	"math"
	"slices"
)

// Suggestions: a face that is no clear match but lies near enrolled people
// carries them as candidates, so that the reviewer can be asked "Rena or
// Nayoung?" instead of picking from the whole register. SuggestReach is
// how far beyond the match threshold a candidate may lie: at the
// register's default threshold, 0.45, that is 0.55, within dlib's own
// same-person threshold of 0.6. At most MaxCandidates are offered.
const (
	SuggestReach  = 0.1
	MaxCandidates = 3
)

// Reference is one enrolled descriptor of a person; a person may have
// several (different photos).
type Reference struct {
	PersonID   string
	Descriptor Descriptor
}

// Match is how near one face lies to the enrolled people: the distances
// the register's rules decide by (consent's R4), not a decision.
type Match struct {
	// Distance is the Euclidean distance to the nearest person's
	// references (see NewMatcher; +Inf without references).
	Distance float64
	// Nearest is the nearest person, however far (the rules decide
	// whether the face is theirs; never show a face by it alone).
	Nearest string
	// Margin is how much further the second-nearest person is (+Inf when
	// there is only one person).
	Margin float64
	// Candidates are the people within the threshold plus SuggestReach,
	// nearest first, at most MaxCandidates: who to
	// suggest when the face is not a clear match. A suggestion is never a
	// decision (R4): only the reviewer's choice names the face.
	Candidates []Candidate
}

// Candidate is an enrolled person near a face and the face's distance to
// their references (see NewMatcher).
type Candidate struct {
	PersonID string
	Distance float64
}

// Matcher compares face descriptors with enrolled references. It is
// immutable once built and safe for concurrent use.
type Matcher struct {
	people    []string
	refs      [][]Descriptor // per person, same order as people
	threshold float64
}

// NewMatcher builds a matcher from references (several per person allowed).
// A face's distance to a person is its distance to the person's nearest
// reference. (The mean of a person's references was measured too, by
// TestSeveralReferences: more faces named over idols.json, fewer in
// pristin.jpg; see the test.) threshold is the register's match
// threshold, from which the candidates are suggested.
func NewMatcher(refs []Reference, threshold float64) *Matcher {
	m := &Matcher{threshold: threshold}
	index := map[string]int{}
	for _, r := range refs {
		i, ok := index[r.PersonID]
		if !ok {
			i = len(m.people)
			index[r.PersonID] = i
			m.people = append(m.people, r.PersonID)
			m.refs = append(m.refs, nil)
		}
		m.refs[i] = append(m.refs[i], r.Descriptor)
	}
	return m
}

// Match measures how near a descriptor lies to each enrolled person.
func (m *Matcher) Match(d Descriptor) Match {
	best, second := math.Inf(1), math.Inf(1)
	nearest := ""
	var candidates []Candidate
	for i, person := range m.people {
		dist := math.Inf(1)
		for _, r := range m.refs[i] {
			dist = math.Min(dist, Distance(d, r))
		}
		if dist <= m.threshold+SuggestReach {
			candidates = append(candidates, Candidate{PersonID: person, Distance: dist})
		}
		switch {
		case dist < best:
			best, second, nearest = dist, best, person
		case dist < second:
			second = dist
		}
	}
	slices.SortFunc(candidates, func(a, b Candidate) int { return cmp.Compare(a.Distance, b.Distance) })
	if len(candidates) > MaxCandidates {
		candidates = candidates[:MaxCandidates]
	}
	return Match{Distance: best, Nearest: nearest, Margin: second - best, Candidates: candidates}
}

// Distance is the Euclidean distance between two descriptors.
func Distance(a, b Descriptor) float64 {
	var sum float64
	for i := range a {
		diff := float64(a[i]) - float64(b[i])
		sum += diff * diff
	}
	return math.Sqrt(sum)
}
