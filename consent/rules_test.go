package consent

import (
	"math"
	"strings"
	"testing"
)

// exportDay is the export date most rules tests use.
var exportDay = NewDate(2026, 11, 21)

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// consents returns one open-ended consent from giver for each channel.
func consents(giver Giver, channels ...string) []Consent {
	var list []Consent
	for _, c := range channels {
		list = append(list, Consent{Giver: giver, Channel: c})
	}
	return list
}

func newRegister(people ...*Person) *Register {
	reg := &Register{Settings: DefaultSettings(), People: map[string]*Person{}}
	for _, p := range people {
		reg.People[p.ID] = p
	}
	return reg
}

// matchedFace is a face the matcher attributed to id without doubt.
func matchedFace(id string) Face {
	return Face{NearestID: id, Distance: 0.3, NextDistance: math.Inf(1)}
}

// confirmedFace is a face the matcher attributed to id without doubt and
// the reviewer confirmed as id: what R1-R3 and R7 decide on.
func confirmedFace(id string) Face {
	f := matchedFace(id)
	f.Review, f.AssignedID = AssignedByHand, id
	return f
}

func schoolJob(channel string, on Date) Job { return Job{Unit: School, Channel: channel, Date: on} }

// anna is a ten-year-old with guardian and pupil consent for Facebook and
// the website, and nothing for Instagram.
func anna() *Person {
	return &Person{
		ID: "S-1", Name: "Anna", Role: Child, Group: "3B", Unit: School, BirthDate: day("2016-04-12"),
		Consents: append(consents(Guardian, "facebook", "website"), consents(Pupil, "facebook", "website")...),
	}
}

// marja is a staff member with her own consent for every channel but X.
func marja() *Person {
	return &Person{
		ID: "T-1", Name: "Marja", Role: Staff, Unit: EarlyChildhood,
		Consents: consents(StaffMember, "website", "facebook", "instagram", "linkedin", "newsletter", "print"),
	}
}

type decideCase struct {
	name        string
	face        Face
	job         Job
	wantVisible bool
	wantReason  string // a substring of the reason
}

func runDecideCases(t *testing.T, reg *Register, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(tc.face, reg, tc.job)
			t.Logf("visible=%v reason=%q", got.Visible, got.Reason)
			if got.Visible != tc.wantVisible || !strings.Contains(got.Reason.String(), tc.wantReason) {
				t.Errorf("Decide = %+v, want visible=%v with a reason containing %q", got, tc.wantVisible, tc.wantReason)
			}
		})
	}
}

func TestR1_BatchUnitType(t *testing.T) {
	set := DefaultSettings()
	for _, tc := range []struct {
		defaultUnit Unit
		requested   string
		want        Unit
		wantErr     bool
	}{
		{School, "", School, false},
		{EarlyChildhood, "", EarlyChildhood, false},
		{EarlyChildhood, "school", School, false},
		{School, " upper_secondary ", UpperSecondary, false},
		{School, "early_childhood", EarlyChildhood, false},
		{School, "kindergarten", "", true},
	} {
		set.DefaultUnit = tc.defaultUnit
		got, err := set.BatchUnit(tc.requested)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("BatchUnit(%q) with default %s = %q, %v; want %q (error %v)", tc.requested, tc.defaultUnit, got, err, tc.want, tc.wantErr)
		}
	}
	if DefaultSettings().DefaultUnit != School {
		t.Errorf("default unit type = %s, want school", DefaultSettings().DefaultUnit)
	}

	// The batch's unit type, not only the child's own unit, decides.
	reg := newRegister(anna())
	runDecideCases(t, reg, []decideCase{
		{"school batch", confirmedFace("S-1"), schoolJob("facebook", exportDay), true, "visible: Anna has Facebook consent"},
		{"upper secondary batch", confirmedFace("S-1"), Job{UpperSecondary, "facebook", exportDay}, true, "visible"},
		{"early childhood batch", confirmedFace("S-1"), Job{EarlyChildhood, "facebook", exportDay}, false, "early childhood: children are never shown"},
		{"batch without unit type", confirmedFace("S-1"), Job{"", "facebook", exportDay}, false, "the batch has no unit type"},
		{"batch with a made-up unit type", confirmedFace("S-1"), Job{"kindergarten", "facebook", exportDay}, false, "the batch has no unit type"},
		{"unknown channel", confirmedFace("S-1"), schoolJob("tiktok", exportDay), false, `"tiktok" is not one of the register's channels`},
		{"no export date", confirmedFace("S-1"), schoolJob("facebook", Date{}), false, "the export has no date"},
	})
}

