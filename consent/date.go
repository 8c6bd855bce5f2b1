package consent

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"

	"github.com/photovet/photovet/msg"
)

// Date is a day in the school's calendar, without time of day or zone.
// Consent validity, birthdays, withdrawals and publications are all days: a
// consent "valid until 2027-07-31" covers the whole of that day wherever the
// laptop's clock is. The zero Date means "no date" (for example no end of
// validity).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the Date for year, month and day, normalised the way
// time.Date normalises (so NewDate(2026, 2, 30) is 2026-03-02).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today returns the current day in the laptop's local time zone.
func Today() Date { return DateOf(time.Now()) }

// earliestYear is the first year a date in the register may have: no
// birth date, consent or publication a school records is older, so an
// earlier year (1016 for 2016, 0201) is a typo.
const earliestYear = 1900

// ParseDate reads a date written as YYYY-MM-DD, DD.MM.YYYY or DD-MM-YYYY
// (the forms school administration systems export). Every part is digits
// only (no sign, no space), the year four of them and not before 1900 (a
// year such as 1016 is a typo that would make a child of ten a thousand
// years old), and the day must exist: 31.02.2026 is refused.
func ParseDate(s string) (Date, error) {
	var y, m, d string
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, m, d = s[0:4], s[5:7], s[8:10]
	case len(s) == 10 && s[2] == '.' && s[5] == '.', len(s) == 10 && s[2] == '-' && s[5] == '-':
		d, m, y = s[0:2], s[3:5], s[6:10]
	}
	if !allDigits(y) || !allDigits(m) || !allDigits(d) {
		return Date{}, &msg.Error{Text: msg.New(`date "{{.Value}}": want YYYY-MM-DD, DD.MM.YYYY or DD-MM-YYYY`, "Value", s)}
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	if yi < earliestYear {
		return Date{}, &msg.Error{Text: msg.New(`date "{{.Value}}": the year is before {{.Earliest}}: check it for a typo`, "Value", s, "Earliest", earliestYear)}
	}
	date := NewDate(yi, time.Month(mi), di)
	if date.Year != yi || int(date.Month) != mi || date.Day != di {
		return Date{}, &msg.Error{Text: msg.New(`date "{{.Value}}" does not exist`, "Value", s)}
	}
	return date, nil
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Compare returns -1, 0 or +1 as d is before, the same day as, or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp.Compare(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp.Compare(d.Month, e.Month)
	default:
		return cmp.Compare(d.Day, e.Day)
	}
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AgeOn returns the age in whole years on day of someone born on d. A
// birthday on 29 February counts as reached on 1 March in other years: of
// the two conventions it is the later day, so the stricter rule applies for
// one day longer.
func (d Date) AgeOn(day Date) int {
	age := day.Year - d.Year
	if day.Month < d.Month || (day.Month == d.Month && day.Day < d.Day) {
		age--
	}
	return age
}

// Value stores a Date as TEXT YYYY-MM-DD (which sorts and compares in SQL as
// dates do), and the zero Date as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a Date stored by Value.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.parseStored(v)
	case []byte:
		return d.parseStored(string(v))
	default:
		return fmt.Errorf("scan date: unsupported type %T", src)
	}
}

func (d *Date) parseStored(s string) error {
	parsed, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*d = parsed
	return nil
}
