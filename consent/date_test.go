package consent

import "testing"

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-10-02", NewDate(2026, 10, 2), true},
		{"02.10.2026", NewDate(2026, 10, 2), true},
		{"02-10-2026", NewDate(2026, 10, 2), true},
		{"2024-02-29", NewDate(2024, 2, 29), true},
		{"2026-02-29", Date{}, false},
		{"31.04.2026", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2/10/2026", Date{}, false},
		{"2026-1-2", Date{}, false},
		{"0000-01-01", Date{}, false},
		{"", Date{}, false},
		// Four-digit years from 1900 on, digits only, in every form.
		{"1900-01-01", NewDate(1900, 1, 1), true},
		{"31.12.9999", NewDate(9999, 12, 31), true},
		{"1899-12-31", Date{}, false},
		{"1016-04-12", Date{}, false},
		{"12.04.1016", Date{}, false},
		{"12-04-1016", Date{}, false},
		{"0201-04-12", Date{}, false},
		{"+201-04-12", Date{}, false},
		{"12.04.+201", Date{}, false},
		{"12-04-+201", Date{}, false},
		{"-201-04-12", Date{}, false},
		{"2026-+4-12", Date{}, false},
		{"+2.04.2026", Date{}, false},
		{" 2.04.2026", Date{}, false},
		{"2026-04-1 ", Date{}, false},
		{"２０２６-04-12", Date{}, false},
	} {
		got, err := ParseDate(tc.in)
		if err != nil {
			t.Logf("%q: %v", tc.in, err)
		}
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseDate(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestAgeOn(t *testing.T) {
	for _, tc := range []struct {
		born, on string
		want     int
	}{
		{"2011-11-21", "2026-11-20", 14},
		{"2011-11-21", "2026-11-21", 15},
		{"2011-11-21", "2026-11-22", 15},
		{"2012-02-29", "2027-02-28", 14},
		{"2012-02-29", "2027-03-01", 15},
		{"2012-02-29", "2028-02-29", 16},
		{"2011-12-31", "2026-01-01", 14},
	} {
		if got := day(tc.born).AgeOn(day(tc.on)); got != tc.want {
			t.Errorf("born %s, age on %s = %d, want %d", tc.born, tc.on, got, tc.want)
		}
	}
}
