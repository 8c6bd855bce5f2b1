package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/photovet/photovet/consent"
)

const takedownsUsage = `Usage: photovet takedowns [--all] [--data DIR]
       photovet takedowns --done ID[,ID...] [--date D] [--data DIR]

Lists the published photos that must come down because a person on them withdrew consent, or
marks tasks done (on --date, default today).`

// takedownsCommand lists take-down tasks and marks them done.
type takedownsCommand struct{ env Env }

// Run lists the open tasks (all with --all), or marks the --done ones.
func (c *takedownsCommand) Run(ctx context.Context, args []string) error {
	fs, data := registerFlags("takedowns")
	all := fs.Bool("all", false, "list the tasks already done too")
	done := fs.String("done", "", "mark the tasks with these `IDs` (comma-separated) done")
	date := fs.String("date", "", "the `DATE` the photos were taken down, YYYY-MM-DD (default today)")
	rest, err := parse(fs, takedownsUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf(fs, takedownsUsage, "takedowns takes no arguments, got %q", rest)
	}
	on, err := parseDayFlag(*date)
	if err != nil {
		return usageErrorf(fs, takedownsUsage, "--date: %w", err)
	}
	var ids []int64
	if *done != "" {
		for s := range strings.SplitSeq(*done, ",") {
			id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
			if err != nil {
				return usageErrorf(fs, takedownsUsage, "--done: %q is not a task id", s)
			}
			ids = append(ids, id)
		}
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	if len(ids) > 0 {
		for _, id := range ids {
			if err := store.MarkTakedownDone(ctx, id, on); err != nil {
				return err
			}
			fmt.Fprintf(c.env.Stdout, "take-down #%d marked done on %s\n", id, on)
		}
		return nil
	}
	tasks, err := store.Takedowns(ctx, *all)
	if err != nil {
		return err
	}
	if len(tasks) == 0 {
		fmt.Fprintln(c.env.Stdout, "no open take-down tasks")
		return nil
	}
	return printTakedowns(c.env.Stdout, tasks)
}

func printTakedowns(w io.Writer, tasks []consent.Takedown) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDUE\tCHANNEL\tPUBLISHED\tEXPORT FILE\tORIGINAL\tPERSON\tSTATUS")
	for _, t := range tasks {
		person := t.PersonID
		if t.PersonName != "" {
			person = fmt.Sprintf("%s (%s)", t.PersonName, t.PersonID)
		}
		status := "open"
		if !t.DoneOn.IsZero() {
			status = "done " + t.DoneOn.String()
		}
		original := t.OriginalName
		if original == "" {
			original = "-" // recorded before the ledger kept it
		}
		fmt.Fprintf(tw, "#%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.WithdrawnOn, t.Channel, t.PublishedOn, printable(t.ExportPath()), printable(original), person, status)
	}
	return tw.Flush()
}