func TestR2_EarlyChildhood(t *testing.T) {
	everything := DefaultSettings().Channels
	eetu := &Person{ID: "L-1", Name: "Eetu", Role: Child, Unit: EarlyChildhood, BirthDate: day("2021-06-14"),
		Consents: append(consents(Guardian, everything...), consents(Pupil, everything...)...)}
	// Anna (school) with every consent, photographed at a joint event.
	annaAll := anna()
	annaAll.Consents = append(consents(Guardian, everything...), consents(Pupil, everything...)...)
	withdrawnStaff := marja()
	withdrawnStaff.ID, withdrawnStaff.Name = "T-2", "Pekka"
	withdrawnStaff.Withdrawals = []Withdrawal{{Channel: AllChannels, On: day("2026-11-01")}}
	reg := newRegister(eetu, annaAll, marja(), withdrawnStaff)
	ec := func(channel string) Job { return Job{EarlyChildhood, channel, exportDay} }
	runDecideCases(t, reg, []decideCase{
		{"child with every consent", confirmedFace("L-1"), ec("website"), false, "early childhood: children are never shown"},
		{"early childhood child in a school batch", confirmedFace("L-1"), schoolJob("website", exportDay), false, "early childhood: children are never shown"},
		{"school child in an early childhood batch", confirmedFace("S-1"), ec("website"), false, "early childhood"},
		{"child assigned by hand", Face{Review: AssignedByHand, AssignedID: "L-1"}, ec("website"), false, "early childhood"},
		{"staff with consent", confirmedFace("T-1"), ec("instagram"), true, "visible: Marja has Instagram consent"},
		{"staff assigned by hand", Face{Review: AssignedByHand, AssignedID: "T-1"}, ec("instagram"), true, "visible: Marja"},
		{"staff without consent for the channel", confirmedFace("T-1"), ec("x"), false, "no X consent from the staff member"},
		{"staff who withdrew", confirmedFace("T-2"), ec("instagram"), false, "consent withdrawn on 2026-11-01"},
		{"staff in a school batch", confirmedFace("T-1"), schoolJob("website", exportDay), true, "visible"},
		{"unknown face", Face{NextDistance: math.Inf(1)}, ec("website"), false, "unknown face"},
		{"adult with a note", Face{Review: AdultWithNote, Note: "Eetu's grandmother, agreed at the gate", NextDistance: math.Inf(1)}, ec("website"), false, "early childhood: only staff with consent are shown"},
	})
}

func TestR3_OwnConsentAge(t *testing.T) {
	// Emma turns 15 on the export day; she agreed to Instagram, her
	// guardian did not.
	emma := &Person{ID: "S-5", Name: "Emma", Role: Child, Unit: School, BirthDate: day("2011-11-21"),
		Consents: append(consents(Guardian, "website"), consents(Pupil, "website", "instagram")...)}
	// Bo was born on 29 February.
	bo := &Person{ID: "S-6", Name: "Bo", Role: Child, Unit: School, BirthDate: day("2012-02-29"),
		Consents: consents(Pupil, "instagram")}
	// Daan's guardian agreed to Instagram, Daan (16) did not.
	daan := &Person{ID: "S-7", Name: "Daan", Role: Child, Unit: School, BirthDate: day("2010-03-05"),
		Consents: consents(Guardian, "instagram")}
	// Nobody knows Noor's birth date: she counts as below the age.
	noor := &Person{ID: "S-8", Name: "Noor", Role: Child, Unit: School, Consents: consents(Pupil, "instagram")}
	reg := newRegister(emma, bo, daan, noor, anna())
	ig := func(on string) Job { return schoolJob("instagram", day(on)) }
	runDecideCases(t, reg, []decideCase{
		{"day before the 15th birthday", confirmedFace("S-5"), ig("2026-11-20"), false, "no Instagram consent from the guardian"},
		{"15th birthday", confirmedFace("S-5"), ig("2026-11-21"), true, "visible: Emma has Instagram consent"},
		{"day after the 15th birthday", confirmedFace("S-5"), ig("2026-11-22"), true, "visible"},
		{"29 February birthday: 28 February of a common year", confirmedFace("S-6"), ig("2027-02-28"), false, "no Instagram consent from the guardian"},
		{"29 February birthday: 1 March of a common year", confirmedFace("S-6"), ig("2027-03-01"), true, "visible"},
		{"from the age the guardian alone does not suffice", confirmedFace("S-7"), ig("2026-11-21"), false, "no Instagram consent from the pupil (from 15 the pupil's own consent is needed)"},
		{"below the age the pupil alone does not suffice", confirmedFace("S-8"), ig("2026-11-21"), false, "no Instagram consent from the guardian"},
		{"below the age the guardian alone does not suffice", confirmedFace("S-7"), ig("2024-11-21"), false, "no Instagram consent from the pupil (under 15 both the guardian and the pupil must agree)"},
		{"below the age with both", confirmedFace("S-1"), schoolJob("website", exportDay), true, "visible: Anna has website consent"},
		{"neither consent", confirmedFace("S-1"), ig("2026-11-21"), false, "no Instagram consent from the guardian or the pupil"},
	})

	// The age is a setting: 16 in the Netherlands.
	reg.Settings.OwnConsentAge = 16
	runDecideCases(t, reg, []decideCase{
		{"NL: 15th birthday", confirmedFace("S-5"), ig("2026-11-21"), false, "no Instagram consent from the guardian"},
		{"NL: day before the 16th birthday", confirmedFace("S-5"), ig("2027-11-20"), false, "guardian"},
		{"NL: 16th birthday", confirmedFace("S-5"), ig("2027-11-21"), true, "visible"},
	})
}

