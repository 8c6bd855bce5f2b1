package app

import (
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"github.com/photovet/photovet/consent"
)

// units are the unit types in the one order every list shows them: the
// batch's selector, the settings' default and the register's column.
// Youngest first, as the units follow each other in a child's life.
func units() []consent.Unit {
	return []consent.Unit{consent.EarlyChildhood, consent.School, consent.UpperSecondary}
}

// unitLabel is a unit type in the user's language, the same words wherever
// it is shown.
func unitLabel(u consent.Unit) string {
	switch u {
	case consent.EarlyChildhood:
		return lang.L("Early childhood")
	case consent.School:
		return lang.L("School")
	case consent.UpperSecondary:
		return lang.L("Upper secondary")
	}
	return string(u)
}

// roleLabel is a role in the user's language.
func roleLabel(r consent.Role) string {
	if r == consent.Staff {
		return lang.L("Staff")
	}
	return lang.L("Child")
}

// channelName is a channel as a heading or option shows it: "Instagram",
// "Website".
func channelName(channel string) string {
	return capitalized(tr(consent.ChannelName(channel)))
}

// capitalized starts s with a capital letter, for a heading or an option
// ("Website" where a sentence says "website").
func capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
