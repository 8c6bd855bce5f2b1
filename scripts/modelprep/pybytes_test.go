package main

import (
	"bytes"
	"testing"
)

func TestPythonBytes(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []byte
		wantErr   bool
	}{
		{"plain", "WEIGHTS = b'abc'\n", []byte("abc"), false},
		{"double quotes", `WEIGHTS = b"a'b"`, []byte("a'b"), false},
		{"hex and letters", `WEIGHTS = b'\x08\x06\n\t\r\\\'x'`, []byte("\x08\x06\n\t\r\\'x"), false},
		{"octal", `WEIGHTS = b'\0\12\377'`, []byte{0, 10, 255}, false},
		{"unknown escape kept", `WEIGHTS = b'\q'`, []byte(`\q`), false},
		{"after other lines", "import os\nX = 1\nWEIGHTS = b'\\x01'\n", []byte{1}, false},
		{"other names ignored", "WEIGHTS_V2 = b'no'\nWEIGHTS = b'yes'", []byte("yes"), false},
		{"missing", "OTHER = b'x'", nil, true},
		{"not bytes", "WEIGHTS = 'x'", nil, true},
		{"short hex", `WEIGHTS = b'\x4'`, nil, true},
		{"bad hex", `WEIGHTS = b'\xzz'`, nil, true},
		{"trailing backslash", `WEIGHTS = b'ab\'`, nil, true},
		{"unescaped quote", `WEIGHTS = b'a'b'`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pythonBytes([]byte(tc.src), "WEIGHTS")
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
