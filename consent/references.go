package consent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/photovet/photovet/msg"
)

// ReferenceSource says where a reference descriptor came from.
type ReferenceSource string

// The sources of references.
const (
	// PortraitReference: enrolled from a portrait that passed the
	// enrolment's checks.
	PortraitReference ReferenceSource = "portrait"
	// ConfirmedReference: a face in a batch that a reviewer assigned to
	// the person (AddConfirmedReference).
	ConfirmedReference ReferenceSource = "confirmed"
)

// MaxConfirmedReferences is how many confirmed references a person keeps:
// adding one more drops the oldest. A handful covers a child's faces over
// a year (light, angle, haircut) without letting one term's photos crowd
// out the portraits.
const MaxConfirmedReferences = 5

// confirmedReach is how far, beyond the match threshold, a confirmed face
// may lie from the person's own nearest reference and still be added: the
// faces worth adding are the ones the threshold just missed. A face
// farther away than that is more likely a slip of the reviewer's hand
// (another child, not enrolled) than the person, and as a reference it
// would name that other child after the person.
const confirmedReach = 0.1

// Errors of the reference rules; each comes in words (msg.FromError) as
// well.
var (
	// ErrReferenceRefused is matched by every refusal of
	// AddConfirmedReference by one of the rules (each also matches its own
	// error below, ErrNoBiometricOptIn or ErrNotFound), so that a caller
	// tells the rules at work from a register that failed without
	// listing the rules.
	ErrReferenceRefused = errors.New("refused by the reference rules")
	// ErrLikelyMixUp reports a confirmed face about as near to another
	// enrolled person's references as to the person's own: as the
	// person's reference it would make the two confusable, and it may
	// well be the other person.
	ErrLikelyMixUp = errors.New("face is as close to another enrolled person as a match")
	// ErrNotEnrolled reports a confirmed face for a person with no
	// enrolled portrait: references start from checked portraits.
	ErrNotEnrolled = errors.New("no enrolled portrait")
	// ErrUnlikeReferences reports a confirmed face too far from the
	// person's own references (see confirmedReach).
	ErrUnlikeReferences = errors.New("face too far from the person's references")
	// ErrKnownReference reports a confirmed face that is already one of
	// the person's references: the same photo exported once more, or to
	// another channel.
	ErrKnownReference = errors.New("face already one of the person's references")
	// ErrAlreadyRecognised reports a confirmed face the person's
	// references already recognise (a sure match): it would add little,
	// and a confirmation given in error, a look-alike confirmed in one
	// click, would teach the mistake to every later batch.
	ErrAlreadyRecognised = errors.New("face already recognised as the person")
)

// ReferenceCount is how many references of each source a person has.
type ReferenceCount struct {
	Portraits int
	Confirmed int
}

// Total is the number of references.
func (c ReferenceCount) Total() int { return c.Portraits + c.Confirmed }

