package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"

	"github.com/photovet/photovet/internal/testdata"
)

// jpegQuality is what a phone's camera writes.
const jpegQuality = 90

// truthFace is one face of a composed photo: its box there, and where it
// comes from.
type truthFace struct {
	Box    [4]int   `json:"box"` // x0, y0, x1, y1
	Set    string   `json:"set"`
	Source string   `json:"source"`
	Yaw    *float64 `json:"yaw,omitempty"` // AFW only
}

// composed is one composed photo and its ground truth.
type composed struct {
	File  string      `json:"file"`
	Faces []truthFace `json:"faces"`
}

func (f truthFace) rect() image.Rectangle {
	return image.Rect(f.Box[0], f.Box[1], f.Box[2], f.Box[3])
}

// compose writes count crowds (testdata.ComposeCrowds) into dir as JPEG,
// each with its ground truth beside it (NAME.truth.json), and returns
// them.
func compose(root, dir string, count int) ([]composed, error) {
	var out []composed
	err := testdata.ComposeCrowds(root, count, func(crowd testdata.Crowd) error {
		c := composed{File: filepath.Join(dir, fmt.Sprintf("peers_%02d.jpg", len(out)+1))}
		for _, f := range crowd.Faces {
			face := truthFace{Box: [4]int{f.Box.Min.X, f.Box.Min.Y, f.Box.Max.X, f.Box.Max.Y}, Set: f.Set, Source: f.Source}
			if !math.IsNaN(f.Yaw) {
				yaw := f.Yaw
				face.Yaw = &yaw
			}
			c.Faces = append(c.Faces, face)
		}
		out = append(out, c)
		return writePhoto(crowd.Image, c)
	})
	return out, err
}

// writePhoto writes the composed photo and its ground truth.
func writePhoto(canvas *image.RGBA, c composed) error {
	f, err := os.Create(c.File)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, canvas, &jpeg.Options{Quality: jpegQuality}); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", c.File, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(truthPath(c.File), data, 0o644)
}

// truthPath is where the ground truth of the composed photo at path is.
func truthPath(path string) string {
	return path[:len(path)-len(filepath.Ext(path))] + ".truth.json"
}
