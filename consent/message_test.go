package consent

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestMessageRendering(t *testing.T) {
	day, _ := ParseDate("2026-10-02")
	inner := Msg("no {{.Channel}} consent from the pupil", "Channel", ChannelName("instagram"))
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Msg("unknown face"), "unknown face"},
		{Msg("consent withdrawn on {{.Date}}", "Date", day), "consent withdrawn on 2026-10-02"},
		{inner, "no Instagram consent from the pupil"},
		{Msg("{{.Problem}} (from {{.Age}} the pupil's own consent is needed)", "Problem", inner, "Age", 15),
			"no Instagram consent from the pupil (from 15 the pupil's own consent is needed)"},
		{ChannelName("newsletter"), "newsletter"},
		{Plain("a{{.X}}.jpg: bad"), "a{{.X}}.jpg: bad"},
		{Message{}, ""},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%#v renders %q, want %q", tc.m, got, tc.want)
		}
	}
	// A translation fills the same values.
	if got := Render("geen toestemming van de leerling voor {{.Channel}}", inner); got != "geen toestemming van de leerling voor Instagram" {
		t.Errorf("Render = %q", got)
	}
}

func TestMessageText(t *testing.T) {
	for _, m := range []Message{
		Msg("visible: {{.Name}} has {{.Channel}} consent", "Name", "Anna", "Channel", ChannelName("facebook")),
		Msg("unknown face"),
		Plain("x{{.Count}}.jpg: not a photo"),
	} {
		data, err := json.Marshal(struct{ R Message }{m})
		if err != nil {
			t.Fatal(err)
		}
		var back struct{ R Message }
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if back.R.String() != m.String() {
			t.Errorf("%s read back as %q, want %q", data, back.R.String(), m.String())
		}
	}
	var m Message
	_ = m.UnmarshalText([]byte("unknown face"))
	if m.Format != "unknown face" || len(m.Args) != 0 {
		t.Errorf("a sentence without values reads back as %#v, want its own format (the translation key)", m)
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		wantFormat string
		wantText   string
	}{
		{"date", func() error { _, err := ParseDate("2026-02-30"); return err }(),
			`date "{{.Value}}" does not exist`, `date "2026-02-30" does not exist`},
		{"wrapped settings problem", fmt.Errorf("save settings: %w", Settings{OwnConsentAge: 40}.Validate()),
			"own-consent age {{.Age}}: want 1 to 25", "own-consent age 40: want 1 to 25"},
		{"unit", func() error { _, err := ParseUnit("kindergarten"); return err }(),
			`unit "{{.Value}}": want early_childhood, school or upper_secondary`, `unit "kindergarten": want early_childhood, school or upper_secondary`},
		{"plain error", errors.New("disk {{full}}"), "{{.Text}}", "disk {{full}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ErrorMessage(tc.err)
			if m.Format != tc.wantFormat || m.String() != tc.wantText {
				t.Errorf("ErrorMessage(%v) = %q rendering %q, want %q rendering %q", tc.err, m.Format, m, tc.wantFormat, tc.wantText)
			}
		})
	}
}
