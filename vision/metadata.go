package vision

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// Metadata is what a photo file carried besides its pixels. It is read for
// the report only: exports are encoded from pixels and carry none of it.
type Metadata struct {
	GPS       bool    // a GPS position is recorded
	Latitude  float64 // decimal degrees, north positive (when GPS)
	Longitude float64 // decimal degrees, east positive (when GPS)
	Make      string  // camera maker
	Model     string  // camera model
	Taken     string  // date taken as recorded (EXIF "YYYY:MM:DD HH:MM:SS"), "" when absent
	Artist    string  // EXIF Artist: pre-fills the photographer
	Copyright string  // EXIF Copyright
	Thumbnail bool    // an embedded thumbnail (EXIF IFD1) is present
	EXIF      bool    // an EXIF block is present
	XMP       bool    // an XMP packet is present
	IPTC      bool    // an IPTC block (Photoshop APP13) is present
	ICC       bool    // an ICC colour profile is present
	Comment   bool    // a JPEG comment or PNG text chunk is present
	// EXIFError says why a present EXIF block could not be read. Decode
	// refuses such a JPEG or PNG, since its orientation is unknown; in a
	// HEIC file libheif applies the orientation itself.
	EXIFError string
}

// Camera returns make and model joined, without repeating the maker when the
// model already names it ("Canon Canon EOS 80D" -> "Canon EOS 80D").
func (m Metadata) Camera() string {
	if m.Make == "" || strings.HasPrefix(strings.ToLower(m.Model), strings.ToLower(strings.Fields(m.Make + " x")[0])) {
		return strings.TrimSpace(m.Model)
	}
	return strings.TrimSpace(m.Make + " " + m.Model)
}

// jpegSegment is one marker segment before the image data.
type jpegSegment struct {
	marker  byte
	payload []byte
}

// jpegSegments walks the marker segments from SOI to SOS. It stops quietly
// at the first malformed length: what it found so far is still reported.
func jpegSegments(data []byte) []jpegSegment {
	var segs []jpegSegment
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			break
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2 : i+4]))
		if n < 2 || i+2+n > len(data) {
			break
		}
		segs = append(segs, jpegSegment{marker: marker, payload: data[i+4 : i+2+n]})
		if marker == 0xDA { // start of scan: no more metadata segments follow
			break
		}
		i += 2 + n
	}
	return segs
}

// readJPEGMetadata reports the metadata segments of a JPEG and returns its
// EXIF orientation (IFD0; 0 when absent).
func readJPEGMetadata(data []byte) (Metadata, int) {
	var m Metadata
	orientation := 0
	exifRead := false
	for _, s := range jpegSegments(data) {
		switch {
		case s.marker == 0xE1 && bytes.HasPrefix(s.payload, []byte("Exif\x00\x00")):
			m.EXIF = true
			if !exifRead { // the first EXIF block is the one readers honour
				exifRead = true
				orientation = readEXIF(s.payload[6:], &m)
			}
		case s.marker == 0xE1 && (bytes.HasPrefix(s.payload, []byte("http://ns.adobe.com/xap/1.0/")) ||
			bytes.HasPrefix(s.payload, []byte("http://ns.adobe.com/xmp/extension/"))):
			m.XMP = true
		case s.marker == 0xED && bytes.HasPrefix(s.payload, []byte("Photoshop 3.0\x00")):
			m.IPTC = m.IPTC || bytes.Contains(s.payload, []byte("8BIM\x04\x04"))
		case s.marker == 0xE2 && bytes.HasPrefix(s.payload, []byte("ICC_PROFILE\x00")):
			m.ICC = true
		case s.marker == 0xFE:
			m.Comment = true
		}
	}
	return m, orientation
}