func TestR3_ValidityPeriod(t *testing.T) {
	period := func(giver Giver) Consent {
		return Consent{Giver: giver, Channel: "website", ValidFrom: day("2026-08-17"), ValidUntil: day("2027-07-31")}
	}
	sem := &Person{ID: "S-2", Name: "Sem", Role: Child, Unit: School, BirthDate: day("2015-05-05"),
		Consents: []Consent{period(Guardian), period(Pupil)}}
	// Lotte's guardian consent ends a month before the pupil's.
	lotte := &Person{ID: "S-3", Name: "Lotte", Role: Child, Unit: School, BirthDate: day("2015-05-05"),
		Consents: []Consent{{Giver: Guardian, Channel: "website", ValidUntil: day("2027-06-30")}, period(Pupil)}}
	reg := newRegister(sem, lotte)
	web := func(on string) Job { return schoolJob("website", day(on)) }
	runDecideCases(t, reg, []decideCase{
		{"day before the start", confirmedFace("S-2"), web("2026-08-16"), false, "website consent from the guardian starts on 2026-08-17; website consent from the pupil starts on 2026-08-17"},
		{"first day", confirmedFace("S-2"), web("2026-08-17"), true, "visible"},
		{"last day", confirmedFace("S-2"), web("2027-07-31"), true, "visible"},
		{"day after the end", confirmedFace("S-2"), web("2027-08-01"), false, "website consent from the guardian ended on 2027-07-31"},
		{"one giver's consent ended", confirmedFace("S-3"), web("2027-07-01"), false, "website consent from the guardian ended on 2027-06-30"},
		{"one giver's consent not yet started", confirmedFace("S-3"), web("2026-08-01"), false, "website consent from the pupil starts on 2026-08-17"},
	})
}

func TestR3_PerChannel(t *testing.T) {
	reg := newRegister(anna())
	runDecideCases(t, reg, []decideCase{
		{"Facebook yes", confirmedFace("S-1"), schoolJob("facebook", exportDay), true, "visible: Anna has Facebook consent"},
		{"Instagram no", confirmedFace("S-1"), schoolJob("instagram", exportDay), false, "no Instagram consent from the guardian or the pupil"},
		{"LinkedIn no", confirmedFace("S-1"), schoolJob("linkedin", exportDay), false, "no LinkedIn consent"},
	})
}

func TestR4_FailClosed(t *testing.T) {
	reg := newRegister(anna(), marja())
	fb := schoolJob("facebook", exportDay)
	runDecideCases(t, reg, []decideCase{
		{"no descriptor match at all", Face{NextDistance: math.Inf(1)}, fb, false, "unknown face"},
		{"distance at the threshold", Face{NearestID: "S-1", Distance: 0.45, NextDistance: math.Inf(1)}, fb, false, "not a clear match"},
		{"distance under the threshold by less than the margin", Face{NearestID: "S-1", Distance: 0.4496, NextDistance: math.Inf(1)}, fb, false, "not a clear match"},
		{"distance under the threshold by the margin", Face{NearestID: "S-1", Distance: 0.39, NextDistance: math.Inf(1)}, fb, false, "looks like Anna: confirm who it is"},
		{"distance under the threshold by the margin in float32", Face{NearestID: "S-1", Distance: float64(float32(0.39)), NextDistance: 0.6}, fb, false, "looks like Anna"},
		{"distance just over the threshold", Face{NearestID: "S-1", Distance: 0.4501, NextDistance: math.Inf(1)}, fb, false, "unknown face"},
		{"distance not a number", Face{NearestID: "S-1", Distance: math.NaN(), NextDistance: math.Inf(1)}, fb, false, "unknown face"},
		{"margin exactly met", Face{NearestID: "S-1", Distance: 0.33, NextDistance: 0.39}, fb, false, "looks like Anna"},
		{"recognised, no consent for the channel", matchedFace("S-1"), schoolJob("instagram", exportDay), false, "no Instagram consent"},
		{"recognised, confirmed by the reviewer", confirmedFace("S-1"), fb, true, "visible: Anna has Facebook consent"},
		{"margin just missed", Face{NearestID: "S-1", Distance: 0.33, NextDistance: 0.389}, fb, false, "ambiguous face"},
		{"rival unset (zero) fails closed", Face{NearestID: "S-1", Distance: 0.2}, fb, false, "ambiguous face"},
		{"matched someone no longer in the register", matchedFace("S-99"), fb, false, "unknown face"},
		{"staff member too far away", Face{NearestID: "T-1", Distance: 0.7, NextDistance: 0.9}, fb, false, "unknown face"},
	})

	// The margin and threshold are settings.
	reg.Settings.MatchThreshold, reg.Settings.MatchMargin = 0.4, 0.1
	runDecideCases(t, reg, []decideCase{
		{"stricter threshold", Face{NearestID: "S-1", Distance: 0.45, NextDistance: math.Inf(1)}, fb, false, "unknown face"},
		{"wider margin", Face{NearestID: "S-1", Distance: 0.30, NextDistance: 0.38}, fb, false, "ambiguous face"},
	})
}

