package consent

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
)

// ConsentState is what a person's consent for one channel amounts to on one
// day, as the register's table shows it at a glance.
type ConsentState int

// The consent states. The zero value, ConsentMissing, is the safe one.
const (
	// ConsentMissing: the person may not be shown on the channel (no
	// consent, not from every giver the rules require, or outside its
	// validity period).
	ConsentMissing ConsentState = iota
	// ConsentGiven: the person may be shown on the channel (R3, or staff
	// with their own consent).
	ConsentGiven
	// ConsentWithdrawn: a withdrawal in force covers the channel (R7).
	ConsentWithdrawn
	// NeverShown: a child of an early childhood unit, who is never shown
	// whatever consent says (R2).
	NeverShown
)

// ChannelState reports whether p may be shown on channel on day, deciding
// exactly as the rules engine decides a face assigned to p in a batch of
// p's own unit type (set's default unit when p has none) exported on day.
func ChannelState(p *Person, set Settings, channel string, day Date) ConsentState {
	if p == nil {
		return ConsentMissing
	}
	unit := p.Unit
	if unit == "" {
		unit = set.DefaultUnit
	}
	if p.Role == Child && unit == EarlyChildhood {
		return NeverShown
	}
	if _, ok := p.withdrawnOn(channel, day); ok {
		return ConsentWithdrawn
	}
	reg := &Register{Settings: set, People: map[string]*Person{p.ID: p}}
	d := Decide(Face{Review: AssignedByHand, AssignedID: p.ID}, reg, Job{Unit: unit, Channel: channel, Date: day})
	if d.Visible {
		return ConsentGiven
	}
	return ConsentMissing
}

// SortedPeople returns the register's people for a list: children before
// staff, then by group, name and id.
func (r *Register) SortedPeople() []*Person {
	if r == nil {
		return nil
	}
	people := slices.Collect(maps.Values(r.People))
	rank := func(role Role) int {
		if role == Staff {
			return 1
		}
		return 0
	}
	slices.SortFunc(people, func(a, b *Person) int {
		return cmp.Or(
			cmp.Compare(rank(a.Role), rank(b.Role)),
			cmp.Compare(a.Group, b.Group),
			cmp.Compare(a.DisplayName(), b.DisplayName()),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return people
}

// EnrolledCounts returns, per person id, how many reference descriptors are
// stored: a person is enrolled for face recognition when it is above zero.
func (s *Store) EnrolledCounts(ctx context.Context) (map[string]int, error) {
	if _, err := s.syncFaces(ctx); err != nil {
		return nil, fmt.Errorf("count enrolled descriptors: %w", err)
	}
	rows, err := s.descriptorDB().QueryContext(ctx, "SELECT person_id, COUNT(*) FROM descriptors GROUP BY person_id")
	if err != nil {
		return nil, fmt.Errorf("count enrolled descriptors: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count enrolled descriptors: %w", err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count enrolled descriptors: %w", err)
	}
	return counts, nil
}

// Dir returns the laptop's data directory: the register's file is in it,
// or, for a shared register, what the laptop keeps for itself.
func (s *Store) Dir(context.Context) (string, error) {
	return s.dir, nil
}
