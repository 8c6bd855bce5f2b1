package consent

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/photovet/photovet/msg"
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

// UnknownFacesNeedAName reports whether an unknown face in a photo for j
// waits for the reviewer to name it or confirm its redaction. In early
// childhood it does not: R2 hides it whoever it is, and only an
// assignment to enrolled staff could show it, which stays possible;
// asking would stop every daycare photo (children are rarely enrolled
// there) for a decision that cannot make it safer.
func (j Job) UnknownFacesNeedAName() bool { return j.Unit != EarlyChildhood }

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
	// Distance is the Euclidean distance to NearestID's references, as the
	// matcher measures it (vision.NewMatcher: to their mean).
	Distance float64
	// NextDistance is the distance to the references of the nearest other
	// person; math.Inf(1) when nobody else is enrolled. The zero value
	// counts as a rival at distance 0, so leaving it unset fails closed.
	NextDistance float64

	Review     Review
	AssignedID string // the person, for AssignedByHand
	// AssignedKey is AssignedID's Person.RegistrationKey when the face
	// was assigned ("" for an assignment saved before keys were
	// recorded): the assignment holds for that registration only (see
	// InRegister).
	AssignedKey string
	Note        string // why, for AdultWithNote
}

// OnAnotherChannel returns the face with the review that still holds when
// its photo, reviewed for one channel, is vetted for another. Hiding a
// face and naming who it is hold on any channel (the rules then decide
// for the new one); an adult's agreement in person does not: the note
// may record agreement for that channel only (R8), so the face is not
// reviewed again, hidden as the rules decide, until the reviewer marks
// it with a note for the new channel.
func (f Face) OnAnotherChannel() Face {
	if f.Review == AdultWithNote {
		f.Review, f.AssignedID, f.AssignedKey, f.Note = NotReviewed, "", "", ""
	}
	return f
}

// InRegister returns the face with the review that still holds against
// reg. A face assigned to someone reg no longer holds (removed since the
// review was made and saved, or added again since, or another person
// given their id) is not reviewed any more: it is decided as the matcher
// left it and waits for the reviewer again (R4), so that no photo is
// cleared on a decision about a person who is gone, and no face is taken
// for someone the reviewer never saw. An assignment saved before keys
// were recorded (no AssignedKey) is taken for the person who holds the id
// now, as it always was, and keeps their key from then on. The review
// saved for the photo keeps the old id and key until the photo's review
// is saved again. With no register (it could not be read) the face is
// returned as it is: every face is hidden then, and a review dropped
// would be lost for good when the photo is saved.
func (f Face) InRegister(reg *Register) Face {
	if reg == nil || f.Review != AssignedByHand {
		return f
	}
	p := reg.Holder(f.AssignedID, f.AssignedKey)
	if p == nil {
		f.Review, f.AssignedID, f.AssignedKey, f.Note = NotReviewed, "", "", ""
		return f
	}
	f.AssignedKey = p.RegistrationKey
	return f
}

// Holder returns the person who holds id in the register under key, or
// nil when nobody does: the id is gone, or it came back with another
// registration (Person.RegistrationKey). An empty key is a mark saved
// before keys were recorded, held by whoever holds the id.
func (r *Register) Holder(id, key string) *Person {
	p := r.People[id]
	if p == nil || key != "" && key != p.RegistrationKey {
		return nil
	}
	return p
}

// Decision is the rules' verdict on one face.
type Decision struct {
	Visible bool
	// Reason says why, in words a teacher understands ("no Instagram
	// consent from the guardian", "visible: Anna has Instagram consent"),
	// as a msg.Text the app can translate; its String is the English.
	Reason msg.Text
	// PersonID is who the face was taken to be, "" for an unknown face or
	// an adult outside the register.
	PersonID string
	// Recognised is whom the matcher recognised a face as when that
	// person's consent would show it: the face stays redacted, taken for
	// nobody (PersonID ""), until the reviewer confirms who it is (see
	// Decide).
	Recognised string
}