// ReferenceCounts returns, per person id with any, how many references are
// stored from portraits and from confirmed faces.
func (s *Store) ReferenceCounts(ctx context.Context) (map[string]ReferenceCount, error) {
	if _, err := s.syncFaces(ctx); err != nil {
		return nil, fmt.Errorf("count references: %w", err)
	}
	rows, err := s.descriptorDB().QueryContext(ctx, "SELECT person_id, source, count(*) FROM descriptors GROUP BY person_id, source")
	if err != nil {
		return nil, fmt.Errorf("count references: %w", s.inWords(err))
	}
	counts := map[string]ReferenceCount{}
	err = scanRows(rows, func() error {
		var id string
		var source ReferenceSource
		var n int
		if err := rows.Scan(&id, &source, &n); err != nil {
			return err
		}
		c := counts[id]
		if source == ConfirmedReference {
			c.Confirmed += n
		} else {
			c.Portraits += n
		}
		counts[id] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count references: %w", s.inWords(err))
	}
	return counts, nil
}

// AddConfirmedReference adds a face a reviewer assigned to person id as one
// of their references, so that the person is recognised from more of their
// faces. It refuses (the error in words, matching the sentinel) when the
// person has no biometric opt-in (ErrNoBiometricOptIn, R9) or no enrolled
// portrait (ErrNotEnrolled), when the face is not nearer to the person's
// references than to anyone else's by the match margin (ErrLikelyMixUp),
// too far from the person's own references (ErrUnlikeReferences), already
// one of them (ErrKnownReference) or already recognised by them
// (ErrAlreadyRecognised). Beyond MaxConfirmedReferences the
// oldest confirmed references are dropped; it returns how many.
func (s *Store) AddConfirmedReference(ctx context.Context, id string, descriptor []float32) (dropped int, err error) {
	blob, err := encodeDescriptor(descriptor)
	if err != nil {
		return 0, fmt.Errorf("add a reference of %q: %w", id, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := requirePerson(ctx, tx, id); err != nil {
			return refusedIf(err, ErrNotFound)
		}
		if err := requireOptIn(ctx, tx, id); err != nil {
			return refusedIf(err, ErrNoBiometricOptIn)
		}
		set, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		name := func(id string) string { return displayName(ctx, tx, id) }
		return s.descriptorTx(ctx, tx, func(local *sql.Tx) error {
			refs, err := readReferences(ctx, local)
			if err != nil {
				return err
			}
			if err := set.checkConfirmed(refs, name, id, descriptor); err != nil {
				return refusal{err}
			}
			if _, err := local.ExecContext(ctx, "INSERT INTO descriptors (person_id, descriptor, source) VALUES (?, ?, ?)", id, blob, ConfirmedReference); err != nil {
				return err
			}
			res, err := local.ExecContext(ctx, `DELETE FROM descriptors WHERE person_id = ?1 AND source = ?2 AND id NOT IN (
				SELECT id FROM descriptors WHERE person_id = ?1 AND source = ?2 ORDER BY id DESC LIMIT ?3)`, id, ConfirmedReference, MaxConfirmedReferences)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			dropped = int(n)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("add a reference of %q: %w", id, err)
	}
	return dropped, nil
}

// DeleteReferences deletes person id's references of the given source, or
// all of them when source is "", and wipes their bytes from the register's
// files (see ErrNotWiped for when they cannot be yet: the count is
// returned then too). It returns how many it deleted.
func (s *Store) DeleteReferences(ctx context.Context, id string, source ReferenceSource) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := requirePerson(ctx, tx, id); err != nil {
			return err
		}
		return s.descriptorTx(ctx, tx, func(local *sql.Tx) error {
			res, err := local.ExecContext(ctx, "DELETE FROM descriptors WHERE person_id = ?1 AND (?2 = '' OR source = ?2)", id, source)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
	})
	if err == nil && n > 0 {
		err = s.wipe(ctx)
	}
	if err != nil {
		return int(n), fmt.Errorf("delete the references of %q: %w", id, err)
	}
	return int(n), nil
}

// mixUpDistance is how near two people's references may come before one
// is taken for a mix-up of files (the same face under two ids). It is not
// the match threshold: dlib's descriptors put different people closer
// than that all the time (on the shared test data 116 of 388 pairs of
// photos of different adults, and 54 of 171 pairs of different children
// aged 1 to 5, lie under 0.5), and the margin, not the threshold, keeps
// them apart. No two different people in that data came closer than 0.316
// (adults) and 0.340 (children); copies of one photo lie at 0, photos of
// one sitting well under 0.3.
const mixUpDistance = 0.3

// LikelyMixUp reports the person other than id whose reference lies
// nearest to descriptor, when it lies within mixUpDistance: a portrait
// that close to someone else's reference is more likely theirs (files
// mixed up or copied) than id's.
func LikelyMixUp(refs []Reference, id string, descriptor []float32) (other string, distance float64, found bool) {
	other, distance = nearestOther(refs, id, descriptor)
	return other, distance, distance <= mixUpDistance+distanceTolerance
}

// portraitAgreement is how far one portrait of a person may lie from the
// nearest of their other portraits. On the shared test data (idols.json:
// 1,286 faces of 552 people) 1,282 faces lie within it of another face of
// the same person, while a face of someone else lies beyond it in about a
// fifth of pairs: the check catches some photos of another person filed
// under an id, not all of them (dlib's descriptor puts many different
// people that close), and refuses a good portrait rarely. The match margin
// keeps doing the rest.
const portraitAgreement = 0.55

// Strangers reports, for the descriptors of one person's portraits, which
// lie farther than portraitAgreement from every other one: likely a photo
// of someone else filed under the person's id, who would otherwise be
// named after the person. Of two portraits that disagree both are
// reported: which one is wrong is for a person to see. A single portrait
// has nothing to agree with.
func Strangers(portraits [][]float32) []bool {
	odd := make([]bool, len(portraits))
	if len(portraits) < 2 {
		return odd
	}
	for i, a := range portraits {
		odd[i] = true
		for j, b := range portraits {
			if i != j && descriptorDistance(a, b) <= portraitAgreement+distanceTolerance {
				odd[i] = false
				break
			}
		}
	}
	return odd
}

// nearestOther returns the person other than id with the reference
// nearest to descriptor, and its distance (+Inf when there is none).
func nearestOther(refs []Reference, id string, descriptor []float32) (other string, distance float64) {
	distance = math.Inf(1)
	for _, r := range refs {
		if r.PersonID == id {
			continue
		}
		if d := descriptorDistance(r.Descriptor, descriptor); d < distance {
			other, distance = r.PersonID, d
		}
	}
	return other, distance
}

// refusal is an error of a reference rule (see ErrReferenceRefused).
type refusal struct{ rule error }

func (r refusal) Error() string   { return r.rule.Error() }
func (r refusal) Unwrap() []error { return []error{r.rule, ErrReferenceRefused} }

// refusedIf returns err as a refusal when it is the rule's error, and as
// it is otherwise (the register could not be read).
func refusedIf(err, rule error) error {
	if errors.Is(err, rule) {
		return refusal{err}
	}
	return err
}

// checkConfirmed applies the rules for a confirmed reference of id (see
// AddConfirmedReference); name gives a person's display name for the
// words.
func (s Settings) checkConfirmed(refs []Reference, name func(id string) string, id string, descriptor []float32) error {
	own := math.Inf(1)
	portraits := 0
	for _, r := range refs {
		if r.PersonID != id {
			continue
		}
		if r.Source != ConfirmedReference {
			portraits++
		}
		own = math.Min(own, descriptorDistance(r.Descriptor, descriptor))
	}
	if own <= distanceTolerance {
		return &wordsError{
			words: &msg.Error{Text: msg.New("the face is already one of {{.Name}}'s references", "Name", name(id))},
			kind:  ErrKnownReference, cause: ErrKnownReference,
		}
	}
	if portraits == 0 {
		return &wordsError{
			words: &msg.Error{Text: msg.New("{{.Name}} has no enrolled portrait: enrol a portrait first, then confirmed faces can be added", "Name", name(id))},
			kind:  ErrNotEnrolled, cause: ErrNotEnrolled,
		}
	}
	// The face must be nearer to id's references than to anyone else's,
	// by the match margin: as id's reference it would otherwise pull the
	// other person's faces towards id.
	if other, d := nearestOther(refs, id, descriptor); d <= own+s.MatchMargin+distanceTolerance {
		return &wordsError{
			words: &msg.Error{Text: msg.New("the face looks as much like {{.Other}}, so it was not added to {{.Name}}'s references (it can still be assigned to them)", "Other", name(other), "Name", name(id))},
			kind:  ErrLikelyMixUp, cause: fmt.Errorf("distance %.3f to %s, %.3f to %s", d, other, own, id),
		}
	}
	if own <= s.MatchThreshold-s.MatchMargin+distanceTolerance {
		return &wordsError{
			words: &msg.Error{Text: msg.New("the face is recognised as {{.Name}} already, so it was not added to their references", "Name", name(id))},
			kind:  ErrAlreadyRecognised, cause: fmt.Errorf("distance %.3f to the nearest reference", own),
		}
	}
	if own > s.MatchThreshold+confirmedReach+distanceTolerance {
		return &wordsError{
			words: &msg.Error{Text: msg.New("the face is too unlike {{.Name}}'s portraits to be added to their references (it can still be assigned to them)", "Name", name(id))},
			kind:  ErrUnlikeReferences, cause: fmt.Errorf("distance %.3f to the nearest reference", own),
		}
	}
	return nil
}

// descriptorDistance is the Euclidean distance between two descriptors.
func descriptorDistance(a, b []float32) float64 {
	var sum float64
	for i := range min(len(a), len(b)) {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return math.Sqrt(sum)
}

// readReferences reads every stored reference.
func readReferences(ctx context.Context, q querier) ([]Reference, error) {
	rows, err := q.QueryContext(ctx, "SELECT person_id, descriptor, source FROM descriptors ORDER BY person_id, id")
	if err != nil {
		return nil, err
	}
	var refs []Reference
	err = scanRows(rows, func() error {
		var ref Reference
		var blob []byte
		if err := rows.Scan(&ref.PersonID, &blob, &ref.Source); err != nil {
			return err
		}
		ref.Descriptor = decodeDescriptor(blob)
		refs = append(refs, ref)
		return nil
	})
	return refs, err
}

// displayName returns the display name of person id, or the id when it
// cannot be read.
func displayName(ctx context.Context, tx *sql.Tx, id string) string {
	p := Person{ID: id}
	if err := tx.QueryRowContext(ctx, "SELECT name FROM people WHERE id = ?", id).Scan(&p.Name); err != nil {
		return id
	}
	return p.DisplayName()
}

// requireOptIn returns ErrNoBiometricOptIn when person id has no
// biometric opt-in.
func requireOptIn(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM biometric_opt_ins WHERE person_id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoBiometricOptIn
	}
	return err
}