func TestR4_RegisterUnreadable(t *testing.T) {
	fb := schoolJob("facebook", exportDay)
	for _, face := range []Face{
		matchedFace("S-1"),
		{Review: AssignedByHand, AssignedID: "S-1"},
		{Review: AdultWithNote, Note: "a parent", NextDistance: math.Inf(1)},
		{NextDistance: math.Inf(1)},
	} {
		got := Decide(face, nil, fb)
		if got.Visible || got.Reason.String() != "the consent register could not be read" {
			t.Errorf("Decide(%+v, nil register) = %+v, want redacted because the register could not be read", face, got)
		}
	}
}

func TestR5_PhotographerPermission(t *testing.T) {
	ig := schoolJob("instagram", exportDay)
	for _, tc := range []struct {
		name        string
		photo       Photo
		wantAllowed bool
		wantReason  string
	}{
		{"no photographer", Photo{PhotographerChannels: []string{"instagram"}}, false, "no photographer recorded"},
		{"blank photographer", Photo{Photographer: "  ", PhotographerChannels: []string{"instagram"}}, false, "no photographer recorded"},
		{"taken for the website only", Photo{Photographer: "Jan Smit", PhotographerChannels: []string{"website"}}, false, "the photographer Jan Smit has not permitted Instagram"},
		{"no channel permitted", Photo{Photographer: "Jan Smit"}, false, "has not permitted Instagram"},
		{"separate permission for Instagram", Photo{Photographer: "Jan Smit", PhotographerChannels: []string{"website", "instagram"}}, true, "the photographer Jan Smit permits Instagram"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckPhoto(tc.photo, newRegister(), ig)
			t.Logf("allowed=%v reason=%q reasons=%q", got.Allowed, got.Reason, got.Reasons)
			checkPhotoDecision(t, got)
			if got.Allowed != tc.wantAllowed || !strings.Contains(got.Reason.String(), tc.wantReason) {
				t.Errorf("CheckPhoto = %+v, want allowed=%v with %q", got, tc.wantAllowed, tc.wantReason)
			}
			// The photographer's permission does not depend on the register.
			if nilReg := CheckPhoto(tc.photo, nil, ig); nilReg.Allowed != got.Allowed || nilReg.Reason.String() != got.Reason.String() || photoReasons(nilReg) != photoReasons(got) {
				t.Errorf("CheckPhoto with an unreadable register = %+v, want %+v", nilReg, got)
			}
		})
	}
}

func TestR6_ChildWork(t *testing.T) {
	lena := &Person{ID: "S-4", Name: "Lena", Role: Child, Unit: School, BirthDate: day("2017-01-01"),
		WorkConsents: []Consent{{Giver: Guardian, Channel: "website", ValidUntil: day("2027-07-31")}, {Giver: Guardian, Channel: "instagram"}}}
	withdrawn := &Person{ID: "S-9", Name: "Mila", Role: Child, Unit: School, BirthDate: day("2017-01-01"),
		WorkConsents: consents(Guardian, "website"), Withdrawals: []Withdrawal{{Channel: "website", On: day("2026-10-02")}}}
	reg := newRegister(lena, withdrawn, anna())
	photo := func(ids ...string) Photo {
		return Photo{Photographer: "Jan Smit", PhotographerChannels: DefaultSettings().Channels, ChildWork: ids}
	}
	for _, tc := range []struct {
		name        string
		photo       Photo
		reg         *Register
		job         Job
		wantAllowed bool
		wantReason  string
	}{
		{"no child's work", photo(), reg, schoolJob("facebook", exportDay), true, "permits Facebook"},
		{"work consent for the channel", photo("S-4"), reg, schoolJob("website", exportDay), true, "permits website"},
		{"work consent for another channel only", photo("S-4"), reg, schoolJob("facebook", exportDay), false, "shows Lena's work: no Facebook work consent"},
		{"work consent ended", photo("S-4"), reg, schoolJob("website", day("2027-08-01")), false, "shows Lena's work: no website work consent"},
		{"one of two children lacks it", photo("S-4", "S-1"), reg, schoolJob("instagram", exportDay), false, "shows Anna's work"},
		{"withdrawn", photo("S-9"), reg, schoolJob("website", exportDay), false, "shows Mila's work: consent withdrawn on 2026-10-02"},
		{"not in the register", photo("S-77"), reg, schoolJob("website", exportDay), false, `shows the work of "S-77", who is not in the register`},
		{"register unreadable", photo("S-4"), nil, schoolJob("website", exportDay), false, "the consent register could not be read"},
		{"register unreadable, no child's work", photo(), nil, schoolJob("website", exportDay), true, "permits website"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckPhoto(tc.photo, tc.reg, tc.job)
			t.Logf("allowed=%v reason=%q reasons=%q", got.Allowed, got.Reason, got.Reasons)
			checkPhotoDecision(t, got)
			if got.Allowed != tc.wantAllowed || !strings.Contains(got.Reason.String(), tc.wantReason) {
				t.Errorf("CheckPhoto = %+v, want allowed=%v with %q", got, tc.wantAllowed, tc.wantReason)
			}
		})
	}
}