// Decide applies R2, R3, R4 and R8 to one face of a photo exported for job.
// reg may be nil when the register could not be read: the face is then
// redacted (R4).
//
// A match alone never shows a face (R4: a wrong name can show a child
// without consent). dlib's descriptor puts some different children nearer
// than the same child in two photos: of the 255 children of the shared
// test data, 86 pairs of different children lie within a sure match
// (0.39), and in classes of 25 drawn from them with 15 enrolled, 2% of
// the other ten children's faces were taken for an enrolled child. So a
// face recognised as someone whose consent would show it stays redacted,
// carrying Recognised, until the reviewer confirms who it is
// (AssignedByHand); a face recognised as someone it must hide is hidden
// at once, since a wrong name there hides a face and shows nothing.
func Decide(face Face, reg *Register, job Job) Decision {
	if reg == nil {
		return Decision{Reason: msg.New("the consent register could not be read")}
	}
	if reason := jobProblem(job, reg.Settings); !reason.IsZero() {
		return Decision{Reason: reason}
	}
	switch face.Review {
	case ForceRedacted:
		id, _ := reg.Settings.identify(face)
		if reg.People[id] == nil { // a reference left behind by someone removed
			id = ""
		}
		return Decision{Reason: msg.New("redacted by the reviewer"), PersonID: id}
	case AssignedByHand:
		p := reg.Holder(face.AssignedID, face.AssignedKey)
		if p == nil {
			return Decision{Reason: msg.New("assigned to {{.ID}}, who is not in the register", "ID", quoted(face.AssignedID))}
		}
		return decidePerson(p, reg.Settings, job)
	case AdultWithNote:
		return decideAdult(face, reg, job)
	case NotReviewed:
		id, match := reg.Settings.identify(face)
		p := reg.People[id]
		switch {
		case match == ambiguousMatch:
			return Decision{Reason: msg.New("ambiguous face: it looks like more than one enrolled person")}
		case match == uncertainMatch:
			return Decision{Reason: msg.New("not a clear match: it may be someone who is not enrolled")}
		case match == noMatch || p == nil: // p is nil for a reference left behind by someone removed
			return Decision{Reason: msg.New("unknown face")}
		}
		decision := decidePerson(p, reg.Settings, job)
		if decision.Visible {
			return Decision{Reason: msg.New("looks like {{.Name}}: confirm who it is to show the face", "Name", p.DisplayName()), Recognised: p.ID}
		}
		return decision
	default:
		return Decision{Reason: msg.New("unrecognised review {{.Review}}", "Review", int(face.Review))}
	}
}

// quoted returns s in Go quotes, as the reasons show an id that may be
// empty or hold spaces.
func quoted(s string) string { return strconv.Quote(s) }

// matchResult is what the match threshold and margin make of a face (R4).
type matchResult int

const (
	noMatch matchResult = iota
	ambiguousMatch
	// uncertainMatch: within the threshold, but by less than the margin.
	uncertainMatch
	sureMatch
)

// identify applies the match threshold and margin (R4) to the matcher's
// distances: the face matches NearestID only when it is under the threshold
// by at least the margin and every other person is at least the margin
// farther away.
func (s Settings) identify(face Face) (string, matchResult) {
	if face.NearestID == "" || !(face.Distance <= s.MatchThreshold+distanceTolerance) {
		return "", noMatch
	}
	if !(face.NextDistance-face.Distance >= s.MatchMargin-distanceTolerance) {
		return "", ambiguousMatch
	}
	// Everyone who is not enrolled (a child of another class, a visitor)
	// stands at the threshold: a face that beats it by less than the
	// margin may as well be one of them. Enrolled from one portrait, a
	// stranger came out at 0.4996 from a pupil (TestVetEndToEndCLI).
	if !(s.MatchThreshold-face.Distance >= s.MatchMargin-distanceTolerance) {
		return "", uncertainMatch
	}
	return face.NearestID, sureMatch
}

func jobProblem(job Job, s Settings) msg.Text {
	if _, err := ParseUnit(string(job.Unit)); err != nil {
		return msg.New("the batch has no unit type")
	}
	if !s.HasChannel(job.Channel) {
		return msg.New("{{.Channel}} is not one of the register's channels", "Channel", quoted(job.Channel))
	}
	if job.Date.IsZero() {
		return msg.New("the export has no date")
	}
	return msg.Text{}
}

func decideAdult(face Face, reg *Register, job Job) Decision {
	if strings.TrimSpace(face.Note) == "" {
		return Decision{Reason: msg.New("an adult who agreed in person needs a note saying so")}
	}
	if refusal := AdultRefusal(face, reg, job); !refusal.IsZero() {
		return Decision{Reason: refusal}
	}
	return Decision{Visible: true, Reason: msg.New("visible: adult who agreed in person ({{.Note}})", "Note", strings.TrimSpace(face.Note))}
}

