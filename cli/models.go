package cli

import (
	"context"
	"fmt"

	"github.com/photovet/photovet/vision"
)

const modelsUsage = `Usage: photovet models

Reports the model cache ($PHOTOVET_MODELS) and checks each file's SHA-256.`

// modelsCommand reports where the face models are and whether each
// verifies.
type modelsCommand struct{ env Env }

// Run lists the model files with "ok" or what is wrong with each; it
// fails when one does not verify.
func (c *modelsCommand) Run(_ context.Context, args []string) error {
	fs := newFlags("models")
	rest, err := parse(fs, modelsUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf(fs, modelsUsage, "models takes no arguments, got %q", rest)
	}
	dir, err := vision.ModelDir()
	if err != nil {
		return err
	}
	files, err := vision.CheckModels(dir)
	fmt.Fprintf(c.env.Stdout, "model cache: %s\n", dir)
	for _, f := range files {
		status := "ok"
		if f.Err != nil {
			status = f.Err.Error()
		}
		fmt.Fprintf(c.env.Stdout, "  %-42s %s\n", f.Name, status)
	}
	return err
}
