package msg

import (
	"encoding/json"
	"testing"
)

func TestMessageRendering(t *testing.T) {
	day := "2026-10-02"
	inner := New("no {{.Channel}} consent from the pupil", "Channel", Text{Format: "Instagram"})
	for _, tc := range []struct {
		m    Text
		want string
	}{
		{New("unknown face"), "unknown face"},
		{New("consent withdrawn on {{.Date}}", "Date", day), "consent withdrawn on 2026-10-02"},
		{inner, "no Instagram consent from the pupil"},
		{New("{{.Problem}} (from {{.Age}} the pupil's own consent is needed)", "Problem", inner, "Age", 15),
			"no Instagram consent from the pupil (from 15 the pupil's own consent is needed)"},
		{Plain("a{{.X}}.jpg: bad"), "a{{.X}}.jpg: bad"},
		{Text{}, ""},
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
	for _, m := range []Text{
		New("visible: {{.Name}} has {{.Channel}} consent", "Name", "Anna", "Channel", Text{Format: "Facebook"}),
		New("unknown face"),
		Plain("x{{.Count}}.jpg: not a photo"),
	} {
		data, err := json.Marshal(struct{ R Text }{m})
		if err != nil {
			t.Fatal(err)
		}
		var back struct{ R Text }
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if back.R.String() != m.String() {
			t.Errorf("%s read back as %q, want %q", data, back.R.String(), m.String())
		}
	}
	var m Text
	_ = m.UnmarshalText([]byte("unknown face"))
	if m.Format != "unknown face" || len(m.Args) != 0 {
		t.Errorf("a sentence without values reads back as %#v, want its own format (the translation key)", m)
	}
}
