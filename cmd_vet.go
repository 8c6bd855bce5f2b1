package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

// pipeline is the register, the face engine and a batch set up over them
// for one channel, unit and date.
type pipeline struct {
	store  *consent.Store
	engine *vision.Engine
	batch  vet.Batch
}

// Close frees the engine and closes the register.
func (p *pipeline) Close() error {
	return errors.Join(p.engine.Close(), p.store.Close())
}

// openPipeline opens the register in the data directory dataFlag names and
// loads the face models workers times (<= 0: one per core).
func openPipeline(ctx context.Context, dataFlag, channel, unit string, date consent.Date, workers int) (*pipeline, error) {
	store, err := openRegister(ctx, dataFlag)
	if err != nil {
		return nil, err
	}
	p := &pipeline{store: store}
	if err := p.setUp(ctx, channel, unit, date, workers); err != nil {
		store.Close()
		return nil, err
	}
	return p, nil
}

func (p *pipeline) setUp(ctx context.Context, channel, unit string, date consent.Date, workers int) error {
	set, err := p.store.Settings(ctx)
	if err != nil {
		return err
	}
	u, err := set.BatchUnit(unit)
	if err != nil {
		return err
	}
	if !set.HasChannel(channel) {
		return fmt.Errorf("unknown channel %q (the register has %s)", channel, strings.Join(set.Channels, ", "))
	}
	reg, err := p.store.Register(ctx)
	if err != nil {
		return err
	}
	matcher, err := vet.NewMatcher(ctx, p.store)
	if err != nil {
		return err
	}
	dir, err := vision.ModelDir()
	if err != nil {
		return err
	}
	if p.engine, err = vision.NewEngine(dir, workers, vision.DefaultDetectOptions()); err != nil {
		return err
	}
	p.batch = vet.Batch{Finder: p.engine, Workers: p.engine.Workers(), Matcher: matcher, Register: reg,
		Job: consent.Job{Unit: u, Channel: channel, Date: date}}
	return nil
}

// vetLine is one photo's --json line: inspect's fields and what vet did.
type vetLine struct {
	inspectResult
	Status  vet.Status `json:"status"`
	Reasons []string   `json:"reasons"`
	Output  string     `json:"output"`
	// Republished: Output publishes the photo to the channel again.
	Republished bool `json:"republished,omitempty"`
	// AlreadyPublished is the photo's export to the channel in the ledger
	// when it was not exported again.
	AlreadyPublished string `json:"already_published,omitempty"`
}

const vetUsage = `Usage: photovet vet --channel C [--unit U] --photographer NAME [--photographer-channels C,...]
                   --out DIR [--redaction blur|solid] [--redact-unknown] [--republish] [--json] [--data DIR]
                   PHOTO_OR_DIR...

Vets the photos (folders are searched recursively) for the channel and exports the cleared ones to
DIR, with every redaction burned in, under neutral names, and records them in the ledger. Photos that
need review (unknown faces, no face found) are not exported unless --redact-unknown, the default for
early childhood, redacts the unknown faces. Blocked photos are listed with their reasons. A photo the
ledger shows already published to the channel is not exported again unless --republish.`

