package vet

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
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
	data, err := os.ReadFile(filepath.Join(testdata.Dir(t), "recognition", "idols.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Idols []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			BandName string `json:"band_name"`
		} `json:"idols"`
		Faces []struct {
			Descriptor string `json:"descriptor"`
			IdolID     string `json:"idol_id"`
		} `json:"faces"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	people := map[string][2]string{}
	for _, i := range doc.Idols {
		people[i.ID] = [2]string{i.Name, i.BandName}
	}
	var faces []idolFace
	for _, f := range doc.Faces {
		raw, err := base64.StdEncoding.DecodeString(f.Descriptor)
		if err != nil || len(raw) != 4*vision.DescriptorSize {
			t.Fatalf("descriptor of %s: %d bytes, %v", f.IdolID, len(raw), err)
		}
		face := idolFace{person: f.IdolID, name: people[f.IdolID][0], band: people[f.IdolID][1]}
		for i := range face.descriptor {
			face.descriptor[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		faces = append(faces, face)
	}
	return faces
}