// readPNGMetadata reports the metadata chunks of a PNG and returns its EXIF
// orientation (eXIf chunk; 0 when absent).
func readPNGMetadata(data []byte) (Metadata, int) {
	var m Metadata
	orientation := 0
	for i := 8; i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i : i+4]))
		kind := string(data[i+4 : i+8])
		if n < 0 || i+12+n > len(data) {
			break
		}
		body := data[i+8 : i+8+n]
		switch kind {
		case "eXIf":
			m.EXIF = true
			orientation = readEXIF(body, &m)
		case "iCCP":
			m.ICC = true
		case "iTXt", "tEXt", "zTXt":
			keyword, _, _ := bytes.Cut(body, []byte{0})
			switch k := string(keyword); {
			case k == "XML:com.adobe.xmp":
				m.XMP = true
			case strings.Contains(k, "iptc"):
				m.IPTC = true
			case strings.Contains(k, "exif"):
				m.EXIF = true
			default:
				m.Comment = true
			}
		case "IEND":
			return m, orientation
		}
		i += 12 + n
	}
	return m, orientation
}

// readHEICMetadata reports what a HEIC file carries: the EXIF TIFF block
// and the XMP packet are found by their signatures in the file's bytes,
// whichever item holds them.
func readHEICMetadata(data []byte) Metadata {
	var m Metadata
	if raw, err := exif.SearchAndExtractExif(data); err == nil {
		readEXIF(raw, &m)
		// A signature that does not parse may be a chance match inside
		// the image data rather than a damaged block.
		m.EXIF = m.EXIFError == ""
		m.EXIFError = ""
	}
	m.XMP = bytes.Contains(data, []byte("<x:xmpmeta")) || bytes.Contains(data, []byte("http://ns.adobe.com/xap/1.0/"))
	return m
}

// readEXIF fills m from a TIFF-structured EXIF block and returns the IFD0
// orientation (IFD1, the thumbnail's, also carries one: it is ignored).
// go-exif can panic on damaged blocks; those count as no EXIF data.
func readEXIF(raw []byte, m *Metadata) (orientation int) {
	defer func() {
		if v := recover(); v != nil {
			orientation = 0
			m.EXIFError = fmt.Sprint(v)
		}
	}()
	mapping, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		m.EXIFError = err.Error()
		return 0
	}
	_, index, err := exif.Collect(mapping, exif.NewTagIndex(), raw)
	if err != nil || index.RootIfd == nil {
		m.EXIFError = fmt.Sprint("damaged EXIF block: ", err)
		return 0
	}
	root := index.RootIfd
	if v, ok := uintTag(root, "Orientation"); ok && v >= 1 && v <= 8 {
		orientation = v
	}
	m.Make = stringTag(root, "Make")
	m.Model = stringTag(root, "Model")
	m.Artist = stringTag(root, "Artist")
	m.Copyright = stringTag(root, "Copyright")
	m.Taken = stringTag(root, "DateTime")
	if sub, err := root.ChildWithIfdPath(exifcommon.IfdExifStandardIfdIdentity); err == nil {
		if t := stringTag(sub, "DateTimeOriginal"); t != "" {
			m.Taken = t
		}
	}
	if gpsIfd, err := root.ChildWithIfdPath(exifcommon.IfdGpsInfoStandardIfdIdentity); err == nil {
		if gi, err := gpsIfd.GpsInfo(); err == nil {
			m.GPS = true
			m.Latitude = gi.Latitude.Decimal()
			m.Longitude = gi.Longitude.Decimal()
		}
	}
	if next := root.NextIfd(); next != nil {
		if thumb, err := next.Thumbnail(); err == nil && len(thumb) > 0 {
			m.Thumbnail = true
		}
	}
	return orientation
}

func firstTag(ifd *exif.Ifd, name string) any {
	tags, err := ifd.FindTagWithName(name)
	if err != nil || len(tags) == 0 {
		return nil
	}
	v, err := tags[0].Value()
	if err != nil {
		return nil
	}
	return v
}

func stringTag(ifd *exif.Ifd, name string) string {
	s, _ := firstTag(ifd, name).(string)
	return strings.TrimSpace(strings.TrimRight(s, "\x00"))
}

func uintTag(ifd *exif.Ifd, name string) (int, bool) {
	switch v := firstTag(ifd, name).(type) {
	case []uint16:
		if len(v) > 0 {
			return int(v[0]), true
		}
	case []uint32:
		if len(v) > 0 {
			return int(v[0]), true
		}
	}
	return 0, false
}
