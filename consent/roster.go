package consent

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/photovet/photovet/msg"
)

// The roster's columns, by their English header names. ROSTER.md in
// package assets documents them for the school office.
const (
	colID              = "id"
	colName            = "name"
	colRole            = "role"
	colGroup           = "group"
	colUnit            = "unit"
	colBirthDate       = "birth_date"
	colGuardianConsent = "guardian_consent"
	colPupilConsent    = "pupil_consent"
	colWorkConsent     = "work_consent"
	colBiometric       = "biometric"
	colValidFrom       = "valid_from"
	colValidUntil      = "valid_until"
)

// rosterColumn returns the English column a header names, accepting the
// Dutch and Finnish headers too; "" when it names none.
func rosterColumn(header string) string {
	h := strings.ToLower(strings.TrimSpace(header))
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
	switch h {
	case colID, "nummer", "tunnus":
		return colID
	case colName, "naam", "nimi":
		return colName
	case colRole, "rol", "rooli":
		return colRole
	case colGroup, "groep", "klas", "ryhmä", "luokka":
		return colGroup
	case colUnit, "eenheid", "yksikkö":
		return colUnit
	case colBirthDate, "geboortedatum", "syntymäaika":
		return colBirthDate
	case colGuardianConsent, "toestemming_ouder", "huoltajan_lupa":
		return colGuardianConsent
	case colPupilConsent, "toestemming_leerling", "oppilaan_lupa":
		return colPupilConsent
	case colWorkConsent, "toestemming_werk", "työn_lupa", "tyon_lupa":
		return colWorkConsent
	case colBiometric, "biometrie", "biometria":
		return colBiometric
	case colValidFrom, "geldig_vanaf", "voimassa_alkaen":
		return colValidFrom
	case colValidUntil, "geldig_tot", "voimassa_asti":
		return colValidUntil
	}
	return ""
}

// RosterEntry is one person read from a roster file.
type RosterEntry struct {
	Line   int    // the line of the file the person was read from
	Person Person // Withdrawals are never set from a roster
}

// RowError is one bad value in a roster file.
type RowError struct {
	Line int // line in the file, counting the header as line 1
	// Field is the column's header as the file writes it, or "" when the
	// line as a whole is bad.
	Field string
	Msg   msg.Text
}

func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Msg)
}

// RosterError lists the bad rows of a roster file; when an import returns
// one, nothing at all was imported.
type RosterError struct {
	Rows []RowError
}

// maxReportedRows caps the problems listed in a RosterError's message: a
// roster saved with the wrong date format has one per line.
const maxReportedRows = 20

func (e *RosterError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the roster has %d problem(s), nothing was imported:", len(e.Rows))
	for i, r := range e.Rows {
		if i == maxReportedRows {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Rows)-i)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(r.Error())
	}
	return b.String()
}

