package consent

import (
	"slices"
	"strings"

	"github.com/photovet/photovet/msg"
)

// Unit is the kind of unit a batch of photos (R1) or a child belongs to.
type Unit string

// The unit types of R1.
const (
	EarlyChildhood Unit = "early_childhood" // daycare and preschool: children are never shown (R2)
	School         Unit = "school"          // basic education (R3)
	UpperSecondary Unit = "upper_secondary" // upper secondary (R3)
)

// ParseUnit returns the Unit named s, or an error naming the valid ones.
func ParseUnit(s string) (Unit, error) {
	switch u := Unit(strings.TrimSpace(s)); u {
	case EarlyChildhood, School, UpperSecondary:
		return u, nil
	}
	return "", &msg.Error{Text: msg.New(`unit "{{.Value}}": want early_childhood, school or upper_secondary`, "Value", s)}
}

// Role says whether a person in the register is a child or a staff member.
type Role string

// The roles of people in the register.
const (
	Child Role = "child"
	Staff Role = "staff"
)

// Giver is who gave a consent.
type Giver string

// The givers of consent. Staff give their own consent.
const (
	Guardian    Giver = "guardian"
	Pupil       Giver = "pupil"
	StaffMember Giver = "staff"
)

// AllChannels, as a withdrawal's channel, withdraws consent for every
// channel, including channels added to the settings later.
const AllChannels = "all"

// Consent is one consent for one channel given by one giver, valid from
// ValidFrom to ValidUntil inclusive (a zero Date leaves that end open).
type Consent struct {
	Giver      Giver
	Channel    string
	ValidFrom  Date
	ValidUntil Date
}

// validOn reports whether c covers day.
func (c Consent) validOn(day Date) bool {
	return (c.ValidFrom.IsZero() || !day.Before(c.ValidFrom)) &&
		(c.ValidUntil.IsZero() || !day.After(c.ValidUntil))
}

// Withdrawal records that a person's consent for Channel (or AllChannels) is
// withdrawn from On onwards. It covers photo and work consent from every
// giver, and it survives re-imports of the roster: a roster exported before
// the withdrawal reached the school office cannot bring the consent back.
type Withdrawal struct {
	Channel string
	On      Date
}

// Person is one child or staff member with everything the rules need.
type Person struct {
	ID        string
	Name      string
	Role      Role
	Group     string
	Unit      Unit
	BirthDate Date // zero when unknown; the rules then treat a child as below the own-consent age

	Consents     []Consent // to being shown in photos
	WorkConsents []Consent // to showing the child's work (R6)
	Withdrawals  []Withdrawal

	BiometricOptIn bool // descriptors may be stored (R9)

	// RegistrationKey is drawn at random when the person enters the
	// register and kept while they stay (re-imports of the roster keep
	// it). Someone removed and added again, or another child given a
	// freed id, gets a new one: a review that names the person keeps the
	// key, so that it cannot pass to whoever holds the id later (see
	// Register.Holder).
	RegistrationKey string
}

// DisplayName is the person's name, or their id when the name is empty.
func (p *Person) DisplayName() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// withdrawnOn returns the earliest withdrawal covering channel that is in
// force on day, if any.
func (p *Person) withdrawnOn(channel string, day Date) (Date, bool) {
	var first Date
	for _, w := range p.Withdrawals {
		if (w.Channel == channel || w.Channel == AllChannels) && !w.On.After(day) {
			if first.IsZero() || w.On.Before(first) {
				first = w.On
			}
		}
	}
	return first, !first.IsZero()
}

// Settings are the register's settings. Store.Settings returns the stored
// values over DefaultSettings.
type Settings struct {
	// OwnConsentAge is the age from which a pupil's own consent suffices
	// (R3): 15 by default, 16 in the Netherlands.
	OwnConsentAge int
	// MatchThreshold is the largest descriptor distance that still counts
	// as a match (R4); a sure match is under it by the margin. Stricter
	// than dlib's 0.6: on the shared recognition photos (34 photos, 492
	// pairs of different people) dlib's descriptor put different people
	// from 0.32 apart and the same person up to 0.57, so no threshold
	// separates them; a sure match under 0.44 let 33 of the pairs through
	// (a stranger named as a pupil), under 0.39 four. A name not given
	// costs the reviewer a click; a wrong one can show a child, so a
	// match alone never shows a face (Decide).
	MatchThreshold float64
	// MatchMargin is how much farther the next other person must be than
	// the best match, or the face is ambiguous (R4).
	MatchMargin float64
	// RedactionStyle is "blur" or "solid".
	RedactionStyle string
	// DefaultUnit is the unit type a new batch starts with (R1).
	DefaultUnit Unit
	// Channels are the channels photos can be published on.
	Channels []string
}