// checkPhotoDecision checks what PhotoDecision promises: Allowed exactly
// when no reason refuses the photo, Reason the first of them.
func checkPhotoDecision(t *testing.T, d PhotoDecision) {
	t.Helper()
	if d.Allowed != (len(d.Reasons) == 0) {
		t.Errorf("allowed=%v with %d reasons %q", d.Allowed, len(d.Reasons), d.Reasons)
	}
	if d.Reason.IsZero() || !d.Allowed && d.Reason.String() != d.Reasons[0].String() {
		t.Errorf("reason %q, reasons %q: want the first of the reasons, or why it is allowed", d.Reason, d.Reasons)
	}
}

// photoReasons joins the reasons a photo is refused for, in English.
func photoReasons(d PhotoDecision) string {
	var s []string
	for _, r := range d.Reasons {
		s = append(s, r.String())
	}
	return strings.Join(s, "; ")
}

// A photo refused for several reasons reports every one of them, so that
// the teacher can fix them all at once.
func TestCheckPhotoReportsEveryReason(t *testing.T) {
	lena := &Person{ID: "S-4", Name: "Lena", Role: Child, Unit: School, BirthDate: day("2017-01-01"),
		WorkConsents: []Consent{{Giver: Guardian, Channel: "instagram"}}}
	withdrawn := &Person{ID: "S-9", Name: "Mila", Role: Child, Unit: School, BirthDate: day("2017-01-01"),
		WorkConsents: consents(Guardian, "website"), Withdrawals: []Withdrawal{{Channel: AllChannels, On: day("2026-10-02")}}}
	reg := newRegister(lena, withdrawn, anna())
	web := schoolJob("website", exportDay)
	for _, tc := range []struct {
		name  string
		photo Photo
		reg   *Register
		want  []string
	}{
		{"no photographer and a child's work without consent", Photo{ChildWork: []string{"S-1"}}, reg, []string{
			"no photographer recorded: every published photo needs the photographer's permission",
			"shows Anna's work: no website work consent",
		}},
		{"photographer's permission and three children", Photo{Photographer: "Jan Smit", PhotographerChannels: []string{"instagram"}, ChildWork: []string{"S-1", "S-4", "S-9", "S-77"}}, reg, []string{
			"the photographer Jan Smit has not permitted website",
			"shows Anna's work: no website work consent",
			"shows Lena's work: no website work consent",
			"shows Mila's work: consent withdrawn on 2026-10-02",
			`shows the work of "S-77", who is not in the register`,
		}},
		{"register unreadable: one reason for all the work", Photo{ChildWork: []string{"S-1", "S-4"}}, nil, []string{
			"no photographer recorded: every published photo needs the photographer's permission",
			"shows a child's work, and the consent register could not be read",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckPhoto(tc.photo, tc.reg, web)
			checkPhotoDecision(t, got)
			if want := strings.Join(tc.want, "; "); got.Allowed || photoReasons(got) != want {
				t.Errorf("CheckPhoto reasons\n  %s\nwant\n  %s", photoReasons(got), want)
			}
		})
	}
}

func TestR7_WithdrawalDate(t *testing.T) {
	withdrawnAnna := func(channel, on string) *Person {
		p := anna()
		p.Withdrawals = []Withdrawal{{Channel: channel, On: day(on)}}
		return p
	}
	fb := schoolJob("facebook", day("2026-10-02"))
	for _, tc := range []struct {
		name        string
		person      *Person
		job         Job
		wantVisible bool
		wantReason  string
	}{
		{"withdrawn the day before the export", withdrawnAnna("facebook", "2026-10-01"), fb, false, "consent withdrawn on 2026-10-01"},
		{"withdrawn on the export day", withdrawnAnna("facebook", "2026-10-02"), fb, false, "consent withdrawn on 2026-10-02"},
		{"withdrawn the day after the export", withdrawnAnna("facebook", "2026-10-03"), fb, true, "visible"},
		{"withdrawn for another channel", withdrawnAnna("website", "2026-09-01"), fb, true, "visible"},
		{"withdrawn for all channels", withdrawnAnna(AllChannels, "2026-09-01"), fb, false, "consent withdrawn on 2026-09-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(confirmedFace("S-1"), newRegister(tc.person), tc.job)
			t.Logf("visible=%v reason=%q", got.Visible, got.Reason)
			if got.Visible != tc.wantVisible || !strings.Contains(got.Reason.String(), tc.wantReason) {
				t.Errorf("Decide = %+v, want visible=%v with %q", got, tc.wantVisible, tc.wantReason)
			}
		})
	}
	// Two withdrawals: the earliest in force is reported.
	p := anna()
	p.Withdrawals = []Withdrawal{{Channel: "facebook", On: day("2026-09-20")}, {Channel: AllChannels, On: day("2026-09-10")}, {Channel: "facebook", On: day("2026-12-01")}}
	if got := Decide(confirmedFace("S-1"), newRegister(p), fb); got.Visible || got.Reason.String() != "consent withdrawn on 2026-09-10" {
		t.Errorf("two withdrawals: %+v, want withdrawn on 2026-09-10", got)
	}
}

