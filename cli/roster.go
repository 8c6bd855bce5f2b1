package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

const rosterUsage = `Usage:
  photovet roster import FILE [--data DIR]   import the school's roster (CSV); a bad row imports nothing
  photovet roster list [--data DIR]          list the children and staff with their consents
  photovet roster remove ID [--data DIR]     remove a person with their face descriptors
  photovet roster enroll DIR [--data DIR]    store reference faces from portraits named <id>.jpg
                                             or in a folder per id (biometric opt-in required)
  photovet roster forget ID [--confirmed]    delete a person's reference faces (all, or only those
                                             added from faces named by hand)
  photovet roster template                   print the roster template (CSV) to fill in

The register lives in --data DIR, else $PHOTOVET_DATA, else the user config directory + photovet.`

// rosterCommand manages the people in the consent register: import,
// list, remove, enroll, forget and template, each a subcommand of its own.
type rosterCommand struct{ env Env }

// Run runs the roster subcommand args[0].
func (c *rosterCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &UsageError{Err: errors.New("which roster command?"), Usage: rosterUsage + "\n"}
	}
	switch args[0] {
	case "import":
		return c.importRoster(ctx, args[1:])
	case "list":
		return c.list(ctx, args[1:])
	case "remove":
		return c.remove(ctx, args[1:])
	case "enroll":
		return c.enroll(ctx, args[1:])
	case "forget":
		return c.forget(ctx, args[1:])
	case "template":
		if len(args) > 1 {
			return &UsageError{Err: fmt.Errorf("template takes no arguments, got %q", args[1:]), Usage: rosterUsage + "\n"}
		}
		_, err := c.env.Stdout.Write(assets.RosterTemplateCSV)
		return err
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(c.env.Stdout, rosterUsage)
		return nil
	}
	return &UsageError{Err: fmt.Errorf("unknown subcommand %q", args[0]), Usage: rosterUsage + "\n"}
}

const rosterImportUsage = "Usage: photovet roster import FILE [--data DIR]\n\nImports the roster CSV (columns: see \"photovet roster template\"). Any bad row imports nothing."

