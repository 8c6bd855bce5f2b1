// Package cli is PhotoVet's command line: one type per subcommand, whose
// Run parses the subcommand's arguments, does the work through the vet
// and consent packages, writes its results and returns an error rather
// than printing it. Run dispatches; Report prints the error once and
// gives the exit code. The desktop app drives the same vet API.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
)

// Env is what the commands work with: where results (Stdout) and
// progress and warnings (Stderr) go, and the face engine, loaded when a
// command first needs it.
type Env struct {
	Stdout, Stderr io.Writer
	Faces          *vet.Faces
	// Version is the program's version, for "photovet version".
	Version string
}

// warnf prints a warning of the command's to Stderr, as
// "photovet COMMAND: ...", so that every line photovet writes there is
// told from one a file name could fake.
func (e Env) warnf(command, format string, args ...any) {
	fmt.Fprintf(e.Stderr, "photovet "+command+": "+format+"\n", args...)
}

// command is one subcommand.
type command interface {
	// Run runs the subcommand with its arguments (the subcommand's name
	// not included).
	Run(ctx context.Context, args []string) error
}

// subcommand names a command and says in one line what it does.
type subcommand struct {
	name, summary string
	cmd           command
}

// commands lists the subcommands in the order "photovet help" shows them.
func commands(env Env) []subcommand {
	return []subcommand{
		{"version", "print the version", &versionCommand{env}},
		{"models", "report where the face models are and whether they verify", &modelsCommand{env}},
		{"roster", "import FILE | list | remove ID | enroll DIR | template: the children and staff in the consent register", &rosterCommand{env}},
		{"withdraw", "ID --channel C|all [--date D]: record a withdrawn consent and list photos to take down", &withdrawCommand{env}},
		{"takedowns", "[--done ID] [--all]: list published photos to take down, or mark them done", &takedownsCommand{env}},
		{"purge", "--year-end: delete every stored face descriptor", &purgeCommand{env}},
		{"register", "grant UNIT ROLE --register URL: let a database role work for a unit of a shared register", &registerCommand{env}},
		{"inspect", "[--json] [--channel C] PHOTO...: show size, metadata, faces found and their decisions", &inspectCommand{env}},
		{"vet", "--channel C --photographer NAME --out DIR PHOTO_OR_DIR...: vet photos and export the cleared ones", &vetCommand{env}},
	}
}

// UsageError is a command line that cannot run as given: an unknown
// command or flag, a missing or malformed argument. It exits with 2.
type UsageError struct {
	Err error
	// Usage is the command's usage text, printed after the error.
	Usage string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usageErrorf returns a UsageError for fs's command.
func usageErrorf(fs *flag.FlagSet, usage string, format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...), Usage: usageText(fs, usage)}
}

// errReported is returned by a command that already reported everything
// that went wrong in its output (a batch with failed photos): it exits
// with 1 and prints nothing more.
var errReported = errors.New("see the report above")

// Run runs the subcommand args[0] with the rest of args. "help" prints
// the list of commands to env.Stdout.
func Run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return &UsageError{Err: errors.New("no command"), Usage: mainUsage(env)}
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.Stdout, mainUsage(env))
		return nil
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands(env) {
		if c.name == name {
			err := c.cmd.Run(ctx, args[1:])
			if err == nil || errors.Is(err, errHelp) {
				return nil
			}
			return &commandError{name: name, err: err}
		}
	}
	return &UsageError{Err: fmt.Errorf("unknown command %q", name), Usage: mainUsage(env)}
}

// commandError prefixes a command's error with its name.
type commandError struct {
	name string
	err  error
}

func (e *commandError) Error() string { return e.name + ": " + e.err.Error() }
func (e *commandError) Unwrap() error { return e.err }

// Report prints err once to stderr, as "photovet COMMAND: what went
// wrong" (with the usage after a UsageError), and returns the exit code:
// 0 without an error, 2 for a UsageError, 1 for any other.
func Report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errReported) {
		return 1
	}
	prefix := "photovet: "
	if c, ok := errors.AsType[*commandError](err); ok {
		prefix, err = "photovet "+c.name+": ", c.err
	}
	if u, ok := errors.AsType[*UsageError](err); ok {
		fmt.Fprintf(stderr, "%s%s\n", prefix, plainText(u.Err))
		if u.Usage != "" {
			fmt.Fprintf(stderr, "\n%s", u.Usage)
		}
		return 2
	}
	fmt.Fprintf(stderr, "%s%s\n", prefix, plainText(err))
	return 1
}