func TestR8_ReviewerOverrides(t *testing.T) {
	reg := newRegister(anna(), marja(), &Person{ID: "L-1", Name: "Eetu", Role: Child, Unit: EarlyChildhood, BirthDate: day("2021-06-14"),
		Consents: append(consents(Guardian, "facebook"), consents(Pupil, "facebook")...)})
	fb, ig := schoolJob("facebook", exportDay), schoolJob("instagram", exportDay)
	unknown := Face{NearestID: "S-1", Distance: 0.8, NextDistance: 0.9}
	runDecideCases(t, reg, []decideCase{
		// Adding redaction is always allowed.
		{"force-redact a visible child", Face{NearestID: "S-1", Distance: 0.3, NextDistance: math.Inf(1), Review: ForceRedacted}, fb, false, "redacted by the reviewer"},
		{"force-redact visible staff", Face{NearestID: "T-1", Distance: 0.3, NextDistance: math.Inf(1), Review: ForceRedacted}, fb, false, "redacted by the reviewer"},
		{"force-redact an unknown face", Face{Review: ForceRedacted}, fb, false, "redacted by the reviewer"},
		// Assigning by hand: the register still decides.
		{"assign an unknown face to a child with consent", Face{NearestID: "S-1", Distance: 0.8, NextDistance: 0.9, Review: AssignedByHand, AssignedID: "S-1"}, fb, true, "visible: Anna has Facebook consent"},
		{"assign a box drawn by hand to staff", Face{Review: AssignedByHand, AssignedID: "T-1"}, ig, true, "visible: Marja"},
		// Attempts to unblur are refused.
		{"assign to a child without consent", Face{Review: AssignedByHand, AssignedID: "S-1"}, ig, false, "no Instagram consent"},
		{"assign to an early childhood child", Face{Review: AssignedByHand, AssignedID: "L-1"}, fb, false, "early childhood"},
		{"assign to someone not in the register", Face{Review: AssignedByHand, AssignedID: "S-404"}, fb, false, `assigned to "S-404", who is not in the register`},
		{"assign to nobody", Face{Review: AssignedByHand}, fb, false, "not in the register"},
		{"adult without a note", Face{Review: AdultWithNote, NextDistance: math.Inf(1)}, fb, false, "needs a note"},
		{"adult with a blank note", Face{Review: AdultWithNote, Note: "   ", NextDistance: math.Inf(1)}, fb, false, "needs a note"},
		{"adult on a face recognised as a child without consent", Face{NearestID: "S-1", Distance: 0.3, NextDistance: math.Inf(1), Review: AdultWithNote, Note: "looks grown up"}, ig, false, "recognised as Anna: assign the face instead"},
		{"adult on an ambiguous face", Face{NearestID: "S-1", Distance: 0.3, NextDistance: 0.31, Review: AdultWithNote, Note: "a parent"}, ig, false, "assign the face instead"},
		{"adult in early childhood", Face{Review: AdultWithNote, Note: "a parent", NextDistance: math.Inf(1)}, Job{EarlyChildhood, "facebook", exportDay}, false, "early childhood"},
		{"review value from a newer version", Face{NearestID: "S-1", Distance: 0.3, NextDistance: math.Inf(1), Review: Review(99)}, fb, false, "unrecognised review 99"},
		// The one override that shows a face outside the register.
		{"adult with a note on an unknown face", Face{NearestID: unknown.NearestID, Distance: unknown.Distance, NextDistance: unknown.NextDistance, Review: AdultWithNote, Note: "Sara's father, agreed on the trip"}, ig, true, "visible: adult who agreed in person (Sara's father, agreed on the trip)"},
	})

	// A face the reviewer hid is taken for whom the matcher recognised,
	// if the register still holds them: within a batch, the matcher may
	// keep the reference of someone removed since.
	for id, want := range map[string]string{"S-1": "S-1", "S-9": ""} {
		if got := Decide(Face{NearestID: id, Distance: 0.3, NextDistance: math.Inf(1), Review: ForceRedacted}, reg, fb).PersonID; got != want {
			t.Errorf("hidden by the reviewer, recognised as %s: taken for %q, want %q", id, got, want)
		}
	}

	// Invariant: for every person, job and face, a sure match shows
	// nothing; it asks for the reviewer's confirmation (Recognised)
	// exactly when a hand assignment to that person shows the face, and
	// names the person otherwise; forcing redaction never shows a face.
	var checked int
	for id := range reg.People {
		for _, unit := range []Unit{EarlyChildhood, School, UpperSecondary} {
			for _, channel := range reg.Settings.Channels {
				job := Job{unit, channel, exportDay}
				matched := Decide(matchedFace(id), reg, job)
				assigned := Decide(Face{Review: AssignedByHand, AssignedID: id, NextDistance: 0}, reg, job)
				forced := Decide(Face{NearestID: id, Distance: 0.1, NextDistance: math.Inf(1), Review: ForceRedacted}, reg, job)
				toConfirm := matched.Recognised == id && matched.PersonID == ""
				named := matched.Recognised == "" && matched.PersonID == id
				if matched.Visible || forced.Visible || assigned.Visible != toConfirm || !assigned.Visible && !named {
					t.Errorf("%s %s %s: matched %+v, assigned visible %v, forced visible %v", id, unit, channel, matched, assigned.Visible, forced.Visible)
				}
				checked++
			}
		}
	}
	t.Logf("override invariant checked on %d person/unit/channel combinations", checked)
}