// ParseRoster reads a roster CSV (see ROSTER.md in package assets): a
// header row naming the columns in any order; the delimiter ",", ";" or tab,
// detected from the header; UTF-8 with or without a byte-order mark; dates
// as YYYY-MM-DD, DD.MM.YYYY or DD-MM-YYYY (see ParseDate). Channels are
// checked against set.Channels, empty units default to set.DefaultUnit, birth
// dates must lie between 1 January 1900 and today, and a validity period must
// not end before it starts. It returns a *RosterError listing every bad row, or
// the entries when there are none.
func ParseRoster(r io.Reader, set Settings, today Date) ([]RosterEntry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, &RosterError{Rows: []RowError{{Line: firstInvalidLine(data), Msg: msg.New(`the file is not UTF-8: save the roster as "CSV UTF-8"`)}}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = detectDelimiter(data)
	cr.FieldsPerRecord = -1 // a short row is reported with its line below
	// Leading spaces before a quoted field; with tabs as the delimiter
	// this would swallow empty fields (values are trimmed below anyway).
	cr.TrimLeadingSpace = cr.Comma != '\t'

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &RosterError{Rows: []RowError{{Line: 1, Msg: msg.New("the file is empty: it needs a header row")}}}
	} else if err != nil {
		return nil, &RosterError{Rows: []RowError{csvRowError(err)}}
	}
	var problems []RowError
	columns := make([]string, len(header))
	headers := make(map[string]string) // column -> its header in the file, else its English name
	for _, col := range []string{colID, colName, colRole, colGroup, colUnit, colBirthDate, colGuardianConsent,
		colPupilConsent, colWorkConsent, colBiometric, colValidFrom, colValidUntil} {
		headers[col] = col
	}
	for i, h := range header {
		col := rosterColumn(h)
		switch {
		case col == "":
			problems = append(problems, RowError{Line: 1, Field: h, Msg: msg.New("unknown column")})
		case slices.Contains(columns, col):
			problems = append(problems, RowError{Line: 1, Field: h, Msg: msg.New("column appears twice")})
		}
		columns[i] = col
		if col != "" {
			headers[col] = strings.TrimSpace(h)
		}
	}
	for _, required := range []string{colID, colName} {
		if !slices.Contains(columns, required) {
			problems = append(problems, RowError{Line: 1, Field: required, Msg: msg.New("missing column")})
		}
	}
	if len(problems) > 0 {
		return nil, &RosterError{Rows: problems}
	}

	var entries []RosterEntry
	firstLine := map[string]int{} // id -> the line it first appeared on
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, csvRowError(err))
			if _, isParse := errors.AsType[*csv.ParseError](err); isParse {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if len(record) != len(columns) {
			problems = append(problems, RowError{Line: line, Msg: msg.New("{{.Fields}} fields, the header has {{.Columns}}", "Fields", len(record), "Columns", len(columns))})
			continue
		}
		values := map[string]string{}
		for i, v := range record {
			values[columns[i]] = strings.TrimSpace(v)
		}
		p, rowProblems := parseRosterRow(values, headers, line, set, today)
		if id := p.ID; id != "" {
			if first, dup := firstLine[id]; dup {
				rowProblems = append(rowProblems, RowError{Line: line, Field: headers[colID], Msg: msg.New(`"{{.ID}}" already appears on line {{.Line}}`, "ID", id, "Line", first)})
			} else {
				firstLine[id] = line
			}
		}
		problems = append(problems, rowProblems...)
		entries = append(entries, RosterEntry{Line: line, Person: p})
	}
	if len(problems) > 0 {
		return nil, &RosterError{Rows: problems}
	}
	return entries, nil
}