// DefaultSettings returns the settings of a new register.
func DefaultSettings() Settings {
	return Settings{
		OwnConsentAge:  15,
		MatchThreshold: 0.45,
		MatchMargin:    0.06,
		RedactionStyle: "blur",
		DefaultUnit:    School,
		Channels:       []string{"website", "facebook", "instagram", "x", "linkedin", "newsletter", "print"},
	}
}

// Validate reports the first setting that the rules cannot work with.
func (s Settings) Validate() error {
	switch {
	case s.OwnConsentAge < 1 || s.OwnConsentAge > 25:
		return &msg.Error{Text: msg.New("own-consent age {{.Age}}: want 1 to 25", "Age", s.OwnConsentAge)}
	case !(s.MatchThreshold > 0 && s.MatchThreshold < 2):
		return &msg.Error{Text: msg.New("match threshold {{.Threshold}}: want more than 0 and less than 2", "Threshold", s.MatchThreshold)}
	case !(s.MatchMargin >= 0 && s.MatchMargin < 2):
		return &msg.Error{Text: msg.New("match margin {{.Margin}}: want 0 to 2", "Margin", s.MatchMargin)}
	case s.RedactionStyle != "blur" && s.RedactionStyle != "solid":
		return &msg.Error{Text: msg.New(`redaction style "{{.Style}}": want blur or solid`, "Style", s.RedactionStyle)}
	case len(s.Channels) == 0:
		return &msg.Error{Text: msg.New("no channels")}
	}
	if _, err := ParseUnit(string(s.DefaultUnit)); err != nil {
		return &msg.Error{Text: msg.New(`default unit "{{.Value}}": want early_childhood, school or upper_secondary`, "Value", s.DefaultUnit)}
	}
	for i, c := range s.Channels {
		if err := checkChannelName(c); err != nil {
			return err
		}
		if slices.Contains(s.Channels[:i], c) {
			return &msg.Error{Text: msg.New(`channel "{{.Channel}}" listed twice`, "Channel", c)}
		}
	}
	return nil
}

// HasChannel reports whether channel is one of the configured channels.
func (s Settings) HasChannel(channel string) bool { return slices.Contains(s.Channels, channel) }

// BatchUnit returns the unit type of a new batch (R1): requested when it is
// not empty, else the default from the settings.
func (s Settings) BatchUnit(requested string) (Unit, error) {
	if strings.TrimSpace(requested) == "" {
		return s.DefaultUnit, nil
	}
	return ParseUnit(requested)
}

func checkChannelName(c string) error {
	if c == "" || c == AllChannels || strings.ContainsAny(c, ",|; \t") || strings.ToLower(c) != c {
		return &msg.Error{Text: msg.New(`channel name "{{.Channel}}": want a lower-case word other than "{{.All}}"`, "Channel", c, "All", AllChannels)}
	}
	return nil
}

// ChannelLabel returns a channel's name as a teacher writes it in a
// sentence: "Instagram", "LinkedIn", but "website" and "newsletter".
func ChannelLabel(channel string) string {
	switch channel {
	case "facebook":
		return "Facebook"
	case "instagram":
		return "Instagram"
	case "x":
		return "X"
	case "linkedin":
		return "LinkedIn"
	default:
		return channel
	}
}

// ChannelName returns ChannelLabel(channel) as a msg.Text, so that the app
// shows it in the user's language (Dutch "nieuwsbrief" for "newsletter"):
// its format is the English label and the translation key. The rules put
// it into their reasons as the {{.Channel}} value; a channel added in the
// settings has no translation and shows as it is written.
func ChannelName(channel string) msg.Text {
	return msg.Text{Format: ChannelLabel(channel)}
}