// TestReviewOnAnotherChannel: what the reviewer decided on a face holds
// when the photo is vetted for another channel, except an adult's
// agreement in person, whose note may be for the first channel only (R8):
// the face goes back to the matcher's result, and is hidden.
func TestReviewOnAnotherChannel(t *testing.T) {
	reg := newRegister(anna(), marja())
	stranger := Face{NearestID: "S-1", Distance: 0.8, NextDistance: 0.9}
	tests := []struct {
		name   string
		review Review
		id     string
		note   string
		want   Review
	}{
		{"not reviewed", NotReviewed, "", "", NotReviewed},
		{"hidden by the reviewer", ForceRedacted, "", "", ForceRedacted},
		{"assigned by hand", AssignedByHand, "S-1", "", AssignedByHand},
		{"adult who agreed in person", AdultWithNote, "", "agreed to the website only", NotReviewed},
	}
	for _, tt := range tests {
		face := stranger
		face.Review, face.AssignedID, face.Note = tt.review, tt.id, tt.note
		got := face.OnAnotherChannel()
		want := face
		if tt.want != tt.review {
			want.Review, want.AssignedID, want.Note = tt.want, "", ""
		}
		if got != want {
			t.Errorf("%s: on another channel %+v, want %+v", tt.name, got, want)
		}
		if tt.review == AdultWithNote {
			if d := Decide(got, reg, Job{School, "newsletter", exportDay}); d.Visible {
				t.Errorf("%s: shown on another channel without a note for it: %+v", tt.name, d)
			}
		}
	}
}

// TestReviewInRegister: a face assigned to someone the register no
// longer holds, under the id or under the registration key the
// assignment was made for, is not reviewed any more (it waits for the
// reviewer again, hidden); every other review holds, and with no register
// every review is kept.
func TestReviewInRegister(t *testing.T) {
	annaNow := anna()
	annaNow.RegistrationKey = "k-now" // Anna, entered again since some reviews were made
	reg := newRegister(annaNow, marja())
	gone := matchedFace("S-9") // S-9 was removed: the matcher's result names nobody now
	assigned := func(key string) Face {
		f := confirmedFace("S-1")
		f.AssignedKey = key
		return f
	}
	tests := []struct {
		name   string
		face   Face
		reg    *Register
		lapsed bool
		key    string // the AssignedKey kept when the review holds
	}{
		{"assigned to someone in the register", assigned("k-now"), reg, false, "k-now"},
		{"assigned before keys were recorded", assigned(""), reg, false, "k-now"},
		{"assigned to the id's holder before they left and came back", assigned("k-before"), reg, true, ""},
		{"assigned to someone removed", Face{NearestID: "S-1", Distance: 0.8, NextDistance: 0.9, Review: AssignedByHand, AssignedID: "S-9", AssignedKey: "k-9"}, reg, true, ""},
		{"assigned to someone removed, matched to them", Face{NearestID: "S-9", Distance: 0.3, NextDistance: math.Inf(1), Review: AssignedByHand, AssignedID: "S-9"}, reg, true, ""},
		{"assigned to nobody's id", Face{Review: AssignedByHand}, reg, true, ""},
		{"hidden by the reviewer", Face{NearestID: "S-9", Distance: 0.3, NextDistance: math.Inf(1), Review: ForceRedacted}, reg, false, ""},
		{"adult who agreed in person", Face{Review: AdultWithNote, Note: "the bus driver, agreed"}, reg, false, ""},
		{"not reviewed", gone, reg, false, ""},
		{"assigned to someone removed, register unreadable", Face{Review: AssignedByHand, AssignedID: "S-9", AssignedKey: "k-9"}, nil, false, "k-9"},
	}
	for _, tt := range tests {
		got := tt.face.InRegister(tt.reg)
		want := tt.face
		want.AssignedKey = tt.key
		if tt.lapsed {
			want.Review, want.AssignedID, want.Note = NotReviewed, "", ""
		}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, want)
		}
		// Hidden and taken for nobody; the matcher may still recognise
		// the face, for the reviewer to confirm.
		if d := Decide(got, reg, schoolJob("website", exportDay)); tt.lapsed && (d.Visible || d.PersonID != "") {
			t.Errorf("%s: decided %+v, want it hidden and taken for nobody", tt.name, d)
		}
		// Decide on its own, before InRegister, must not show a face
		// assigned to another registration of the id either.
		if d := Decide(tt.face, reg, schoolJob("website", exportDay)); tt.lapsed && (d.Visible || d.PersonID != "") {
			t.Errorf("%s: decided without InRegister %+v, want it hidden and taken for nobody", tt.name, d)
		}
	}
}

