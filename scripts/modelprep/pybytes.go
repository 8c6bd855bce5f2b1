package main

import (
	"bytes"
	"fmt"
	"strconv"
)

// pythonBytes finds the assignment `name = b'...'` (or b"...") in Python
// source and decodes the bytes literal, with Python's escapes (\xhh,
// octal, \n and the other single-letter ones, an escaped newline). The
// source is only read, never run.
func pythonBytes(src []byte, name string) ([]byte, error) {
	var lit []byte
	for line := range bytes.Lines(src) {
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if !ok {
			continue
		}
		rest = bytes.TrimLeft(rest, " ")
		if rest, ok = bytes.CutPrefix(rest, []byte("=")); ok {
			lit = bytes.TrimSpace(rest)
			break
		}
	}
	if lit == nil {
		return nil, fmt.Errorf("no assignment to %s", name)
	}
	if len(lit) < 3 || lit[0] != 'b' || (lit[1] != '\'' && lit[1] != '"') || lit[len(lit)-1] != lit[1] {
		return nil, fmt.Errorf("%s is not a one-line bytes literal", name)
	}
	quote := lit[1]
	body := lit[2 : len(lit)-1]
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == quote {
			return nil, fmt.Errorf("unescaped quote at byte %d of %s", i, name)
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(body) {
			return nil, fmt.Errorf("%s ends in a backslash", name)
		}
		switch e := body[i]; e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'v':
			out = append(out, '\v')
		case 'x':
			if i+2 >= len(body) {
				return nil, fmt.Errorf("short \\x escape in %s", name)
			}
			v, err := strconv.ParseUint(string(body[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad \\x escape in %s: %w", name, err)
			}
			out = append(out, byte(v))
			i += 2
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
				j++
			}
			v, err := strconv.ParseUint(string(body[i:j]), 8, 16)
			if err != nil || v > 0xFF {
				return nil, fmt.Errorf("bad octal escape in %s", name)
			}
			out = append(out, byte(v))
			i = j - 1
		default:
			// Python keeps an unknown escape as it is.
			out = append(out, '\\', e)
		}
	}
	return out, nil
}
