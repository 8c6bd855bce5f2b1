package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// inspectGPS is a GPS position in the --json output.
type inspectGPS struct {
	Latitude  float64 `json:"lat"`
	Longitude float64 `json:"lon"`
}

// inspectMetadata is the metadata part of a photo's --json line.
type inspectMetadata struct {
	GPS       *inspectGPS `json:"gps"`
	Camera    string      `json:"camera"`
	Taken     string      `json:"taken"`
	Artist    string      `json:"artist"`
	Copyright string      `json:"copyright"`
	Thumbnail bool        `json:"thumbnail"`
	XMP       bool        `json:"xmp"`
	IPTC      bool        `json:"iptc"`
}

// inspectFace is one face in a photo's --json line.
type inspectFace struct {
	Box      [4]int   `json:"box"` // x, y, width, height
	Score    float64  `json:"score"`
	Detector string   `json:"detector"`
	Person   string   `json:"person"`
	Distance *float64 `json:"distance"`
	Visible  bool     `json:"visible"`
	Reason   string   `json:"reason"`
}

// inspectResult is one photo's --json line.
type inspectResult struct {
	File        string           `json:"file"`
	Width       int              `json:"width"`
	Height      int              `json:"height"`
	Orientation int              `json:"orientation"`
	Metadata    *inspectMetadata `json:"metadata"`
	Faces       []inspectFace    `json:"faces"`
	Error       string           `json:"error"` // "" when the photo was read
}

const inspectUsage = "Usage: photovet inspect [--json] [--channel C] [--unit U] [--data DIR] PHOTO...\n\nReports each photo's size after orientation, its metadata and the faces found with their decisions."

// inspectCommand prints, per photo, its oriented size, the metadata it
// carries and the faces found with who they were identified as and the
// decisions against the register.
type inspectCommand struct{ env Env }

// Run reports on each photo; it fails when a photo could not be read,
// after reporting on the others.
func (c *inspectCommand) Run(ctx context.Context, args []string) error {
	fs, data := registerFlags("inspect")
	asJSON := fs.Bool("json", false, "print one JSON object per photo per line")
	channel := fs.String("channel", "website", "the `CHANNEL` the decisions are for")
	unit := fs.String("unit", "", "the batch's `UNIT` type: early_childhood, school or upper_secondary (default from the settings)")
	paths, err := parse(fs, inspectUsage, args, c.env.Stdout)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageErrorf(fs, inspectUsage, "give a photo to inspect")
	}
	session, err := openSession(ctx, c.env, data, *channel, *unit, consent.Today())
	if err != nil {
		return err
	}
	defer session.Store.Close()
	batch, err := session.Batch(ctx)
	if err != nil {
		return err
	}

	unreadable := 0
	enc := json.NewEncoder(c.env.Stdout)
	for _, path := range paths {
		photos, err := batch.Run(ctx, []string{path})
		if err != nil {
			return err
		}
		res := inspectLine(photos[0])
		if res.Error != "" {
			unreadable++
			c.env.warnf("inspect", "%s", messageText(photos[0].Error))
		}
		if *asJSON {
			if err := enc.Encode(res); err != nil {
				return err
			}
		} else if res.Error == "" {
			printInspect(c.env.Stdout, res)
		}
	}
	if unreadable > 0 {
		return fmt.Errorf("%d of %d photos could not be read (listed above)", unreadable, len(paths))
	}
	return nil
}

// inspectLine is the --json line of a processed photo.
func inspectLine(p *vet.Photo) inspectResult {
	res := inspectResult{File: p.Path, Faces: []inspectFace{}, Error: p.Error.String()}
	if !p.Error.IsZero() {
		return res
	}
	res.Width, res.Height, res.Orientation = p.Width, p.Height, p.Orientation
	m := p.Metadata
	res.Metadata = &inspectMetadata{
		Camera: m.Camera(), Taken: m.Taken, Artist: m.Artist, Copyright: m.Copyright,
		Thumbnail: m.Thumbnail, XMP: m.XMP, IPTC: m.IPTC,
	}
	if m.GPS {
		res.Metadata.GPS = &inspectGPS{Latitude: m.Latitude, Longitude: m.Longitude}
	}
	for _, f := range p.Faces {
		b := f.Box
		face := inspectFace{
			Box:   [4]int{b.Min.X, b.Min.Y, b.Dx(), b.Dy()},
			Score: f.Score, Detector: f.Detector,
			Person: f.Decision.PersonID, Visible: f.Decision.Visible, Reason: f.Decision.Reason.String(),
		}
		if f.NearestID != "" && !math.IsInf(f.Distance, 0) {
			distance := f.Distance
			face.Distance = &distance
		}
		res.Faces = append(res.Faces, face)
	}
	return res
}

// printInspect prints a photo's report as text. The file name and the
// metadata come from the file: they are quoted when they would not print
// as plain text (see printable).
func printInspect(w io.Writer, r inspectResult) {
	fmt.Fprintf(w, "%s: %dx%d", printable(r.File), r.Width, r.Height)
	if r.Orientation > 1 {
		fmt.Fprintf(w, " (turned upright from EXIF orientation %d)", r.Orientation)
	}
	fmt.Fprintln(w)
	m := r.Metadata
	var found []string
	if m.GPS != nil {
		found = append(found, fmt.Sprintf("GPS position %.5f, %.5f", m.GPS.Latitude, m.GPS.Longitude))
	}
	for _, kv := range [][2]string{{"camera", m.Camera}, {"taken", m.Taken}, {"artist", m.Artist}, {"copyright", m.Copyright}} {
		if kv[1] != "" {
			found = append(found, kv[0]+" "+printable(kv[1]))
		}
	}
	for _, kv := range []struct {
		name string
		on   bool
	}{{"embedded thumbnail", m.Thumbnail}, {"XMP", m.XMP}, {"IPTC", m.IPTC}} {
		if kv.on {
			found = append(found, kv.name)
		}
	}
	if len(found) == 0 {
		found = append(found, "none")
	}
	fmt.Fprintf(w, "  metadata: %s\n", strings.Join(found, "; "))
	fmt.Fprintf(w, "  faces: %d\n", len(r.Faces))
	for i, f := range r.Faces {
		fmt.Fprintf(w, "    %d: box %d,%d %dx%d  %s score %.2f  %s\n",
			i+1, f.Box[0], f.Box[1], f.Box[2], f.Box[3], f.Detector, f.Score, printable(faceVerdict(f)))
	}
}

// faceVerdict says in words what happens to a face.
func faceVerdict(f inspectFace) string {
	if f.Visible {
		return f.Reason
	}
	return "redacted: " + f.Reason
}
