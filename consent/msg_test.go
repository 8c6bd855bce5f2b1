package consent

import (
	"errors"
	"fmt"
	"testing"

	"github.com/photovet/photovet/msg"
)

// TestErrorMessage checks that the register's errors carry their sentence
// as a msg.Text the app can translate, and that other errors fall back to
// their plain text.
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
			m := msg.FromError(tc.err)
			if m.Format != tc.wantFormat || m.String() != tc.wantText {
				t.Errorf("msg.FromError(%v) = %q rendering %q, want %q rendering %q", tc.err, m.Format, m, tc.wantFormat, tc.wantText)
			}
		})
	}
}
