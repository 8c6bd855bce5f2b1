package testdata

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Idol is a person of recognition/idols.json.
type Idol struct {
	Name, Band string
}

// IdolFace is one reference descriptor of idols.json: dlib's 128 floats
// (convertible to vision.Descriptor) and whose it is.
type IdolFace struct {
	PersonID   string
	Descriptor [128]float32
}

// Idols reads ../shared/testdata/recognition/idols.json: the people by id
// and their reference descriptors, in the file's order.
func Idols(t testing.TB) (map[string]Idol, []IdolFace) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(Dir(t), "recognition", "idols.json"))
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
	people := make(map[string]Idol, len(doc.Idols))
	for _, i := range doc.Idols {
		people[i.ID] = Idol{Name: i.Name, Band: i.BandName}
	}
	faces := make([]IdolFace, 0, len(doc.Faces))
	for _, f := range doc.Faces {
		raw, err := base64.StdEncoding.DecodeString(f.Descriptor)
		face := IdolFace{PersonID: f.IdolID}
		if err != nil || len(raw) != 4*len(face.Descriptor) {
			t.Fatalf("descriptor of %s: %d bytes, %v", f.IdolID, len(raw), err)
		}
		for i := range face.Descriptor {
			face.Descriptor[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		faces = append(faces, face)
	}
	return people, faces
}