// runVet vets photos and exports the cleared ones in one go.
func runVet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("vet", stderr, vetUsage)
	channel := fs.String("channel", "", "the `CHANNEL` the photos are for (required)")
	unit := fs.String("unit", "", "the batch's `UNIT` type: early_childhood, school or upper_secondary (default from the settings)")
	photographer := fs.String("photographer", "", "the `NAME` of who took the photos (R5)")
	photographerChannels := fs.String("photographer-channels", "", "the `CHANNELS` (comma-separated) the photographer permits; recorded in the register (default: as recorded)")
	out := fs.String("out", "", "the `DIR` to export the cleared photos to (required)")
	redaction := fs.String("redaction", "", "how faces are hidden: blur or solid (default from the settings)")
	redactUnknown := fs.Bool("redact-unknown", false, "export photos with unknown faces, redacted (default with --unit early_childhood)")
	republish := fs.Bool("republish", false, "export photos already published to the channel again (recorded as re-publications)")
	asJSON := fs.Bool("json", false, "print one JSON object per photo per line")
	vettedBy := fs.String("vetted-by", "", "the `NAME` of the staff member vetting, for the ledger (default the user name)")
	date := fs.String("date", "", "the export `DATE`, YYYY-MM-DD (default today)")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(paths) == 0 || *channel == "" || *out == "" {
		fs.Usage()
		return 2
	}
	day, err := parseDayFlag(*date)
	if err != nil {
		fmt.Fprintf(stderr, "photovet vet: --date: %v\n", err)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "photovet vet: %v\n", err)
		return 1
	}
	if *vettedBy == "" {
		u, err := user.Current()
		if err != nil || u.Username == "" {
			fmt.Fprintln(stderr, "photovet vet: who is vetting? give --vetted-by NAME")
			return 2
		}
		*vettedBy = u.Username
	}
	redactUnknownSet := false
	fs.Visit(func(f *flag.Flag) { redactUnknownSet = redactUnknownSet || f.Name == "redact-unknown" })

	coll := vet.Collect(paths)
	for _, s := range coll.Skipped {
		fmt.Fprintf(stderr, "photovet vet: skipped, not a photo: %s\n", printable(s))
	}
	for _, err := range coll.Unreadable {
		fmt.Fprintf(stderr, "photovet vet: %s\n", errorText(err))
	}
	if len(coll.Photos) == 0 && len(coll.Unreadable) > 0 {
		return 1
	}

	p, err := openPipeline(ctx, *data, *channel, *unit, day, 0)
	if err != nil {
		return fail(err)
	}
	defer p.Close()
	job := p.batch.Job
	if !redactUnknownSet {
		*redactUnknown = job.Unit == consent.EarlyChildhood
	}
	set, err := p.store.Settings(ctx)
	if err != nil {
		return fail(err)
	}
	styleName := *redaction
	if styleName == "" {
		styleName = set.RedactionStyle
	}
	style, err := vision.ParseRedactStyle(styleName)
	if err != nil {
		fmt.Fprintf(stderr, "photovet vet: --redaction: %v\n", err)
		return 2
	}
	name := strings.TrimSpace(*photographer)
	var permitted []string
	switch {
	case name != "" && *photographerChannels != "":
		for c := range strings.SplitSeq(*photographerChannels, ",") {
			permitted = append(permitted, strings.TrimSpace(c))
		}
		if err := p.store.SetPhotographerPermission(ctx, name, permitted, day); err != nil {
			return fail(err)
		}
	case name != "":
		if permitted, err = p.store.PhotographerChannels(ctx, name); err != nil {
			return fail(err)
		}
	}
	p.batch.Photographer, p.batch.PhotographerChannels = name, permitted

	p.batch.Progress = func(pr vet.Progress) {
		fmt.Fprintf(stderr, "[%d/%d] %s: %s\n", pr.Done, pr.Total, printable(pr.Photo.Path), pr.Photo.Status)
	}
	photos, err := p.batch.Run(ctx, coll.Photos)
	if err != nil {
		return fail(err)
	}
	for _, ph := range photos {
		if *redactUnknown {
			ph.RedactUnknown(p.batch.Register, job)
		}
		if ph.SHA256 != "" {
			if err := vet.SaveReview(ctx, p.store, ph, job.Channel); err != nil {
				return fail(err)
			}
		}
	}
	outcomes, err := vet.Export(ctx, p.store, photos, job, vet.ExportOptions{Dir: *out, Style: style, VettedBy: *vettedBy, Republish: *republish})
	if err != nil {
		return fail(err)
	}
	code := reportVet(stdout, stderr, outcomes, *out, *asJSON)
	if len(coll.Unreadable) > 0 {
		code = 1
	}
	return code
}

// reportVet prints the --json lines or the summary and returns the exit
// code: 1 when a photo failed or could not be written. The summary quotes
// names and values that would not print as plain text (see printable).
func reportVet(stdout, stderr io.Writer, outcomes []vet.Outcome, out string, asJSON bool) int {
	code := 0
	enc := json.NewEncoder(stdout)
	var exported, republished int
	var blocked, review, failed, published []string
	for _, o := range outcomes {
		ph := o.Photo
		reasons := messageStrings(ph.Reasons)
		if o.Err != nil {
			code = 1
			reasons = append(reasons, o.Err.Error())
			failed = append(failed, printable(ph.Path)+": "+errorText(o.Err))
		}
		switch {
		case o.Output != "":
			exported++
			if o.Republished {
				republished++
			}
		case o.Earlier != nil:
			published = append(published, fmt.Sprintf("%s: as %s on %s", printable(ph.Path), printable(o.Earlier.Path()), o.Earlier.Date))
		case ph.Status == vet.Blocked:
			blocked = append(blocked, printable(ph.Path)+": "+messagesText(ph.Reasons))
		case ph.Status == vet.NeedsReview:
			review = append(review, printable(ph.Path)+": "+messagesText(ph.Reasons))
		case ph.Status == vet.Failed:
			code = 1
			failed = append(failed, messageText(ph.Error))
		}
		if asJSON {
			line := vetLine{inspectResult: inspectLine(ph), Status: ph.Status, Reasons: reasons, Output: o.Output, Republished: o.Republished}
			if o.Earlier != nil {
				line.AlreadyPublished = o.Earlier.Path()
			}
			if line.Reasons == nil {
				line.Reasons = []string{}
			}
			if err := enc.Encode(line); err != nil {
				fmt.Fprintf(stderr, "photovet vet: %v\n", err)
				return 1
			}
		}
	}
	if asJSON {
		for _, f := range failed {
			fmt.Fprintf(stderr, "photovet vet: %s\n", f)
		}
		return code
	}
	fmt.Fprintf(stdout, "exported %d of %d photos to %s", exported, len(outcomes), printable(filepath.Clean(out)))
	if republished > 0 {
		fmt.Fprintf(stdout, " (%d published again)", republished)
	}
	fmt.Fprintln(stdout)
	for _, list := range []struct {
		title string
		items []string
	}{
		{"blocked", blocked}, {"needs review (not exported)", review},
		{"already published (not exported again; --republish to publish them again)", published}, {"failed", failed},
	} {
		if len(list.items) == 0 {
			continue
		}
		fmt.Fprintf(stdout, "%s: %d\n", list.title, len(list.items))
		for _, item := range list.items {
			fmt.Fprintf(stdout, "  %s\n", item)
		}
	}
	return code
}

// messageStrings renders messages in English, for the CLI's JSON output.
func messageStrings(ms []msg.Text) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.String())
	}
	return s
}
