package vet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/photovet/photovet/consent"
)

// batchFileName is the file of the data directory that keeps the open
// batch between runs (see BatchFile).
const batchFileName = "open-batch.json"

// batchFileVersion is the version of the file's format; a file of another
// version is not read.
const batchFileVersion = 1

// OpenBatch is the batch a front end has open, as kept between runs so that
// closing the app loses no work: which photos are in it, what it is vetted
// for and by whose photos, and what was exported. The review of each photo
// is not in it but in the register (SaveReview), by original and channel,
// where processing the photo again finds it.
type OpenBatch struct {
	Channel string       `json:"channel"`
	Unit    consent.Unit `json:"unit"`
	// Photographer and PhotographerChannels are the batch's photographer
	// (Job.Photographer); a photo may have its own in its review.
	Photographer         string   `json:"photographer,omitempty"`
	PhotographerChannels []string `json:"photographer_channels,omitempty"`
	// Photos are the batch's photos in the order they were added, those
	// waiting to be processed included.
	Photos []OpenPhoto `json:"photos"`
}

// OpenPhoto is one photo of an open batch.
type OpenPhoto struct {
	Path string `json:"path"`
	// SHA256 is the original's when it was processed; "" while it waits.
	SHA256 string `json:"sha256,omitempty"`
	// Exported is the file the photo was exported to from this batch; ""
	// when it was not.
	Exported string `json:"exported,omitempty"`
}

// batchFile is OpenBatch as written, with the format's version.
type batchFile struct {
	Version int `json:"version"`
	OpenBatch
}

// BatchFile is where a front end keeps its open batch: open-batch.json in
// the data directory. It holds file paths and the photographer's name,
// never faces or who is on a photo.
type BatchFile struct{ path string }

// NewBatchFile returns the open batch's file in dataDir.
func NewBatchFile(dataDir string) BatchFile {
	return BatchFile{path: filepath.Join(dataDir, batchFileName)}
}

// Save replaces the kept batch with b, atomically: whenever the process
// stops, the file holds the batch before or after the change.
func (f BatchFile) Save(b OpenBatch) error {
	data, err := json.MarshalIndent(batchFile{Version: batchFileVersion, OpenBatch: b}, "", "\t")
	if err != nil {
		return fmt.Errorf("keep the open batch: %w", err)
	}
	if err := writeAtomically(f.path, data); err != nil {
		return fmt.Errorf("keep the open batch in %s: %w", f.path, err)
	}
	return nil
}

// Load returns the kept batch; an empty one when none was kept.
func (f BatchFile) Load() (OpenBatch, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return OpenBatch{}, nil
	}
	if err != nil {
		return OpenBatch{}, fmt.Errorf("read the batch kept from last time: %w", err)
	}
	var b batchFile
	if err := json.Unmarshal(data, &b); err != nil {
		return OpenBatch{}, fmt.Errorf("read the batch kept from last time in %s: %w", f.path, err)
	}
	if b.Version != batchFileVersion {
		return OpenBatch{}, fmt.Errorf("read the batch kept from last time in %s: format version %d, this PhotoVet reads %d", f.path, b.Version, batchFileVersion)
	}
	return b.OpenBatch, nil
}

// NewOpenBatch describes a batch to keep: job's channel and unit, its
// photographer, the processed photos with the files exported from them
// (exported, by photo), and waiting, the photos not processed yet.
func NewOpenBatch(job Job, photos []*Photo, exported map[*Photo]string, waiting []OpenPhoto) OpenBatch {
	b := OpenBatch{Channel: job.Channel, Unit: job.Unit, Photographer: job.Photographer,
		PhotographerChannels: slices.Clone(job.PhotographerChannels), Photos: make([]OpenPhoto, 0, len(photos)+len(waiting))}
	for _, p := range photos {
		b.Photos = append(b.Photos, OpenPhoto{Path: p.Path, SHA256: p.SHA256, Exported: exported[p]})
	}
	b.Photos = append(b.Photos, waiting...)
	return b
}
