package vision

import (
	"cmp"
	"math"
	"slices"
)

// Matching defaults, the register's (consent.DefaultSettings). dlib
// suggests 0.6; children look alike, so PhotoVet is stricter, and asks the
// best person to beat the next by a margin.
const (
	DefaultThreshold = 0.45
	DefaultMargin    = 0.06
)

// Suggestions: a face that is no clear match but lies near enrolled people
// carries them as candidates, so that the reviewer can be asked "Rena or
// Nayoung?" instead of picking from the whole register. SuggestReach is
// how far beyond the match threshold a candidate may lie: at the default
// threshold, 0.6, dlib's own same-person threshold. At most
// MaxCandidates are offered.
const (
	SuggestReach  = 0.1
	MaxCandidates = 3
)

// MatchStatus says how a face compares with the enrolled references.
type MatchStatus string

// The outcomes of Matcher.Match. Only MatchMatched names a person; the
// rules treat the others as unknown faces (fail closed).
const (
	MatchMatched   MatchStatus = "matched"   // one person within the threshold, clearly nearest
	MatchUnknown   MatchStatus = "unknown"   // nobody under the threshold by the margin
	MatchAmbiguous MatchStatus = "ambiguous" // within the threshold, but another person is almost as near
)

// Reference is one enrolled descriptor of a person; a person may have
// several (different photos).
type Reference struct {
	PersonID   string
	Descriptor Descriptor
}

// Match is the result of matching one face.
type Match struct {
	Status MatchStatus
	// PersonID is set only when Status is MatchMatched.
	PersonID string
	// Distance is the Euclidean distance to the nearest person's
	// references (see NewMatcher; +Inf without references).
	Distance float64
	// Nearest is the nearest person whatever the status (for review and
	// diagnostics; never use it to show a face).
	Nearest string
	// Margin is how much further the second-nearest person is (+Inf when
	// there is only one person).
	Margin float64
	// Candidates are the people within the threshold plus SuggestReach,
	// nearest first, at most MaxCandidates, whatever the status: who to
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
	margin    float64
}

// NewMatcher builds a matcher from references (several per person allowed).
// A face's distance to a person is its distance to the person's nearest
// reference. A face matches a person when that distance is under threshold
// by at least margin and every other person is at least margin further
// away. (The mean of a person's references was measured too, by
// TestSeveralReferences: more faces named over idols.json, fewer in
// pristin.jpg; see the test.)
func NewMatcher(refs []Reference, threshold, margin float64) *Matcher {
	m := &Matcher{threshold: threshold, margin: margin}
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

// Match finds the person a descriptor belongs to, if any.
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
	res := Match{Status: MatchUnknown, Distance: best, Nearest: nearest, Margin: second - best, Candidates: candidates}
	switch {
	case best > m.threshold:
	case second-best < m.margin:
		res.Status = MatchAmbiguous
	case m.threshold-best < m.margin:
		// Within the threshold by less than the margin: anyone not
		// enrolled may stand that near (consent's rule R4 says the same).
	default:
		res.Status = MatchMatched
		res.PersonID = nearest
	}
	return res
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
