// Command photovet vets classroom photos before they go online.
//
// With no arguments (or a double-click) it opens the desktop app. With a
// subcommand it runs the same engine from the command line:
//
//	photovet version
//	photovet models
//
// Run "photovet help" for the full list.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/photovet/photovet/app"
	"github.com/photovet/photovet/consent"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// command is one CLI subcommand.
type command struct {
	name  string
	usage string // one line: arguments and what it does
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order "photovet help" shows them.
func commands() []command {
	return []command{
		{"version", "print the version", runVersion},
		{"models", "report where the face models are and whether they verify", runModels},
		{"roster", "import FILE | list | remove ID | template: the children and staff in the consent register", runRoster},
		{"withdraw", "ID --channel C|all [--date D]: record a withdrawn consent and list photos to take down", runWithdraw},
		{"takedowns", "[--done ID] [--all]: list published photos to take down, or mark them done", runTakedowns},
		{"purge", "--year-end: delete every stored face descriptor", runPurge},
		{"inspect", "[--json] [--channel C] PHOTO...: show size, metadata, faces found and their decisions", runInspect},
		{"vet", "--channel C --photographer NAME --out DIR PHOTO_OR_DIR...: vet photos and export the cleared ones", runVet},
	}
}

// guiDataFlag reads a leading --data DIR (or --data=DIR) given to the GUI
// and returns DIR and the arguments after it.
func guiDataFlag(args []string) (dir string, rest []string, ok bool) {
	if len(args) == 0 {
		return "", args, false
	}
	for _, prefix := range []string{"--data", "-data"} {
		if args[0] == prefix && len(args) > 1 {
			return args[1], args[2:], true
		}
		if v, found := strings.CutPrefix(args[0], prefix+"="); found {
			return v, args[1:], true
		}
	}
	return "", args, false
}

// isPath reports whether arg names an existing file or folder rather than
// a command.
func isPath(arg string) bool {
	if !strings.ContainsAny(arg, `/\.`) {
		return false
	}
	_, err := os.Stat(arg)
	return err == nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to the GUI or a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if data, rest, ok := guiDataFlag(args); ok {
		// photovet --data DIR [PHOTO...]: the GUI on another register.
		if err := os.Setenv(consent.DataEnv, data); err != nil {
			fmt.Fprintf(stderr, "photovet: %v\n", err)
			return 1
		}
		args = rest
	}
	if len(args) == 0 || isPath(args[0]) {
		// No command, or photos given to open ("Open with PhotoVet").
		if err := app.Run(version, args); err != nil {
			fmt.Fprintf(stderr, "photovet: %v\n", err)
			return 1
		}
		return 0
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
		return 0
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "photovet: unknown command %q\n\n", name)
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: photovet [command] [arguments]")
	fmt.Fprintln(w, "\nWith no command, photovet opens the desktop app.\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nRun \"photovet COMMAND -h\" for a command's options.")
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "photovet %s\n", version)
	return 0
}
