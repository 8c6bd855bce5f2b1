package cli

import (
	"context"
	"encoding/json"
	"errors"
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

// openSession opens the register the flags name and sets up a vetting
// session for channel, unit ("" for the settings' default) and date over
// env's face engine. Close its store when done.
func openSession(ctx context.Context, env Env, where *registerFlagValues, channel, unit string, date consent.Date) (*vet.Session, error) {
	store, err := openRegister(ctx, where)
	if err != nil {
		return nil, err
	}
	s := &vet.Session{Store: store, Faces: env.Faces}
	if err := s.SetUp(ctx, channel, unit, date); err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return s, nil
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
                   --out DIR [--redaction blur|solid] [--redact-unknown] [--confirm-no-face]
                   [--republish] [--json] [--data DIR] PHOTO_OR_DIR...

Vets the photos (folders are searched recursively) for the channel and exports the cleared ones to
DIR, with every redaction burned in, under neutral names, and records them in the ledger. Photos that
need review are not exported: a school photo with an unknown face unless --redact-unknown hides it
(in early childhood unknown faces are hidden anyway), a photo in which no face was found unless
--confirm-no-face says, as the reviewer, that nobody is on it. Both are recorded as the reviewer's
decision. Blocked photos are listed with their reasons. A photo the ledger shows already published
to the channel is not exported again unless --republish.`

// vetCommand vets photos and exports the cleared ones in one go.
type vetCommand struct{ env Env }

// Run vets the photos and exports the cleared ones. It fails when a
// photo could not be read or written, after reporting on all of them.
func (c *vetCommand) Run(ctx context.Context, args []string) error {
	fs, data := registerFlags("vet")
	channel := fs.String("channel", "", "the `CHANNEL` the photos are for (required)")
	unit := fs.String("unit", "", "the batch's `UNIT` type: early_childhood, school or upper_secondary (default from the settings)")
	photographer := fs.String("photographer", "", "the `NAME` of who took the photos (R5)")
	photographerChannels := fs.String("photographer-channels", "", "the `CHANNELS` (comma-separated) the photographer permits; recorded in the register (default: as recorded)")
	out := fs.String("out", "", "the `DIR` to export the cleared photos to (required)")
	redaction := fs.String("redaction", "", "how faces are hidden: blur or solid (default from the settings)")
	confirmRecognised := fs.Bool("confirm-recognised", false, "confirm, as the reviewer, that each face recognised as someone with consent is that person, which shows the face (photovet inspect lists who was recognised); without it such faces stay hidden")
	redactUnknown := fs.Bool("redact-unknown", false, "hide every face nobody was identified as, as the reviewer's decision, and export those photos")
	confirmNoFace := fs.Bool("confirm-no-face", false, "confirm, as the reviewer, that nobody is on each photo in which no face was found, and export those photos")
	republish := fs.Bool("republish", false, "export photos already published to the channel again (recorded as re-publications)")
	asJSON := fs.Bool("json", false, "print one JSON object per photo per line")
	vettedBy := fs.String("vetted-by", "", "the `NAME` of the staff member vetting, for the ledger (default the user name)")
	date := fs.String("date", "", "the export `DATE`, YYYY-MM-DD (default today)")
	paths, err := parse(fs, vetUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(paths) == 0 || *channel == "" || *out == "" {
		return usageErrorf(fs, vetUsage, "give --channel, --out and the photos")
	}
	day, err := parseDayFlag(*date)
	if err != nil {
		return usageErrorf(fs, vetUsage, "--date: %w", err)
	}
	var style *vision.RedactStyle
	if *redaction != "" {
		s, err := vision.ParseRedactStyle(*redaction)
		if err != nil {
			return usageErrorf(fs, vetUsage, "--redaction: %w", err)
		}
		style = &s
	}
	if *vettedBy == "" {
		u, err := user.Current()
		if err != nil || u.Username == "" {
			return usageErrorf(fs, vetUsage, "who is vetting? give --vetted-by NAME")
		}
		*vettedBy = u.Username
	}

	coll := vet.Collect(paths)
	for _, s := range coll.Skipped {
		c.env.warnf("vet", "skipped, not a photo: %s", printable(s))
	}
	for _, err := range coll.Unreadable {
		c.env.warnf("vet", "%s", errorText(err))
	}
	if len(coll.Photos) == 0 && len(coll.Unreadable) > 0 {
		return fmt.Errorf("none of the %d paths could be read (listed above)", len(coll.Unreadable))
	}

	session, err := openSession(ctx, c.env, data, *channel, *unit, day)
	if err != nil {
		return err
	}
	defer session.Store.Close()
	if style != nil {
		session.Job.Style = *style
	}
	name := strings.TrimSpace(*photographer)
	var permitted []string
	switch {
	case name != "" && *photographerChannels != "":
		for ch := range strings.SplitSeq(*photographerChannels, ",") {
			permitted = append(permitted, strings.TrimSpace(ch))
		}
		if err := session.Store.SetPhotographerPermission(ctx, name, permitted, day); err != nil {
			return err
		}
	case name != "":
		if permitted, err = session.Store.PhotographerChannels(ctx, name); err != nil {
			return err
		}
	}
	session.Job.Photographer, session.Job.PhotographerChannels = name, permitted

	batch, err := session.Batch(ctx)
	if err != nil {
		return err
	}
	batch.Progress = func(pr vet.Progress) {
		fmt.Fprintf(c.env.Stderr, "[%d/%d] %s: %s\n", pr.Done, pr.Total, printable(pr.Photo.Path), pr.Photo.Status)
	}
	photos, err := batch.Run(ctx, coll.Photos)
	if err != nil {
		return err
	}
	if err := session.Review(ctx, photos, vet.BatchReview{ConfirmRecognised: *confirmRecognised, HideUnknown: *redactUnknown, ConfirmNoFace: *confirmNoFace}); err != nil {
		return err
	}
	outcomes, err := session.Export(ctx, photos, vet.ExportOptions{Dir: *out, VettedBy: *vettedBy, Republish: *republish})
	if err != nil {
		return err
	}
	if err := reportVet(c.env.Stdout, c.env.Stderr, outcomes, *out, *asJSON); err != nil {
		return err
	}
	if len(coll.Unreadable) > 0 {
		return fmt.Errorf("%d paths could not be read (listed above)", len(coll.Unreadable))
	}
	return nil
}

// reportVet prints the --json lines or the summary; it returns
// errReported when a photo failed or could not be written. The summary
// quotes names and values that would not print as plain text (see
// printable).
func reportVet(stdout, stderr io.Writer, outcomes []vet.Outcome, out string, asJSON bool) error {
	var result error
	enc := json.NewEncoder(stdout)
	var exported, republished, learned int
	var blocked, review, failed, published []string
	for _, o := range outcomes {
		ph := o.Photo
		reasons := messageStrings(ph.Reasons)
		if o.Err != nil {
			result = errReported
			reasons = append(reasons, o.Err.Error())
			failed = append(failed, printable(ph.Path)+": "+errorText(o.Err))
		}
		learned += o.Learned
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
			result = errReported
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
				return err
			}
		}
	}
	if asJSON {
		for _, f := range failed {
			fmt.Fprintf(stderr, "photovet vet: %s\n", f)
		}
		return result
	}
	fmt.Fprintf(stdout, "exported %d of %d photos to %s", exported, len(outcomes), printable(filepath.Clean(out)))
	if republished > 0 {
		fmt.Fprintf(stdout, " (%d published again)", republished)
	}
	fmt.Fprintln(stdout)
	if learned > 0 {
		fmt.Fprintf(stdout, "faces named by hand added to the people's references: %d\n", learned)
	}
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
	return result
}

// messageStrings renders messages in English, for the CLI's JSON output.
func messageStrings(ms []msg.Text) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.String())
	}
	return s
}
