package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/photovet/photovet/vision"
)

// runModels reports where the face models are and whether each verifies.
func runModels(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("models", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: photovet models\n\nReports the model cache ($PHOTOVET_MODELS) and checks each file's SHA-256.")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, err := vision.ModelDir()
	if err != nil {
		fmt.Fprintf(stderr, "photovet models: %v\n", err)
		return 1
	}
	files, err := vision.CheckModels(dir)
	fmt.Fprintf(stdout, "model cache: %s\n", dir)
	for _, f := range files {
		status := "ok"
		if f.Err != nil {
			status = f.Err.Error()
		}
		fmt.Fprintf(stdout, "  %-42s %s\n", f.Name, status)
	}
	if err != nil {
		fmt.Fprintf(stderr, "photovet models: %v\n", err)
		return 1
	}
	return 0
}
