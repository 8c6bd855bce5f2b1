package consent

import (
	"fmt"
	"slices"
	"strings"
)

// Register is the part of the consent register the rules read: the
// settings and the people by id. A nil *Register stands for a register that
// could not be read, and every face is then redacted (R4).
type Register struct {
	Settings Settings
	People   map[string]*Person
}

// Job is what a batch is vetted for: its unit type (R1), the target channel
// and the export date.
type Job struct {
	Unit    Unit
	Channel string
	Date    Date
}

// Review is what the reviewer did with a face (R8). Every review either adds
// redaction or changes who the face is taken to be; none makes a face
// visible by itself.
type Review int

// The reviews of R8.
const (
	// NotReviewed leaves the matcher's result standing.
	NotReviewed Review = iota
	// ForceRedacted redacts the face whatever the register says.
	ForceRedacted
	// AssignedByHand says the face is Face.AssignedID; R2 and R3 then
	// apply to that person exactly as to a matched face.
	AssignedByHand
	// AdultWithNote says the face is an adult outside the register (a
	// parent helping on a trip) who agreed in person; Face.Note must say so.
	// It is refused in early childhood units (R2) and on a face the matcher
	// recognised as an enrolled person, who must be assigned instead.
	AdultWithNote
)

// distanceTolerance lets a distance computed in float32 equal a threshold
// written in decimal (0.5, 0.06) at the boundary, which counts as a match.
const distanceTolerance = 1e-9

// Face is one face on a photo as the matcher and the reviewer left it.
type Face struct {
	// NearestID is the enrolled person whose reference descriptor is
	// closest, or "" when nobody is enrolled or the face has no descriptor
	// (a box the reviewer drew by hand).
	NearestID string
	// Distance is the Euclidean distance to NearestID's closest reference.
	Distance float64
	// NextDistance is the distance to the closest reference of any other
	// person; math.Inf(1) when nobody else is enrolled. The zero value
	// counts as a rival at distance 0, so leaving it unset fails closed.
	NextDistance float64

	Review     Review
	AssignedID string // the person, for AssignedByHand
	Note       string // why, for AdultWithNote
}

// Decision is the rules' verdict on one face.
type Decision struct {
	Visible bool
	// Reason says why, in words a teacher understands ("no Instagram
	// consent from the guardian", "visible: Anna has Instagram consent").
	Reason string
	// PersonID is who the face was taken to be, "" for an unknown face or
	// an adult outside the register.
	PersonID string
}

// Decide applies R2, R3, R4 and R8 to one face of a photo exported for job.
// reg may be nil when the register could not be read: the face is then
// redacted (R4).
func Decide(face Face, reg *Register, job Job) Decision {
	if reg == nil {
		return Decision{Reason: "the consent register could not be read"}
	}
	if reason := jobProblem(job, reg.Settings); reason != "" {
		return Decision{Reason: reason}
	}
	switch face.Review {
	case ForceRedacted:
		id, _ := reg.Settings.identify(face)
		return Decision{Reason: "redacted by the reviewer", PersonID: id}
	case AssignedByHand:
		p := reg.People[face.AssignedID]
		if p == nil {
			return Decision{Reason: fmt.Sprintf("assigned to %q, who is not in the register", face.AssignedID)}
		}
		return decidePerson(p, reg.Settings, job)
	case AdultWithNote:
		return decideAdult(face, reg, job)
	case NotReviewed:
		id, match := reg.Settings.identify(face)
		p := reg.People[id]
		switch {
		case match == ambiguousMatch:
			return Decision{Reason: "ambiguous face: it looks like more than one enrolled person"}
		case match == noMatch || p == nil: // p is nil for a reference left behind by someone removed
			return Decision{Reason: "unknown face"}
		}
		return decidePerson(p, reg.Settings, job)
	default:
		return Decision{Reason: fmt.Sprintf("unrecognised review %d", face.Review)}
	}
}

// matchResult is what the match threshold and margin make of a face (R4).
type matchResult int

const (
	noMatch matchResult = iota
	ambiguousMatch
	sureMatch
)

// identify applies the match threshold and margin (R4) to the matcher's
// distances: the face matches NearestID only when it is at or under the
// threshold and every other person is at least the margin farther away.
func (s Settings) identify(face Face) (string, matchResult) {
	if face.NearestID == "" || !(face.Distance <= s.MatchThreshold+distanceTolerance) {
		return "", noMatch
	}
	if !(face.NextDistance-face.Distance >= s.MatchMargin-distanceTolerance) {
		return "", ambiguousMatch
	}
	return face.NearestID, sureMatch
}

func jobProblem(job Job, s Settings) string {
	if _, err := ParseUnit(string(job.Unit)); err != nil {
		return "the batch has no unit type"
	}
	if !s.HasChannel(job.Channel) {
		return fmt.Sprintf("%q is not one of the register's channels", job.Channel)
	}
	if job.Date.IsZero() {
		return "the export has no date"
	}
	return ""
}

func decideAdult(face Face, reg *Register, job Job) Decision {
	switch {
	case strings.TrimSpace(face.Note) == "":
		return Decision{Reason: "an adult who agreed in person needs a note saying so"}
	case job.Unit == EarlyChildhood:
		return Decision{Reason: "early childhood: only staff with consent are shown"}
	}
	switch id, match := reg.Settings.identify(face); {
	case match == sureMatch && reg.People[id] != nil:
		return Decision{Reason: fmt.Sprintf("recognised as %s: assign the face instead of marking an adult", reg.People[id].DisplayName())}
	case match == ambiguousMatch:
		return Decision{Reason: "looks like enrolled people: assign the face instead of marking an adult"}
	}
	return Decision{Visible: true, Reason: "visible: adult who agreed in person (" + strings.TrimSpace(face.Note) + ")"}
}