// plainText is err's text; a message of its own (a *msg.Error, whose
// values may be file names) has its values made printable (errorText).
func plainText(err error) string {
	if m, ok := err.(*msg.Error); ok {
		return messageText(m.Text)
	}
	return err.Error()
}

func mainUsage(env Env) string {
	var b strings.Builder
	b.WriteString("Usage: photovet [command] [arguments]\n\nWith no command, photovet opens the desktop app.\n\nCommands:\n")
	for _, c := range commands(env) {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun \"photovet COMMAND -h\" for a command's options.\n")
	return b.String()
}

// versionCommand prints the version.
type versionCommand struct{ env Env }

// Run prints "photovet VERSION".
func (c *versionCommand) Run(_ context.Context, args []string) error {
	if len(args) > 0 {
		return &UsageError{Err: fmt.Errorf("version takes no arguments, got %q", args), Usage: "Usage: photovet version\n"}
	}
	fmt.Fprintf(c.env.Stdout, "photovet %s\n", c.env.Version)
	return nil
}

// newFlags returns a flag set for a command that prints nothing itself:
// parse errors come back as UsageErrors (see parse).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// registerFlagValues are the flags that say which register a command
// works on.
type registerFlagValues struct {
	data     string // --data: the laptop's data directory
	register string // --register: a shared register's postgres:// URL
}

// registerFlags returns a flag set for a register command with its --data
// and --register flags.
func registerFlags(name string) (*flag.FlagSet, *registerFlagValues) {
	fs := newFlags(name)
	var v registerFlagValues
	fs.StringVar(&v.data, "data", "", "data `DIR` holding the register (default $PHOTOVET_DATA, else the user config directory + photovet)")
	fs.StringVar(&v.register, "register", "", "a shared register's `URL` (postgres://user@host/db?sslmode=verify-full; default $PHOTOVET_REGISTER; a folder or nothing: the register in that folder or the data directory); the password comes from PGPASSFILE, ~/.pgpass or PGPASSWORD, never the URL")
	return fs, &v
}

// usageText is usage followed by fs's flags.
func usageText(fs *flag.FlagSet, usage string) string {
	var b strings.Builder
	b.WriteString(usage)
	b.WriteString("\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}

// errHelp is what parse returns after printing the usage asked for with
// -h: the command stops, successfully.
var errHelp = errors.New("help shown")

// parse parses fs from args with flags allowed after the positional
// arguments (see parseInterspersed) and returns those. -h prints usage
// and the flags to w and returns errHelp; a bad flag is a UsageError.
func parse(fs *flag.FlagSet, usage string, args []string, w io.Writer) ([]string, error) {
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(w, usageText(fs, usage))
		return nil, errHelp
	}
	if err != nil {
		return nil, &UsageError{Err: err, Usage: usageText(fs, usage)}
	}
	return positional, nil
}

// parseInterspersed parses fs from args with flags allowed after the
// positional arguments ("withdraw ID --channel C"), and returns those.
// "--" ends the flags: everything after it is positional, so that a file
// named "-x.jpg" can be given as "-- -x.jpg".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(arg) > 1 && arg[0] == '-':
			flags = append(flags, arg)
			if takesValue(fs, arg) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			positional = append(positional, arg)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return positional, nil
}

// takesValue reports whether the flag argument arg ("-name" or "--name",
// without "=value") names a flag of fs that takes the next argument as its
// value, as the flag package reads it: any flag but a boolean one.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// openRegister opens the consent register the flags name: a shared
// register (--register or $PHOTOVET_REGISTER), or else the one in the data
// directory (see consent.DataDir).
func openRegister(ctx context.Context, where *registerFlagValues) (*consent.Store, error) {
	register := consent.RegisterChoice(where.register)
	data := where.data
	if !consent.IsPostgresURL(register) && register != "" {
		data = register // a path: the register in that folder
	}
	dir, err := consent.DataDir(data)
	if err != nil {
		return nil, err
	}
	if !consent.IsPostgresURL(register) {
		return consent.Open(ctx, dir)
	}
	return consent.OpenPostgres(ctx, register, dir)
}

// parseDayFlag reads a --date value; empty means today.
func parseDayFlag(value string) (consent.Date, error) {
	if value == "" {
		return consent.Today(), nil
	}
	return consent.ParseDate(value)
}