// importRoster imports the roster CSV: all of it or, when a row is bad,
// nothing.
func (c *rosterCommand) importRoster(ctx context.Context, args []string) error {
	fs, data := registerFlags("roster import")
	files, err := parse(fs, rosterImportUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf(fs, rosterImportUsage, "give one roster file, got %d", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	sum, err := store.ImportRoster(ctx, f, consent.ImportOptions{})
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	fmt.Fprintf(c.env.Stdout, "imported %s: %d added, %d updated\n", files[0], sum.Added, sum.Updated)
	if sum.OptInsRemoved > 0 {
		fmt.Fprintf(c.env.Stdout, "biometric opt-in removed for %d people: %d reference descriptors deleted\n", sum.OptInsRemoved, sum.DescriptorsDeleted)
	}
	if err != nil { // imported, but the deleted descriptors' bytes are still on the disk
		return fmt.Errorf("%s: %w", files[0], err)
	}
	return nil
}

const rosterListUsage = "Usage: photovet roster list [--data DIR]\n\nLists the children and staff in the register with their consents."

// list prints the people in the register with their consents.
func (c *rosterCommand) list(ctx context.Context, args []string) error {
	fs, data := registerFlags("roster list")
	rest, err := parse(fs, rosterListUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf(fs, rosterListUsage, "list takes no arguments, got %q", rest)
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	reg, err := store.Register(ctx)
	if err != nil {
		return err
	}
	enrolled, err := store.ReferenceCounts(ctx)
	if err != nil {
		return err
	}
	people := make([]*consent.Person, 0, len(reg.People))
	for _, p := range reg.People {
		people = append(people, p)
	}
	slices.SortFunc(people, func(a, b *consent.Person) int {
		return strings.Compare(string(a.Role)+string(a.Unit)+a.Group+a.Name+a.ID, string(b.Role)+string(b.Unit)+b.Group+b.Name+b.ID)
	})
	w := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tGROUP\tUNIT\tBORN\tBIOMETRIC\tCONSENT")
	for _, p := range people {
		biometric := "no"
		if p.BiometricOptIn {
			biometric = fmt.Sprintf("yes, %d refs", enrolled[p.ID].Total())
			if n := enrolled[p.ID].Confirmed; n > 0 {
				biometric += fmt.Sprintf(" (%d confirmed)", n)
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Role, p.Group, p.Unit, p.BirthDate, biometric, describeConsents(p))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "%d people\n", len(people))
	return nil
}

// describeConsents summarises a person's consents on one line, such as
// "guardian=website,facebook pupil=website work=print (2026-08-17..2027-07-31)".
func describeConsents(p *consent.Person) string {
	var parts []string
	validity := map[string]bool{}
	add := func(label string, list []consent.Consent, giver consent.Giver) {
		var channels []string
		for _, c := range list {
			if giver == "" || c.Giver == giver {
				channels = append(channels, c.Channel)
				if !c.ValidFrom.IsZero() || !c.ValidUntil.IsZero() {
					validity[c.ValidFrom.String()+".."+c.ValidUntil.String()] = true
				}
			}
		}
		if len(channels) > 0 {
			parts = append(parts, label+"="+strings.Join(channels, ","))
		}
	}
	add("guardian", p.Consents, consent.Guardian)
	add("pupil", p.Consents, consent.Pupil)
	add("own", p.Consents, consent.StaffMember)
	add("work", p.WorkConsents, "")
	if len(parts) == 0 {
		parts = append(parts, "none")
	}
	for period := range validity {
		parts = append(parts, "("+period+")")
	}
	for _, w := range p.Withdrawals {
		parts = append(parts, fmt.Sprintf("WITHDRAWN %s from %s", w.Channel, w.On))
	}
	return strings.Join(parts, " ")
}

const rosterRemoveUsage = "Usage: photovet roster remove ID [--data DIR]\n\nRemoves a child or staff member with their consents and face descriptors. The publication ledger keeps its record, and withdrawn consents stay in force should the id be listed again."

// remove removes a person with their consents and face descriptors.
func (c *rosterCommand) remove(ctx context.Context, args []string) error {
	fs, data := registerFlags("roster remove")
	ids, err := parse(fs, rosterRemoveUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageErrorf(fs, rosterRemoveUsage, "give one id, got %d", len(ids))
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	err = store.RemovePerson(ctx, ids[0])
	switch {
	case errors.Is(err, consent.ErrNotFound):
		return fmt.Errorf("%q is not in the register", ids[0])
	case errors.Is(err, consent.ErrNotWiped):
		// Removed, but the face descriptors' bytes are still on the disk.
		fmt.Fprintf(c.env.Stdout, "removed %s with their consents\n", ids[0])
		return err
	case err != nil:
		return err
	}
	fmt.Fprintf(c.env.Stdout, "removed %s with their consents and face descriptors\n", ids[0])
	return nil
}

const rosterForgetUsage = "Usage: photovet roster forget ID [--confirmed] [--data DIR]\n\nDeletes a person's reference faces, from portraits and from faces named by hand, and wipes\ntheir bytes; --confirmed deletes only those added from faces named by hand. The person stays\nin the register, with their consents: enrol a portrait again to have them recognised."

// forget deletes a person's reference descriptors, all of them or the
// confirmed ones only: a reviewer who named the wrong child, or staff
// who want a child recognised from fresh portraits only.
func (c *rosterCommand) forget(ctx context.Context, args []string) error {
	fs, data := registerFlags("roster forget")
	confirmed := fs.Bool("confirmed", false, "delete only the references added from faces named by hand")
	ids, err := parse(fs, rosterForgetUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageErrorf(fs, rosterForgetUsage, "give one id, got %d", len(ids))
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	source, what := consent.ReferenceSource(""), "reference faces"
	if *confirmed {
		source, what = consent.ConfirmedReference, "reference faces added from faces named by hand"
	}
	n, err := store.DeleteReferences(ctx, ids[0], source)
	switch {
	case errors.Is(err, consent.ErrNotFound):
		return fmt.Errorf("%q is not in the register", ids[0])
	case errors.Is(err, consent.ErrNotWiped):
		// Deleted, but their bytes are still on the disk.
		fmt.Fprintf(c.env.Stdout, "deleted %d %s of %s\n", n, what, ids[0])
		return err
	case err != nil:
		return err
	}
	fmt.Fprintf(c.env.Stdout, "deleted %d %s of %s\n", n, what, ids[0])
	return nil
}

const rosterEnrollUsage = "Usage: photovet roster enroll DIR [--data DIR]\n\nStores reference faces of people with a biometric opt-in from portraits named by id\n(DIR/S-1001.jpg, or photos in DIR/S-1001/). A portrait needs exactly one face."

// enroll stores the reference descriptors of opted-in people from
// portraits: DIR/<id>.jpg, or any photos in DIR/<id>/. A portrait must
// show exactly one face: with none or several it is reported, never
// guessed.
func (c *rosterCommand) enroll(ctx context.Context, args []string) error {
	fs, data := registerFlags("roster enroll")
	dirs, err := parse(fs, rosterEnrollUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return usageErrorf(fs, rosterEnrollUsage, "give one folder of portraits, got %d", len(dirs))
	}
	store, err := openRegister(ctx, data)
	if err != nil {
		return err
	}
	defer store.Close()
	finder, workers, err := c.env.Faces.Finder()
	if err != nil {
		return err
	}
	enrolments, err := vet.Enroll(ctx, store, finder, workers, dirs[0], nil)
	if err != nil {
		return err
	}
	portraits, people := 0, 0
	for _, e := range enrolments {
		// The ids and file names come from the portraits' names: quoted
		// when they would not print as plain text.
		for _, problem := range e.Problems {
			c.env.warnf("roster", "%s: %s: not used", printable(e.PersonID), messageText(problem))
			portraits++
		}
		if !e.Enrolled() {
			// Without a usable portrait nothing is stored: an earlier
			// enrolment stays as it was.
			outcome := "not enrolled"
			if errors.Is(e.Err, vet.ErrNoUsablePortrait) {
				outcome = "their references are as they were"
			}
			c.env.warnf("roster", "%s: %s", errorText(e.Err), outcome)
			people++
			continue
		}
		fmt.Fprintf(c.env.Stdout, "enrolled %s from %d portrait(s)\n", printable(e.PersonID), e.Used)
	}
	if portraits+people > 0 {
		return fmt.Errorf("%d portrait(s) not used, %d person(s) not enrolled from them (listed above)", portraits, people)
	}
	return nil
}
