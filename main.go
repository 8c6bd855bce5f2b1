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
	"errors"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/photovet/photovet/app"
	"github.com/photovet/photovet/cli"
	"github.com/photovet/photovet/consent"
	_ "github.com/photovet/photovet/internal/quietlocale" // before Fyne reads the locale
	"github.com/photovet/photovet/vet"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

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
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(vet.GCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to the GUI or a subcommand and returns the process exit
// code. Errors are printed here, once (cli.Report).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if data, rest, ok := guiDataFlag(args); ok {
		// photovet --data DIR [PHOTO...]: the GUI on another register.
		if err := os.Setenv(consent.DataEnv, data); err != nil {
			return cli.Report(stderr, err)
		}
		args = rest
	}
	if len(args) == 0 || isPath(args[0]) {
		// No command, or photos given to open ("Open with PhotoVet").
		return cli.Report(stderr, app.Run(version, args))
	}
	faces := vet.NewFaces(vet.LoadEngine)
	err := cli.Run(ctx, args, cli.Env{Stdout: stdout, Stderr: stderr, Faces: faces, Version: version})
	return cli.Report(stderr, errors.Join(err, faces.Close()))
}
