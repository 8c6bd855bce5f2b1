// Package consent is PhotoVet's consent register and rules engine.
//
// It holds the school's register (children, staff, consents per giver and
// channel, work consents, biometric opt-ins, reference descriptors,
// photographer permissions, the publication ledger and take-down tasks) in a
// local SQLite file or, shared by a school or city, on a PostgreSQL server
// (see OpenRegister), imports the roster from the school administration's CSV,
// and decides, with pure functions, whether each face on a photo may stay
// visible on a channel on a date (rules R1-R9 of DESIGN.md).
//
// The rules engine fails closed: the zero value of every input (an unknown
// face, a missing register, a batch without a unit type) redacts. Reviewer
// overrides can only add safety: the reviewer decides who a face is, the
// register decides whether it may be shown.
//
// The package is pure Go (modernc.org/sqlite, pgx; no cgo) and has no UI.
package consent