func decidePerson(p *Person, s Settings, job Job) Decision {
	channel := ChannelLabel(job.Channel)
	redact := func(reason string) Decision { return Decision{Reason: reason, PersonID: p.ID} }
	if p.Role == Child && (job.Unit == EarlyChildhood || p.Unit == EarlyChildhood) {
		return redact("early childhood: children are never shown")
	}
	if on, ok := p.withdrawnOn(job.Channel, job.Date); ok {
		return redact("consent withdrawn on " + on.String())
	}
	visible := Decision{Visible: true, Reason: fmt.Sprintf("visible: %s has %s consent", p.DisplayName(), channel), PersonID: p.ID}
	if p.Role == Staff {
		if problem, _ := consentProblem(p.Consents, StaffMember, "the staff member", job); problem != "" {
			return redact(problem)
		}
		return visible
	}
	pupil, pupilRecorded := consentProblem(p.Consents, Pupil, "the pupil", job)
	if !p.BirthDate.IsZero() && p.BirthDate.AgeOn(job.Date) >= s.OwnConsentAge {
		if pupil != "" {
			return redact(fmt.Sprintf("%s (from %d the pupil's own consent is needed)", pupil, s.OwnConsentAge))
		}
		return visible
	}
	guardian, guardianRecorded := consentProblem(p.Consents, Guardian, "the guardian", job)
	switch {
	case guardian == "" && pupil == "":
		return visible
	case !guardianRecorded && !pupilRecorded:
		return redact(fmt.Sprintf("no %s consent from the guardian or the pupil", channel))
	case guardian != "" && pupil != "":
		return redact(guardian + "; " + pupil)
	case guardian != "":
		return redact(guardian)
	default:
		return redact(fmt.Sprintf("%s (under %d both the guardian and the pupil must agree)", pupil, s.OwnConsentAge))
	}
}

// consentProblem returns "" when consents hold a consent from giver for
// job's channel valid on job's date, else what is wrong, in words; recorded
// reports whether any consent from giver for the channel exists at all.
func consentProblem(consents []Consent, giver Giver, who string, job Job) (problem string, recorded bool) {
	channel := ChannelLabel(job.Channel)
	problem = fmt.Sprintf("no %s consent from %s", channel, who)
	for _, c := range consents {
		if c.Giver != giver || c.Channel != job.Channel {
			continue
		}
		recorded = true
		switch {
		case c.validOn(job.Date):
			return "", true
		case !c.ValidFrom.IsZero() && job.Date.Before(c.ValidFrom):
			problem = fmt.Sprintf("%s consent from %s starts on %s", channel, who, c.ValidFrom)
		default:
			problem = fmt.Sprintf("%s consent from %s ended on %s", channel, who, c.ValidUntil)
		}
	}
	return problem, recorded
}

// Photo is what the photo-level rules need to know about one photo.
type Photo struct {
	// Photographer is who took the photo ("" when nobody recorded it).
	Photographer string
	// PhotographerChannels are the channels the photographer permits.
	PhotographerChannels []string
	// ChildWork lists the ids of the children whose work (a drawing, a
	// project) the photo shows.
	ChildWork []string
}

// PhotoDecision is the verdict on a whole photo: when Allowed is false the
// photo must not be exported at all, whatever its faces.
type PhotoDecision struct {
	Allowed bool
	Reason  string
}

// CheckPhoto applies R5 (the photographer's permission for the channel) and
// R6 (consent for every child's work the photo shows) to a photo exported
// for job. reg may be nil when the register could not be read; a photo that
// shows a child's work is then refused.
func CheckPhoto(photo Photo, reg *Register, job Job) PhotoDecision {
	channel := ChannelLabel(job.Channel)
	photographer := strings.TrimSpace(photo.Photographer)
	if photographer == "" {
		return PhotoDecision{Reason: "no photographer recorded: every published photo needs the photographer's permission"}
	}
	if !slices.Contains(photo.PhotographerChannels, job.Channel) {
		return PhotoDecision{Reason: fmt.Sprintf("the photographer %s has not permitted %s", photographer, channel)}
	}
	for _, id := range photo.ChildWork {
		if reg == nil {
			return PhotoDecision{Reason: "shows a child's work, and the consent register could not be read"}
		}
		p := reg.People[id]
		if p == nil {
			return PhotoDecision{Reason: fmt.Sprintf("shows the work of %q, who is not in the register", id)}
		}
		if on, ok := p.withdrawnOn(job.Channel, job.Date); ok {
			return PhotoDecision{Reason: fmt.Sprintf("shows %s's work: consent withdrawn on %s", p.DisplayName(), on)}
		}
		if !slices.ContainsFunc(p.WorkConsents, func(c Consent) bool { return c.Channel == job.Channel && c.validOn(job.Date) }) {
			return PhotoDecision{Reason: fmt.Sprintf("shows %s's work: no %s work consent", p.DisplayName(), channel)}
		}
	}
	return PhotoDecision{Allowed: true, Reason: fmt.Sprintf("the photographer %s permits %s", photographer, channel)}
}
