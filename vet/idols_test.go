package vet

import (
	"testing"

	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vision"
)

// idolFace is one reference descriptor of idols.json and whose it is.
type idolFace struct {
	person, name, band string
	descriptor         vision.Descriptor
}

// idolFaces reads the descriptors of ../shared/testdata/recognition/idols.json.
func idolFaces(t testing.TB) []idolFace {
	t.Helper()
	people, refs := testdata.Idols(t)
	faces := make([]idolFace, 0, len(refs))
	for _, r := range refs {
		p := people[r.PersonID]
		faces = append(faces, idolFace{person: r.PersonID, name: p.Name, band: p.Band, descriptor: vision.Descriptor(r.Descriptor)})
	}
	return faces
}
