package consent

import (
	"errors"
	"strings"
	"text/template"
)

// Message is a sentence for staff (a reason, a hint) kept as a template and
// its values, so that the app can show it in the user's language: Format
// is the English text with {{.Name}} placeholders and doubles as the
// translation key; Args fills them. String renders the English.
type Message struct {
	Format string
	Args   map[string]any
}

// Msg returns the message format filled with args, given as name, value
// pairs: Msg("no {{.Channel}} consent", "Channel", "Instagram").
func Msg(format string, args ...any) Message {
	m := Message{Format: format}
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
func (m Message) String() string {
	return Render(m.Format, m)
}

// Render fills the format (the message's own or a translation of it) with
// m's values. A format that does not parse is returned as it is, so a bad
// translation shows its text rather than nothing.
func Render(format string, m Message) string {
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
func (m Message) IsZero() bool { return m.Format == "" }

// MarshalText writes the message in English: the CLI's JSON and the saved
// review state carry the rendered sentence.
func (m Message) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Plain returns a message that shows text as it is in every language (an
// error from a library, a file name): its {{ }} are not placeholders.
func Plain(text string) Message { return Msg("{{.Text}}", "Text", text) }

// UnmarshalText reads a rendered sentence back as a message without
// values, whose format is then the English sentence (and finds its
// translation when it had no values). Text holding "{{" is read as Plain,
// so that it is never run as a template.
func (m *Message) UnmarshalText(text []byte) error {
	if strings.Contains(string(text), "{{") {
		*m = Plain(string(text))
		return nil
	}
	*m = Message{Format: string(text)}
	return nil
}

// MessageError is an error whose text is a Message, so that the app can
// show it in the user's language; Error renders the English. Find it in a
// chain with errors.AsType[*MessageError].
type MessageError struct {
	Message Message
}

func (e *MessageError) Error() string { return e.Message.String() }

// ErrorMessage returns the message of the *MessageError in err's chain, or
// err's text as a Plain message when it has none.
func ErrorMessage(err error) Message {
	if e, ok := errors.AsType[*MessageError](err); ok {
		return e.Message
	}
	return Plain(err.Error())
}