// TestChildWorkInRegister: a child's work marked for one registration of
// an id refuses the photo once the id is held by another (R6), and a mark
// saved before keys were recorded holds for the id's holder and keeps
// their key from then on.
func TestChildWorkInRegister(t *testing.T) {
	annaNow := anna()
	annaNow.RegistrationKey = "k-now"
	annaNow.WorkConsents = consents(Guardian, "website")
	reg := newRegister(annaNow)
	job := schoolJob("website", exportDay)
	tests := []struct {
		name    string
		keys    map[string]string
		allowed bool
		reason  string
	}{
		{"marked for Anna as she is now", map[string]string{"S-1": "k-now"}, true, ""},
		{"marked before keys were recorded", nil, true, ""},
		{"marked before the id left and came back", map[string]string{"S-1": "k-before"}, false, `shows the work of "S-1", marked before that id left the register and came back: mark whose work it is again`},
	}
	for _, tt := range tests {
		photo := Photo{Photographer: "Mia", PhotographerChannels: []string{"website"}, ChildWork: []string{"S-1"}, ChildWorkKeys: tt.keys}
		pinned := photo.InRegister(reg)
		wantKey := tt.keys["S-1"]
		if wantKey == "" {
			wantKey = "k-now"
		}
		if got := pinned.ChildWorkKeys["S-1"]; got != wantKey {
			t.Errorf("%s: key %q after InRegister, want %q", tt.name, got, wantKey)
		}
		check := CheckPhoto(pinned, reg, job)
		if check.Allowed != tt.allowed || !tt.allowed && check.Reason.String() != tt.reason {
			t.Errorf("%s: allowed %v (%q), want %v (%q)", tt.name, check.Allowed, check.Reason, tt.allowed, tt.reason)
		}
	}
	if keys := (Photo{ChildWork: []string{"S-9"}}).InRegister(reg).ChildWorkKeys; keys["S-9"] != "" {
		t.Errorf("a child not in the register got key %q", keys["S-9"])
	}
}

// TestAdultRefusal: AdultRefusal, which the review asks before offering
// "adult who agreed in person", says no exactly when the rules would
// refuse the face as an adult with a note, and with their reason.
func TestAdultRefusal(t *testing.T) {
	reg := newRegister(anna(), marja())
	faces := []struct {
		name string
		face Face
	}{
		{"unknown", Face{NearestID: "S-1", Distance: 0.8, NextDistance: 0.9}},
		{"drawn by hand", Face{NextDistance: math.Inf(1)}},
		{"recognised as a child", Face{NearestID: "S-1", Distance: 0.3, NextDistance: math.Inf(1)}},
		{"recognised as staff", Face{NearestID: "T-1", Distance: 0.3, NextDistance: math.Inf(1)}},
		{"ambiguous", Face{NearestID: "S-1", Distance: 0.3, NextDistance: 0.31}},
		{"not a clear match", Face{NearestID: "S-1", Distance: 0.43, NextDistance: math.Inf(1)}},
	}
	var offered int
	for _, f := range faces {
		for _, unit := range []Unit{EarlyChildhood, School, UpperSecondary} {
			job := Job{unit, "instagram", exportDay}
			adult := f.face
			adult.Review, adult.Note = AdultWithNote, "a parent, agreed at the gate"
			decided := Decide(adult, reg, job)
			refusal := AdultRefusal(f.face, reg, job)
			if refusal.IsZero() != decided.Visible || !refusal.IsZero() && refusal.String() != decided.Reason.String() {
				t.Errorf("%s, %s: refusal %q; the rules decide %+v", f.name, unit, refusal, decided)
			}
			if refusal.IsZero() {
				offered++
			}
		}
	}
	// An unknown face and a box drawn by hand, outside early childhood.
	if offered != 4 {
		t.Errorf("the adult is allowed on %d face/unit pairs, want 4", offered)
	}
	if AdultRefusal(faces[0].face, nil, Job{School, "instagram", exportDay}).IsZero() {
		t.Error("an adult is allowed without a register")
	}
}

// TestUnknownFacesNeedAName: an unknown face waits for a name in school and
// upper secondary, not in early childhood, where R2 hides it anyway.
func TestUnknownFacesNeedAName(t *testing.T) {
	for unit, want := range map[Unit]bool{EarlyChildhood: false, School: true, UpperSecondary: true} {
		if got := (Job{Unit: unit, Channel: "website"}).UnknownFacesNeedAName(); got != want {
			t.Errorf("%v: unknown faces need a name %v, want %v", unit, got, want)
		}
	}
}
