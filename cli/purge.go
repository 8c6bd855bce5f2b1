package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/photovet/photovet/consent"
)

const purgeUsage = `Usage: photovet purge --year-end [--data DIR]

Deletes every stored reference face descriptor (end of the school year). Biometric opt-ins stay,
so next year's portraits can be enrolled again.`

// purgeCommand deletes every reference face descriptor at the end of the
// school year (R9).
type purgeCommand struct{ env Env }

// Run deletes the descriptors when --year-end confirms it.
func (c *purgeCommand) Run(ctx context.Context, args []string) error {
	fs, data := registerFlags("purge")
	yearEnd := fs.Bool("year-end", false, "confirm the year-end purge of all face descriptors")
	rest, err := parse(fs, purgeUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 || !*yearEnd {
		return usageErrorf(fs, purgeUsage, "confirm with --year-end, and nothing else")
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.PurgeDescriptors(ctx)
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "deleted %d reference face descriptors; biometric opt-ins are kept\n", n)
	return err // when not nil: deleted, but the bytes are still on the disk
}
