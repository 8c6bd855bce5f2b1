package cli

import (
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
)

// TestRegisterCommand checks "photovet register" in-process: its usage
// errors, its help, and that granting a unit on a laptop's own register
// fails, saying such a register has no units. TestSharedRegisterTwoLaptopsCLI
// grants units on a real server.
func TestRegisterCommand(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"listed in help", []string{"help"}, 0, "register   grant UNIT ROLE", ""},
		{"help", []string{"register", "-h"}, 0, "Usage: photovet register grant UNIT ROLE", ""},
		{"no subcommand", []string{"register"}, 2, "", "photovet register: which register command?\n\nUsage: photovet register grant"},
		{"unknown subcommand", []string{"register", "revoke", "school-1", "laptop_a"}, 2, "", "photovet register: unknown subcommand \"revoke\""},
		{"no role", []string{"register", "grant", "school-1", "--data", data}, 2, "", "photovet register: give the UNIT and the ROLE"},
		{"own register", []string{"register", "grant", "school-1", "laptop_a", "--data", data}, 1, "", "photovet register: grant unit \"school-1\" to \"laptop_a\": a register on this laptop has no units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(consent.RegisterEnv, "") // the data directory's register, whatever the caller's environment
			code, stdout, stderr := photovetCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if tt.wantStdout == "" && stdout != "" || !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, want %q in it", stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr != "" || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want %q in it", stderr, tt.wantStderr)
			}
		})
	}
}