// AdultRefusal returns why the rules would not show face as an adult who
// agreed in person (R8) whatever note the reviewer wrote, or zero when a
// note is all they need: the review offers the choice only then, rather
// than refusing it once made. A face that is, or may be, someone in the
// register is assigned instead; in early childhood only staff with
// consent are shown.
func AdultRefusal(face Face, reg *Register, job Job) msg.Text {
	if reg == nil {
		return msg.New("the consent register could not be read")
	}
	if job.Unit == EarlyChildhood {
		return msg.New("early childhood: only staff with consent are shown")
	}
	switch id, match := reg.Settings.identify(face); {
	case match == sureMatch && reg.People[id] != nil:
		return msg.New("recognised as {{.Name}}: assign the face instead of marking an adult", "Name", reg.People[id].DisplayName())
	case match == ambiguousMatch || match == uncertainMatch:
		return msg.New("looks like enrolled people: assign the face instead of marking an adult")
	}
	return msg.Text{}
}

func decidePerson(p *Person, s Settings, job Job) Decision {
	channel := ChannelName(job.Channel)
	redact := func(reason msg.Text) Decision { return Decision{Reason: reason, PersonID: p.ID} }
	if p.Role == Child && (job.Unit == EarlyChildhood || p.Unit == EarlyChildhood) {
		return redact(msg.New("early childhood: children are never shown"))
	}
	if on, ok := p.withdrawnOn(job.Channel, job.Date); ok {
		return redact(msg.New("consent withdrawn on {{.Date}}", "Date", on))
	}
	visible := Decision{Visible: true, Reason: msg.New("visible: {{.Name}} has {{.Channel}} consent", "Name", p.DisplayName(), "Channel", channel), PersonID: p.ID}
	if p.Role == Staff {
		if problem, _ := consentProblem(p.Consents, StaffMember, job); !problem.IsZero() {
			return redact(problem)
		}
		return visible
	}
	pupil, pupilRecorded := consentProblem(p.Consents, Pupil, job)
	if !p.BirthDate.IsZero() && p.BirthDate.AgeOn(job.Date) >= s.OwnConsentAge {
		if !pupil.IsZero() {
			return redact(msg.New("{{.Problem}} (from {{.Age}} the pupil's own consent is needed)", "Problem", pupil, "Age", s.OwnConsentAge))
		}
		return visible
	}
	guardian, guardianRecorded := consentProblem(p.Consents, Guardian, job)
	switch {
	case guardian.IsZero() && pupil.IsZero():
		return visible
	case !guardianRecorded && !pupilRecorded:
		return redact(msg.New("no {{.Channel}} consent from the guardian or the pupil", "Channel", channel))
	case !guardian.IsZero() && !pupil.IsZero():
		return redact(msg.New("{{.Guardian}}; {{.Pupil}}", "Guardian", guardian, "Pupil", pupil))
	case !guardian.IsZero():
		return redact(guardian)
	default:
		return redact(msg.New("{{.Problem}} (under {{.Age}} both the guardian and the pupil must agree)", "Problem", pupil, "Age", s.OwnConsentAge))
	}
}

// consentProblem returns a zero msg.Text when consents hold a consent from
// giver for job's channel valid on job's date, else what is wrong, in
// words; recorded reports whether any consent from giver for the channel
// exists at all.
func consentProblem(consents []Consent, giver Giver, job Job) (problem msg.Text, recorded bool) {
	channel := ChannelName(job.Channel)
	problem = missingConsent(giver, channel)
	for _, c := range consents {
		if c.Giver != giver || c.Channel != job.Channel {
			continue
		}
		recorded = true
		switch {
		case c.validOn(job.Date):
			return msg.Text{}, true
		case !c.ValidFrom.IsZero() && job.Date.Before(c.ValidFrom):
			problem = consentStarts(giver, channel, c.ValidFrom)
		default:
			problem = consentEnded(giver, channel, c.ValidUntil)
		}
	}
	return problem, recorded
}

// missingConsent, consentStarts and consentEnded word consentProblem's
// reasons, one sentence per giver: languages other than English inflect
// "the guardian" differently in each.
func missingConsent(giver Giver, channel msg.Text) msg.Text {
	switch giver {
	case Guardian:
		return msg.New("no {{.Channel}} consent from the guardian", "Channel", channel)
	case Pupil:
		return msg.New("no {{.Channel}} consent from the pupil", "Channel", channel)
	default:
		return msg.New("no {{.Channel}} consent from the staff member", "Channel", channel)
	}
}

func consentStarts(giver Giver, channel msg.Text, on Date) msg.Text {
	switch giver {
	case Guardian:
		return msg.New("{{.Channel}} consent from the guardian starts on {{.Date}}", "Channel", channel, "Date", on)
	case Pupil:
		return msg.New("{{.Channel}} consent from the pupil starts on {{.Date}}", "Channel", channel, "Date", on)
	default:
		return msg.New("{{.Channel}} consent from the staff member starts on {{.Date}}", "Channel", channel, "Date", on)
	}
}