// parseRosterRow reads one row's values, by column; headers gives each
// column's header as the file writes it, for the problems it reports.
func parseRosterRow(v, headers map[string]string, line int, set Settings, today Date) (Person, []RowError) {
	var problems []RowError
	bad := func(column string, m msg.Text) {
		problems = append(problems, RowError{Line: line, Field: headers[column], Msg: m})
	}
	p := Person{ID: v[colID], Name: v[colName], Group: v[colGroup], Role: Child, Unit: set.DefaultUnit}
	if p.ID == "" {
		bad(colID, msg.New("missing"))
	}
	if p.Name == "" {
		bad(colName, msg.New("missing"))
	}
	switch strings.ToLower(v[colRole]) {
	case "", string(Child):
	case string(Staff):
		p.Role = Staff
	default:
		bad(colRole, msg.New(`"{{.Value}}": want child or staff`, "Value", v[colRole]))
	}
	if v[colUnit] != "" {
		unit, err := ParseUnit(v[colUnit])
		if err != nil {
			bad(colUnit, msg.New(`"{{.Value}}": want early_childhood, school or upper_secondary`, "Value", v[colUnit]))
		}
		p.Unit = unit
	}
	date := func(field string) Date {
		if v[field] == "" {
			return Date{}
		}
		d, err := ParseDate(v[field])
		if err != nil {
			bad(field, msg.FromError(err))
		}
		return d
	}
	p.BirthDate = date(colBirthDate)
	switch {
	case p.BirthDate.After(today):
		bad(colBirthDate, msg.New("{{.Date}} is in the future", "Date", p.BirthDate))
	case p.BirthDate.IsZero() && v[colBirthDate] == "" && p.Role == Child:
		bad(colBirthDate, msg.New("missing: a child's age decides whose consent counts"))
	}
	from, until := date(colValidFrom), date(colValidUntil)
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		bad(colValidUntil, msg.New("{{.Until}} is before {{.FromColumn}} {{.From}}", "Until", until, "FromColumn", headers[colValidFrom], "From", from))
	}
	channels := func(field string) []string {
		var list []string
		for _, c := range strings.Split(v[field], "|") {
			c = strings.ToLower(strings.TrimSpace(c))
			switch {
			case c == "":
			case c == AllChannels:
				list = append(list, set.Channels...)
			case !set.HasChannel(c):
				bad(field, msg.New(`unknown channel "{{.Channel}}" (channels: {{.Channels}}, or all)`, "Channel", c, "Channels", strings.Join(set.Channels, ", ")))
			default:
				list = append(list, c)
			}
		}
		slices.Sort(list)
		return slices.Compact(list)
	}
	ownGiver, workGiver := Pupil, Guardian
	if p.Role == Staff {
		ownGiver, workGiver = StaffMember, StaffMember
		if v[colGuardianConsent] != "" {
			bad(colGuardianConsent, msg.New("staff have no guardian: put a staff member's own consent in {{.Column}}", "Column", headers[colPupilConsent]))
		}
	}
	for _, c := range channels(colGuardianConsent) {
		p.Consents = append(p.Consents, Consent{Giver: Guardian, Channel: c, ValidFrom: from, ValidUntil: until})
	}
	for _, c := range channels(colPupilConsent) {
		p.Consents = append(p.Consents, Consent{Giver: ownGiver, Channel: c, ValidFrom: from, ValidUntil: until})
	}
	for _, c := range channels(colWorkConsent) {
		p.WorkConsents = append(p.WorkConsents, Consent{Giver: workGiver, Channel: c, ValidFrom: from, ValidUntil: until})
	}
	switch strings.ToLower(v[colBiometric]) {
	case "", "no":
	case "yes":
		p.BiometricOptIn = true
	default:
		bad(colBiometric, msg.New(`"{{.Value}}": want yes or no`, "Value", v[colBiometric]))
	}
	return p, problems
}

// detectDelimiter picks the delimiter that occurs most often in the header
// line: ",", ";" or tab.
func detectDelimiter(data []byte) rune {
	header, _, _ := bytes.Cut(data, []byte("\n"))
	best, count := ',', bytes.Count(header, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if n := bytes.Count(header, []byte(string(d))); n > count {
			best, count = d, n
		}
	}
	return best
}

func csvRowError(err error) RowError {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return RowError{Line: pe.Line, Msg: msg.Plain(pe.Err.Error())}
	}
	return RowError{Msg: msg.Plain(err.Error())}
}

func firstInvalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// ImportOptions tune ImportRoster.
type ImportOptions struct {
	// Today is the day birth dates must not be after; zero means Today().
	Today Date
	// Progress, when not nil, is called after each person is written
	// (inside the transaction: nothing is committed until the end).
	Progress func(done, total int)
}

// ImportSummary says what an import changed.
type ImportSummary struct {
	Added, Updated int
	// OptInsRemoved counts people whose biometric opt-in the roster
	// removed; DescriptorsDeleted their reference descriptors deleted (R9).
	OptInsRemoved, DescriptorsDeleted int
}

