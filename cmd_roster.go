package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
	"github.com/photovet/photovet/vision"
)

const rosterUsage = `Usage:
  photovet roster import FILE [--data DIR]   import the school's roster (CSV); a bad row imports nothing
  photovet roster list [--data DIR]          list the children and staff with their consents
  photovet roster remove ID [--data DIR]     remove a person with their face descriptors
  photovet roster enroll DIR [--data DIR]    store reference faces from portraits named <id>.jpg
                                             or in a folder per id (biometric opt-in required)
  photovet roster template                   print the roster template (CSV) to fill in

The register lives in --data DIR, else $PHOTOVET_DATA, else the user config directory + photovet.`

// runRoster manages the people in the consent register.
func runRoster(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, rosterUsage)
		return 2
	}
	switch args[0] {
	case "import":
		return runRosterImport(ctx, args[1:], stdout, stderr)
	case "list":
		return runRosterList(ctx, args[1:], stdout, stderr)
	case "remove":
		return runRosterRemove(ctx, args[1:], stdout, stderr)
	case "enroll":
		return runRosterEnroll(ctx, args[1:], stdout, stderr)
	case "template":
		if len(args) > 1 {
			fmt.Fprintln(stderr, rosterUsage)
			return 2
		}
		stdout.Write(assets.RosterTemplateCSV)
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, rosterUsage)
		return 0
	}
	fmt.Fprintf(stderr, "photovet roster: unknown subcommand %q\n\n%s\n", args[0], rosterUsage)
	return 2
}

// registerFlags returns a flag set for a register command with its --data
// flag.
func registerFlags(name string, stderr io.Writer, usage string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data `DIR` holding the register (default $PHOTOVET_DATA, else the user config directory + photovet)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs, data
}

// parseInterspersed parses fs from args with flags allowed after the
// positional arguments ("withdraw ID --channel C"), and returns those.
// "--" ends the flags: everything after it is positional, so that a file
// named "-x.jpg" can be given as "-- -x.jpg".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(arg) > 1 && arg[0] == '-':
			flags = append(flags, arg)
			if takesValue(fs, arg) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			positional = append(positional, arg)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return positional, nil
}

// takesValue reports whether the flag argument arg ("-name" or "--name",
// without "=value") names a flag of fs that takes the next argument as its
// value, as the flag package reads it: any flag but a boolean one.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// openRegister opens the consent register in the data directory dataFlag
// names (see consent.DataDir).
func openRegister(ctx context.Context, dataFlag string) (*consent.Store, error) {
	dir, err := consent.DataDir(dataFlag)
	if err != nil {
		return nil, err
	}
	return consent.Open(ctx, dir)
}

// parseDayFlag reads a --date value; empty means today.
func parseDayFlag(value string) (consent.Date, error) {
	if value == "" {
		return consent.Today(), nil
	}
	return consent.ParseDate(value)
}

func runRosterImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("roster import", stderr, "Usage: photovet roster import FILE [--data DIR]\n\nImports the roster CSV (columns: see \"photovet roster template\"). Any bad row imports nothing.")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
	}
	f, err := os.Open(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	defer f.Close()
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	defer store.Close()
	sum, err := store.ImportRoster(ctx, f, consent.ImportOptions{})
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		fmt.Fprintf(stderr, "photovet roster: %s: %v\n", files[0], err)
		return 1
	}
	fmt.Fprintf(stdout, "imported %s: %d added, %d updated\n", files[0], sum.Added, sum.Updated)
	if sum.OptInsRemoved > 0 {
		fmt.Fprintf(stdout, "biometric opt-in removed for %d people: %d reference descriptors deleted\n", sum.OptInsRemoved, sum.DescriptorsDeleted)
	}
	if err != nil { // imported, but the deleted descriptors' bytes are still on the disk
		fmt.Fprintf(stderr, "photovet roster: %s: %v\n", files[0], err)
		return 1
	}
	return 0
}

func runRosterList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("roster list", stderr, "Usage: photovet roster list [--data DIR]\n\nLists the children and staff in the register with their consents.")
	if rest, err := parseInterspersed(fs, args); err != nil || len(rest) > 0 {
		if err == nil {
			fs.Usage()
		}
		return 2
	}
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	defer store.Close()
	reg, err := store.Register(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	refs, err := store.References(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	enrolled := map[string]int{}
	for _, r := range refs {
		enrolled[r.PersonID]++
	}
	people := make([]*consent.Person, 0, len(reg.People))
	for _, p := range reg.People {
		people = append(people, p)
	}
	slices.SortFunc(people, func(a, b *consent.Person) int {
		return strings.Compare(string(a.Role)+string(a.Unit)+a.Group+a.Name+a.ID, string(b.Role)+string(b.Unit)+b.Group+b.Name+b.ID)
	})
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tGROUP\tUNIT\tBORN\tBIOMETRIC\tCONSENT")
	for _, p := range people {
		biometric := "no"
		if p.BiometricOptIn {
			biometric = fmt.Sprintf("yes, %d refs", enrolled[p.ID])
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Role, p.Group, p.Unit, p.BirthDate, biometric, describeConsents(p))
	}
	w.Flush()
	fmt.Fprintf(stdout, "%d people\n", len(people))
	return 0
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

func runRosterRemove(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("roster remove", stderr, "Usage: photovet roster remove ID [--data DIR]\n\nRemoves a child or staff member with their consents and face descriptors. The publication ledger keeps its record.")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(ids) != 1 {
		fs.Usage()
		return 2
	}
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	defer store.Close()
	err = store.RemovePerson(ctx, ids[0])
	switch {
	case errors.Is(err, consent.ErrNotFound):
		fmt.Fprintf(stderr, "photovet roster: %q is not in the register\n", ids[0])
		return 1
	case errors.Is(err, consent.ErrNotWiped):
		// Removed, but the face descriptors' bytes are still on the disk.
		fmt.Fprintf(stdout, "removed %s with their consents\n", ids[0])
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "removed %s with their consents and face descriptors\n", ids[0])
	return 0
}

// runRosterEnroll stores the reference descriptors of opted-in people from
// portraits: DIR/<id>.jpg, or any photos in DIR/<id>/. A portrait must show
// exactly one face: with none or several it is reported, never guessed.
func runRosterEnroll(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, data := registerFlags("roster enroll", stderr, "Usage: photovet roster enroll DIR [--data DIR]\n\nStores reference faces of people with a biometric opt-in from portraits named by id\n(DIR/S-1001.jpg, or photos in DIR/S-1001/). A portrait needs exactly one face.")
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(dirs) != 1 {
		fs.Usage()
		return 2
	}
	store, err := openRegister(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	defer store.Close()
	modelDir, err := vision.ModelDir()
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	engine, err := vision.NewEngine(modelDir, 0, vision.DefaultDetectOptions())
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	defer engine.Close()
	enrolments, err := vet.Enroll(ctx, store, engine, engine.Workers(), dirs[0], nil)
	if err != nil {
		fmt.Fprintf(stderr, "photovet roster: %v\n", err)
		return 1
	}
	code := 0
	for _, e := range enrolments {
		// The ids and file names come from the portraits' names: quoted
		// when they would not print as plain text.
		for _, problem := range e.Problems {
			fmt.Fprintf(stderr, "photovet roster: %s: %s: not used\n", printable(e.PersonID), messageText(problem))
			code = 1
		}
		if !e.Enrolled() {
			fmt.Fprintf(stderr, "photovet roster: %s, not enrolled\n", errorText(e.Err))
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "enrolled %s from %d portrait(s)\n", printable(e.PersonID), e.Used)
	}
	return code
}
