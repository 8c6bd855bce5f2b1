package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/photovet/photovet/consent"
)

// runWithdraw records the withdrawal of a consent or of a biometric opt-in
// and lists the photos that must come down.
func runWithdraw(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("withdraw", stderr, `Usage: photovet withdraw ID --channel C|all [--date D] [--data DIR]
       photovet withdraw ID --biometric [--data DIR]

Records that a person's consent for a channel (or all) is withdrawn from the date on (default
today): exports from then on redact them, and every published photo in which they are visible on
that channel becomes a take-down task. --biometric withdraws the biometric opt-in and deletes the
person's reference face descriptors.`)
	channel := fs.String("channel", "", "the `CHANNEL` consent is withdrawn for, or all")
	date := fs.String("date", "", "the `DATE` the withdrawal takes effect, YYYY-MM-DD (default today)")
	biometric := fs.Bool("biometric", false, "withdraw the biometric opt-in and delete the face descriptors")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(ids) != 1 || (*channel == "" && !*biometric) {
		fs.Usage()
		return 2
	}
	on, err := parseDayFlag(*date)
	if err != nil {
		fmt.Fprintf(stderr, "photovet withdraw: --date: %v\n", err)
		return 2
	}
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet withdraw: %v\n", err)
		return 1
	}
	defer store.Close()
	id := ids[0]
	code := 0
	if *biometric {
		err := store.SetBiometricOptIn(ctx, id, false, on)
		switch {
		case errors.Is(err, consent.ErrNotWiped):
			// Withdrawn and deleted, but the bytes are still on the disk.
			fmt.Fprintf(stdout, "recorded: %s's biometric opt-in withdrawn\n", id)
			fmt.Fprintf(stderr, "photovet withdraw: %v\n", err)
			code = 1
		case err != nil:
			fmt.Fprintf(stderr, "photovet withdraw: %v\n", err)
			return 1
		default:
			fmt.Fprintf(stdout, "recorded: %s's biometric opt-in withdrawn; their face descriptors are deleted\n", id)
		}
	}
	if *channel == "" {
		return code
	}
	tasks, err := store.Withdraw(ctx, id, *channel, on)
	if err != nil {
		fmt.Fprintf(stderr, "photovet withdraw: %v\n", err)
		return 1
	}
	what := consent.ChannelLabel(*channel)
	if *channel == consent.AllChannels {
		what = "all channels"
	}
	fmt.Fprintf(stdout, "recorded: %s's consent for %s withdrawn from %s\n", id, what, on)
	if len(tasks) == 0 {
		fmt.Fprintln(stdout, "no published photo shows them there: nothing to take down")
		return code
	}
	fmt.Fprintf(stdout, "%d published photo(s) to take down:\n", len(tasks))
	printTakedowns(stdout, tasks)
	fmt.Fprintln(stdout, `run "photovet takedowns --done ID" once a photo is down`)
	return code
}

// runTakedowns lists take-down tasks and marks them done.
func runTakedowns(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("takedowns", stderr, `Usage: photovet takedowns [--all] [--data DIR]
       photovet takedowns --done ID[,ID...] [--date D] [--data DIR]

Lists the published photos that must come down because a person on them withdrew consent, or
marks tasks done (on --date, default today).`)
	all := fs.Bool("all", false, "list the tasks already done too")
	done := fs.String("done", "", "mark the tasks with these `IDs` (comma-separated) done")
	date := fs.String("date", "", "the `DATE` the photos were taken down, YYYY-MM-DD (default today)")
	if rest, err := parseInterspersed(fs, args); err != nil || len(rest) > 0 {
		if err == nil {
			fs.Usage()
		}
		return 2
	}
	on, err := parseDayFlag(*date)
	if err != nil {
		fmt.Fprintf(stderr, "photovet takedowns: --date: %v\n", err)
		return 2
	}
	var ids []int64
	if *done != "" {
		for _, s := range strings.Split(*done, ",") {
			id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
			if err != nil {
				fmt.Fprintf(stderr, "photovet takedowns: --done: %q is not a task id\n", s)
				return 2
			}
			ids = append(ids, id)
		}
	}
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet takedowns: %v\n", err)
		return 1
	}
	defer store.Close()
	if len(ids) > 0 {
		for _, id := range ids {
			if err := store.MarkTakedownDone(ctx, id, on); err != nil {
				fmt.Fprintf(stderr, "photovet takedowns: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "take-down #%d marked done on %s\n", id, on)
		}
		return 0
	}
	tasks, err := store.Takedowns(ctx, *all)
	if err != nil {
		fmt.Fprintf(stderr, "photovet takedowns: %v\n", err)
		return 1
	}
	if len(tasks) == 0 {
		fmt.Fprintln(stdout, "no open take-down tasks")
		return 0
	}
	printTakedowns(stdout, tasks)
	return 0
}

func printTakedowns(w io.Writer, tasks []consent.Takedown) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDUE\tCHANNEL\tPUBLISHED\tEXPORT FILE\tPERSON\tSTATUS")
	for _, t := range tasks {
		person := t.PersonID
		if t.PersonName != "" {
			person = fmt.Sprintf("%s (%s)", t.PersonName, t.PersonID)
		}
		status := "open"
		if !t.DoneOn.IsZero() {
			status = "done " + t.DoneOn.String()
		}
		fmt.Fprintf(tw, "#%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.WithdrawnOn, t.Channel, t.PublishedOn, t.ExportPath(), person, status)
	}
	tw.Flush()
}

// runPurge deletes every reference face descriptor at the end of the
// school year (R9).
func runPurge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("purge", stderr, `Usage: photovet purge --year-end [--data DIR]

Deletes every stored reference face descriptor (end of the school year). Biometric opt-ins stay,
so next year's portraits can be enrolled again.`)
	yearEnd := fs.Bool("year-end", false, "confirm the year-end purge of all face descriptors")
	if rest, err := parseInterspersed(fs, args); err != nil || len(rest) > 0 || !*yearEnd {
		if err == nil {
			fs.Usage()
		}
		return 2
	}
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet purge: %v\n", err)
		return 1
	}
	defer store.Close()
	n, err := store.PurgeDescriptors(ctx)
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		fmt.Fprintf(stderr, "photovet purge: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "deleted %d reference face descriptors; biometric opt-ins are kept\n", n)
	if err != nil { // deleted, but the bytes are still on the disk
		fmt.Fprintf(stderr, "photovet purge: %v\n", err)
		return 1
	}
	return 0
}
