package cli

import (
	"strconv"
	"strings"

	"github.com/photovet/photovet/msg"
)

// printable returns s as it is when it prints as plain text, else quoted
// in Go syntax ("a\nb.jpg"). A file name, an EXIF field or a folder name
// can hold a newline or a terminal escape that would otherwise fake lines
// of the CLI's output; quotes and backslashes are quoted too, so that a
// quoted name cannot be mistaken for a plain one.
func printable(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}

// messageText renders m in English for the CLI's text output, its string
// values made printable.
func messageText(m msg.Text) string {
	safe := msg.Text{Format: m.Format, Args: make(map[string]any, len(m.Args))}
	for name, v := range m.Args {
		if s, ok := v.(string); ok {
			v = printable(s)
		}
		safe.Args[name] = v
	}
	return safe.String()
}

// messagesText renders messages with messageText, joined by "; ".
func messagesText(ms []msg.Text) string {
	texts := make([]string, len(ms))
	for i, m := range ms {
		texts[i] = messageText(m)
	}
	return strings.Join(texts, "; ")
}

// errorText renders err for the CLI's text output, its values made
// printable.
func errorText(err error) string {
	return messageText(msg.FromError(err))
}
