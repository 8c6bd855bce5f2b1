package testdata

import "github.com/photovet/photovet/consent"

// RuledName returns whom the register's rules (consent's R4, at the
// default match threshold and margin) take a face to be, given what the
// matcher measured: the nearest enrolled person, the distance to their
// references and how much farther the next person lies. It returns ""
// when the rules leave the face unknown, so that identification tests
// count the names a batch would give, by the rules themselves.
func RuledName(nearest string, distance, margin float64) string {
	reg := &consent.Register{
		Settings: consent.DefaultSettings(),
		People:   map[string]*consent.Person{nearest: {ID: nearest}},
	}
	job := consent.Job{Unit: consent.School, Channel: reg.Settings.Channels[0], Date: consent.NewDate(2026, 11, 21)}
	face := consent.Face{NearestID: nearest, Distance: distance, NextDistance: distance + margin}
	return consent.Decide(face, reg, job).PersonID
}

// MatchThreshold is the register's default match threshold, the one
// RuledName applies.
func MatchThreshold() float64 { return consent.DefaultSettings().MatchThreshold }
