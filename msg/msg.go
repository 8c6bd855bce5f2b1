// Package msg holds the sentences PhotoVet shows staff (reasons, hints,
// file errors) as translation keys with their values, so that the rules in
// consent, the pipeline in vet and the CLI can word them once in English
// and the app can show them in the user's language.
package msg

import (
	"errors"
	"strings"
	"text/template"
)

// Text is a sentence for staff (a reason, a hint) kept as a template and
// its values, so that the app can show it in the user's language: Format
// is the English text with {{.Name}} placeholders and doubles as the
// translation key; Args fills them. String renders the English.
type Text struct {
	Format string
	Args   map[string]any
}

// New returns the message format filled with args, given as name, value
// pairs: New("no {{.Channel}} consent", "Channel", "Instagram").
func New(format string, args ...any) Text {
	m := Text{Format: format}
	if len(args) > 0 {
		m.Args = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			m.Args[name] = args[i+1]
		}
	}
	return m
}

// String renders the message in English.
func (m Text) String() string {
	return Render(m.Format, m)
}

// Render fills the format (the message's own or a translation of it) with
// m's values. A format that does not parse is returned as it is, so a bad
// translation shows its text rather than nothing.
func Render(format string, m Text) string {
	if len(m.Args) == 0 && !strings.Contains(format, "{{") {
		return format
	}
	t, err := template.New("").Option("missingkey=zero").Parse(format)
	if err != nil {
		return format
	}
	var b strings.Builder
	if err := t.Execute(&b, m.Args); err != nil {
		return format
	}
	return b.String()
}

// IsZero reports whether m says nothing.
func (m Text) IsZero() bool { return m.Format == "" }

// MarshalText writes the message in English: the CLI's JSON and the saved
// review state carry the rendered sentence.
func (m Text) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Plain returns a message that shows text as it is in every language (an
// error from a library, a file name): its {{ }} are not placeholders.
func Plain(text string) Text { return New("{{.Text}}", "Text", text) }

// UnmarshalText reads a rendered sentence back as a message without
// values, whose format is then the English sentence (and finds its
// translation when it had no values). Text holding "{{" is read as Plain,
// so that it is never run as a template.
func (m *Text) UnmarshalText(text []byte) error {
	if strings.Contains(string(text), "{{") {
		*m = Plain(string(text))
		return nil
	}
	*m = Text{Format: string(text)}
	return nil
}

// Error is an error whose text is a Text, so that the app can show it in
// the user's language; Error renders the English. Find it in a chain with
// errors.AsType[*Error].
type Error struct {
	Text Text
}

func (e *Error) Error() string { return e.Text.String() }

// FromError returns the Text of the *Error in err's chain, or err's text
// as a Plain message when it has none.
func FromError(err error) Text {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Text
	}
	return Plain(err.Error())
}