// ImportRoster reads a roster (see ParseRoster) and writes it to the
// register in one transaction: any bad row, an error or a killed process
// imports nothing. People already in the register (by id) are updated and
// keep their descriptors (unless the roster removes their biometric
// opt-in), withdrawals and ledger entries; their consents become the
// roster's, except that a recorded withdrawal stays in force. People missing
// from the roster stay in the register (see RemovePerson). The bytes of
// descriptors the import deleted are wiped from the register's files; when
// they cannot be yet, the import stands and ImportRoster returns its summary
// with an error matching ErrNotWiped.
func (s *Store) ImportRoster(ctx context.Context, r io.Reader, opt ImportOptions) (ImportSummary, error) {
	today := opt.Today
	if today.IsZero() {
		today = Today()
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return ImportSummary{}, fmt.Errorf("read roster: %w", err)
	}
	var sum ImportSummary
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		entries, err := ParseRoster(bytes.NewReader(data), set, today)
		if err != nil {
			return err
		}
		sum, err = writeRoster(ctx, tx, entries, today, opt.Progress)
		return err
	})
	if err != nil {
		return ImportSummary{}, fmt.Errorf("import roster: %w", err)
	}
	if sum.DescriptorsDeleted > 0 {
		if err := s.wipe(ctx); err != nil {
			return sum, fmt.Errorf("import roster: %w", err)
		}
	}
	local, err := s.syncFaces(ctx)
	sum.DescriptorsDeleted += int(local)
	if err != nil {
		return sum, fmt.Errorf("import roster: %w", err)
	}
	return sum, nil
}

func writeRoster(ctx context.Context, tx *sql.Tx, entries []RosterEntry, today Date, progress func(done, total int)) (ImportSummary, error) {
	var sum ImportSummary
	existing := map[string]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM people")
	if err != nil {
		return sum, err
	}
	err = scanRows(rows, func() error {
		var id string
		err := rows.Scan(&id)
		existing[id] = true
		return err
	})
	if err != nil {
		return sum, err
	}
	// A person already in the register keeps their registration key.
	upsert, err := tx.PrepareContext(ctx, `INSERT INTO people (id, name, role, grp, unit, birth_date, registration_key) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, grp = excluded.grp, unit = excluded.unit, birth_date = excluded.birth_date`)
	if err != nil {
		return sum, err
	}
	defer upsert.Close()
	clearConsents, err := tx.PrepareContext(ctx, "DELETE FROM consents WHERE person_id = ?")
	if err != nil {
		return sum, err
	}
	defer clearConsents.Close()
	addConsent, err := tx.PrepareContext(ctx, "INSERT INTO consents (person_id, purpose, giver, channel, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?)")
	if err != nil {
		return sum, err
	}
	defer addConsent.Close()
	countDescriptors, err := tx.PrepareContext(ctx, "SELECT (SELECT count(*) FROM biometric_opt_ins WHERE person_id = ?1), (SELECT count(*) FROM descriptors WHERE person_id = ?1)")
	if err != nil {
		return sum, err
	}
	defer countDescriptors.Close()

	for i, e := range entries {
		p := e.Person
		if existing[p.ID] {
			sum.Updated++
		} else {
			sum.Added++
		}
		if _, err := upsert.ExecContext(ctx, p.ID, p.Name, p.Role, p.Group, p.Unit, p.BirthDate, rand.Text()); err != nil {
			return sum, fmt.Errorf("line %d: %w", e.Line, err)
		}
		if _, err := clearConsents.ExecContext(ctx, p.ID); err != nil {
			return sum, fmt.Errorf("line %d: %w", e.Line, err)
		}
		for _, group := range []struct {
			purpose  string
			consents []Consent
		}{{"photo", p.Consents}, {"work", p.WorkConsents}} {
			for _, c := range group.consents {
				if _, err := addConsent.ExecContext(ctx, p.ID, group.purpose, c.Giver, c.Channel, c.ValidFrom, c.ValidUntil); err != nil {
					return sum, fmt.Errorf("line %d: %w", e.Line, err)
				}
			}
		}
		if !p.BiometricOptIn && existing[p.ID] {
			var optIns, descriptors int
			if err := countDescriptors.QueryRowContext(ctx, p.ID).Scan(&optIns, &descriptors); err != nil {
				return sum, fmt.Errorf("line %d: %w", e.Line, err)
			}
			sum.OptInsRemoved += optIns
			sum.DescriptorsDeleted += descriptors
		}
		if err := setOptIn(ctx, tx, p.ID, p.BiometricOptIn, today); err != nil {
			return sum, fmt.Errorf("line %d: %w", e.Line, err)
		}
		if progress != nil {
			progress(i+1, len(entries))
		}
	}
	return sum, nil
}
