package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/photovet/photovet/consent"
)

const withdrawUsage = `Usage: photovet withdraw ID --channel C|all [--date D] [--data DIR]
       photovet withdraw ID --biometric [--data DIR]

Records that a person's consent for a channel (or all) is withdrawn from the date on (default
today): exports from then on redact them, and every published photo in which they are visible on
that channel becomes a take-down task. --biometric withdraws the biometric opt-in and deletes the
person's reference face descriptors.`

// withdrawCommand records the withdrawal of a consent or of a biometric
// opt-in and lists the photos that must come down.
type withdrawCommand struct{ env Env }

// Run records the withdrawal and prints the take-down tasks it made.
func (c *withdrawCommand) Run(ctx context.Context, args []string) error {
	fs, data := registerFlags("withdraw")
	channel := fs.String("channel", "", "the `CHANNEL` consent is withdrawn for, or all")
	date := fs.String("date", "", "the `DATE` the withdrawal takes effect, YYYY-MM-DD (default today)")
	biometric := fs.Bool("biometric", false, "withdraw the biometric opt-in and delete the face descriptors")
	ids, err := parse(fs, withdrawUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(ids) != 1 || (*channel == "" && !*biometric) {
		return usageErrorf(fs, withdrawUsage, "give one id and --channel or --biometric")
	}
	on, err := parseDayFlag(*date)
	if err != nil {
		return usageErrorf(fs, withdrawUsage, "--date: %w", err)
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	id := ids[0]
	var notWiped error
	if *biometric {
		err := store.SetBiometricOptIn(ctx, id, false, on)
		switch {
		case errors.Is(err, consent.ErrNotWiped):
			// Withdrawn and deleted, but the bytes are still on the disk.
			fmt.Fprintf(c.env.Stdout, "recorded: %s's biometric opt-in withdrawn\n", id)
			notWiped = err
		case err != nil:
			return err
		default:
			fmt.Fprintf(c.env.Stdout, "recorded: %s's biometric opt-in withdrawn; their face descriptors are deleted\n", id)
		}
	}
	if *channel == "" {
		return notWiped
	}
	tasks, err := store.Withdraw(ctx, id, *channel, on)
	if err != nil {
		return errors.Join(err, notWiped)
	}
	what := consent.ChannelLabel(*channel)
	if *channel == consent.AllChannels {
		what = "all channels"
	}
	fmt.Fprintf(c.env.Stdout, "recorded: %s's consent for %s withdrawn from %s\n", id, what, on)
	if len(tasks) == 0 {
		fmt.Fprintln(c.env.Stdout, "no published photo shows them there: nothing to take down")
		return notWiped
	}
	fmt.Fprintf(c.env.Stdout, "%d published photo(s) to take down:\n", len(tasks))
	if err := printTakedowns(c.env.Stdout, tasks); err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stdout, `run "photovet takedowns --done ID" once a photo is down`)
	return notWiped
}
