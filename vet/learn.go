package vet

import (
	"context"
	"errors"
	"fmt"

	"github.com/photovet/photovet/consent"
)

// learnFromReview adds each face the reviewer named by hand in p, a photo
// just published, to that person's references (consent.AddConfirmedReference),
// so that the person is recognised in the next batch. The name was given
// or confirmed by a person and published under it: the strongest evidence
// a batch gives. Faces named by no one (redacted as someone without
// consent) are not added: a slip of the matcher would feed itself. The
// register refuses, by its rules, a person without a biometric opt-in
// (R9), one with no enrolled portrait, a face that could blur two people
// together or lies far from the person's portraits, and one already
// there: those refusals are the rules working, not failures. It returns
// how many faces were added, and the first failure of another kind.
func learnFromReview(ctx context.Context, store *consent.Store, p *Photo) (int, error) {
	added := 0
	for _, f := range p.Faces {
		if f.Review != consent.AssignedByHand || f.AssignedID == "" || f.descriptor == nil {
			continue
		}
		_, err := store.AddConfirmedReference(ctx, f.AssignedID, f.descriptor[:])
		switch {
		case err == nil:
			added++
		case errors.Is(err, consent.ErrReferenceRefused):
		default:
			return added, fmt.Errorf("add the faces named in %s to the references: %w", p.Path, err)
		}
	}
	return added, nil
}