func consentEnded(giver Giver, channel msg.Text, on Date) msg.Text {
	switch giver {
	case Guardian:
		return msg.New("{{.Channel}} consent from the guardian ended on {{.Date}}", "Channel", channel, "Date", on)
	case Pupil:
		return msg.New("{{.Channel}} consent from the pupil ended on {{.Date}}", "Channel", channel, "Date", on)
	default:
		return msg.New("{{.Channel}} consent from the staff member ended on {{.Date}}", "Channel", channel, "Date", on)
	}
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
	// ChildWorkKeys holds, by id, the Person.RegistrationKey each child
	// of ChildWork had when the work was marked; a child missing from it
	// (marked before keys were recorded) is whoever holds the id.
	ChildWorkKeys map[string]string
}

// InRegister returns the photo with a registration key for every child of
// ChildWork who has none yet and is in reg, so that the mark holds for
// that registration from then on (see Face.InRegister). A mark that reg
// no longer holds is kept: unlike an assignment, which only ever shows a
// face, a mark of a child's work is what refuses the photo (CheckPhoto).
func (p Photo) InRegister(reg *Register) Photo {
	if reg == nil {
		return p
	}
	keys := maps.Clone(p.ChildWorkKeys)
	for _, id := range p.ChildWork {
		if person := reg.People[id]; person != nil && keys[id] == "" {
			if keys == nil {
				keys = map[string]string{}
			}
			keys[id] = person.RegistrationKey
		}
	}
	p.ChildWorkKeys = keys
	return p
}

// PhotoDecision is the verdict on a whole photo: when Allowed is false the
// photo must not be exported at all, whatever its faces.
type PhotoDecision struct {
	// Allowed is true exactly when Reasons is empty.
	Allowed bool
	// Reason says why in one sentence: for an allowed photo that the
	// photographer permits the channel, for a refused one the first of
	// Reasons.
	Reason msg.Text
	// Reasons lists every reason the photo is refused for (no
	// photographer's permission, each child's work without consent); it is
	// empty when the photo is allowed.
	Reasons []msg.Text
}

// CheckPhoto applies R5 (the photographer's permission for the channel) and
// R6 (consent for every child's work the photo shows) to a photo exported
// for job, and reports every reason it is refused for. reg may be nil when
// the register could not be read; a photo that shows a child's work is then
// refused.
func CheckPhoto(photo Photo, reg *Register, job Job) PhotoDecision {
	channel := ChannelName(job.Channel)
	photographer := strings.TrimSpace(photo.Photographer)
	var reasons []msg.Text
	switch {
	case photographer == "":
		reasons = append(reasons, msg.New("no photographer recorded: every published photo needs the photographer's permission"))
	case !slices.Contains(photo.PhotographerChannels, job.Channel):
		reasons = append(reasons, msg.New("the photographer {{.Name}} has not permitted {{.Channel}}", "Name", photographer, "Channel", channel))
	}
	if len(photo.ChildWork) > 0 && reg == nil {
		reasons = append(reasons, msg.New("shows a child's work, and the consent register could not be read"))
	} else {
		for _, id := range photo.ChildWork {
			p := reg.Holder(id, photo.ChildWorkKeys[id])
			switch {
			case reg.People[id] == nil:
				reasons = append(reasons, msg.New("shows the work of {{.ID}}, who is not in the register", "ID", quoted(id)))
				continue
			case p == nil:
				reasons = append(reasons, msg.New("shows the work of {{.ID}}, marked before that id left the register and came back: mark whose work it is again", "ID", quoted(id)))
				continue
			}
			if on, ok := p.withdrawnOn(job.Channel, job.Date); ok {
				reasons = append(reasons, msg.New("shows {{.Name}}'s work: consent withdrawn on {{.Date}}", "Name", p.DisplayName(), "Date", on))
				continue
			}
			if !slices.ContainsFunc(p.WorkConsents, func(c Consent) bool { return c.Channel == job.Channel && c.validOn(job.Date) }) {
				reasons = append(reasons, msg.New("shows {{.Name}}'s work: no {{.Channel}} work consent", "Name", p.DisplayName(), "Channel", channel))
			}
		}
	}
	if len(reasons) > 0 {
		return PhotoDecision{Reason: reasons[0], Reasons: reasons}
	}
	return PhotoDecision{Allowed: true, Reason: msg.New("the photographer {{.Name}} permits {{.Channel}}", "Name", photographer, "Channel", channel)}
}
