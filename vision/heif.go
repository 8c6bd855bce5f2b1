package vision

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// maxDecodedPixels bounds every pixel buffer libheif fills while decoding
// one HEIC: the coded images (a grid's tiles, each time a tile is used),
// the canvases of grids and overlays, and alpha planes. A real grid's
// tiles overhang its canvas a little, so a 100 MP photo needs about twice
// MaxPixels; the bound stops a small file that names one tile thousands
// of times.
const maxDecodedPixels = 3 * MaxPixels

// heifPlan is what libheif will decode for a HEIF file's primary image,
// read from the file's boxes before libheif sees it: the ispe box libheif
// checks may understate it (a grid's canvas and an HEVC stream's sequence
// parameter sets are what size the buffers).
type heifPlan struct {
	// width and height are the primary image's canvas before cropping and
	// rotation: the largest buffer of the decode.
	width, height int64
	// decoded counts the pixels of every buffer filled on the way.
	decoded int64
}

// planHEIF reads a HEIF file's boxes and sizes what decoding its primary
// image allocates, following libheif 1.15's decoder: hvc1 items decode to
// the largest of their ispe and HEVC sequence parameter sets; grid and
// iovl items allocate their canvas and decode every image they reference,
// once per reference; iden items decode the image they reference; every
// decoded item also decodes its alpha plane. Other item types are refused
// (ErrUnsupported), and so are reference cycles, on which libheif would
// recurse until it crashes (ErrCorrupt).
func planHEIF(data []byte) (heifPlan, error) {
	f, err := readHEIF(data)
	if err != nil {
		return heifPlan{}, err
	}
	s := heifSizer{file: f, sizes: map[uint32]heifPlan{}, busy: map[uint32]bool{}}
	return s.size(f.primary)
}

// heifFile is the part of a HEIF file's meta box that decoding follows.
type heifFile struct {
	data    []byte
	primary uint32
	items   map[uint32]*heifItem
	refs    map[string]map[uint32][]uint32 // reference type -> from -> to (the first of each, as libheif)
	alphas  map[uint32][]uint32            // image -> its alpha planes
	idat    []byte
}

// heifItem is one item: its type, properties and where its data lies.
type heifItem struct {
	typ     string
	props   []heifBox
	method  uint64 // iloc construction method: 0 file offsets, 1 idat
	base    uint64
	extents [][2]uint64 // offset, length
	located bool
}

type heifBox struct {
	typ     string
	payload []byte
}

func heifError(format string, args ...any) error {
	return fmt.Errorf("%w: heic: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// splitBoxes splits data into boxes. At the top level a truncated last box
// is tolerated (mdat may be cut short; only meta is needed here).
func splitBoxes(data []byte, topLevel bool) ([]heifBox, error) {
	var boxes []heifBox
	for len(data) > 0 {
		if len(data) < 8 {
			if topLevel {
				break
			}
			return nil, heifError("truncated box header")
		}
		size, header := uint64(binary.BigEndian.Uint32(data)), uint64(8)
		typ := string(data[4:8])
		switch size {
		case 0:
			size = uint64(len(data))
		case 1:
			if len(data) < 16 {
				return nil, heifError("truncated box header")
			}
			size, header = binary.BigEndian.Uint64(data[8:]), 16
		}
		if size < header || size > uint64(len(data)) {
			if topLevel && typ != "meta" {
				break
			}
			return nil, heifError("box %q of %d bytes in %d", typ, size, len(data))
		}
		boxes = append(boxes, heifBox{typ, data[header:size]})
		data = data[size:]
	}
	return boxes, nil
}

// byteReader reads big-endian fields; past the end it reads zeros and
// remembers that it failed.
type byteReader struct {
	b      []byte
	failed bool
}

func (r *byteReader) take(n uint64) []byte {
	if r.failed || n > uint64(len(r.b)) {
		r.failed = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// uint reads an n-byte unsigned field, n in 0..8.
func (r *byteReader) uint(n int) uint64 {
	var v uint64
	for _, c := range r.take(uint64(n)) {
		v = v<<8 | uint64(c)
	}
	return v
}

// fullBox reads a full box's version and flags.
func (r *byteReader) fullBox() (version int, flags uint32) {
	v := r.uint(4)
	return int(v >> 24), uint32(v & 0xFFFFFF)
}

func readHEIF(data []byte) (*heifFile, error) {
	top, err := splitBoxes(data, true)
	if err != nil {
		return nil, err
	}
	f := &heifFile{data: data, items: map[uint32]*heifItem{}, refs: map[string]map[uint32][]uint32{}, alphas: map[uint32][]uint32{}}
	var meta []heifBox
	for _, b := range top {
		if b.typ == "meta" {
			if len(b.payload) < 4 {
				return nil, heifError("truncated meta box")
			}
			if meta, err = splitBoxes(b.payload[4:], false); err != nil {
				return nil, err
			}
			break
		}
	}
	if meta == nil {
		return nil, heifError("no meta box")
	}
	havePrimary := false
	for _, b := range meta {
		r := &byteReader{b: b.payload}
		switch b.typ {
		case "pitm":
			if v, _ := r.fullBox(); v == 0 {
				f.primary = uint32(r.uint(2))
			} else {
				f.primary = uint32(r.uint(4))
			}
			havePrimary = true
		case "iinf":
			err = f.readItemInfo(r)
		case "iloc":
			err = f.readLocations(r)
		case "iref":
			err = f.readReferences(r)
		case "iprp":
			err = f.readProperties(b.payload)
		case "idat":
			f.idat = b.payload
		}
		if err == nil && r.failed {
			err = heifError("truncated %s box", b.typ)
		}
		if err != nil {
			return nil, err
		}
	}
	if !havePrimary {
		return nil, heifError("no primary item")
	}
	f.findAlphas()
	return f, nil
}

func (f *heifFile) item(id uint32) *heifItem {
	it := f.items[id]
	if it == nil {
		it = &heifItem{}
		f.items[id] = it
	}
	return it
}

func (f *heifFile) readItemInfo(r *byteReader) error {
	if v, _ := r.fullBox(); v == 0 {
		r.uint(2)
	} else {
		r.uint(4)
	}
	if r.failed {
		return nil
	}
	entries, err := splitBoxes(r.b, false)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.typ != "infe" {
			continue
		}
		er := &byteReader{b: e.payload}
		v, _ := er.fullBox()
		if v < 2 {
			continue // no item type: nothing libheif decodes
		}
		var id uint32
		if v == 2 {
			id = uint32(er.uint(2))
		} else {
			id = uint32(er.uint(4))
		}
		er.uint(2) // protection index
		typ := string(er.take(4))
		if er.failed {
			return heifError("truncated infe box")
		}
		f.item(id).typ = typ
	}
	return nil
}

func (f *heifFile) readLocations(r *byteReader) error {
	v, _ := r.fullBox()
	sizes := r.uint(2)
	offsetSize, lengthSize := int(sizes>>12&0xF), int(sizes>>8&0xF)
	baseSize, indexSize := int(sizes>>4&0xF), int(sizes&0xF)
	if v != 1 && v != 2 {
		indexSize = 0
	}
	for _, n := range []int{offsetSize, lengthSize, baseSize, indexSize} {
		if n != 0 && n != 4 && n != 8 {
			return heifError("iloc field size %d", n)
		}
	}
	var count uint64
	if v < 2 {
		count = r.uint(2)
	} else {
		count = r.uint(4)
	}
	for range count {
		var id uint32
		if v < 2 {
			id = uint32(r.uint(2))
		} else {
			id = uint32(r.uint(4))
		}
		it := f.item(id)
		it.method = 0
		if v == 1 || v == 2 {
			it.method = r.uint(2) & 0xF
		}
		r.uint(2) // data reference index
		it.base = r.uint(baseSize)
		extents := r.uint(2)
		if extents > maxExtents {
			return heifError("item %d has %d extents", id, extents)
		}
		it.extents, it.located = nil, true
		for range extents {
			r.uint(indexSize)
			it.extents = append(it.extents, [2]uint64{r.uint(offsetSize), r.uint(lengthSize)})
			if r.failed {
				return heifError("truncated iloc box")
			}
		}
		if r.failed {
			return heifError("truncated iloc box")
		}
	}
	return nil
}

func (f *heifFile) readReferences(r *byteReader) error {
	v, _ := r.fullBox()
	idSize := 2
	if v != 0 {
		idSize = 4
	}
	if r.failed {
		return nil
	}
	refs, err := splitBoxes(r.b, false)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		rr := &byteReader{b: ref.payload}
		from := uint32(rr.uint(idSize))
		n := rr.uint(2)
		to := make([]uint32, 0, min(n, uint64(len(ref.payload))))
		for range n {
			to = append(to, uint32(rr.uint(idSize)))
			if rr.failed {
				return heifError("truncated iref box")
			}
		}
		if rr.failed {
			return heifError("truncated iref box")
		}
		if f.refs[ref.typ] == nil {
			f.refs[ref.typ] = map[uint32][]uint32{}
		}
		if _, seen := f.refs[ref.typ][from]; !seen {
			f.refs[ref.typ][from] = to
		}
	}
	return nil
}

func (f *heifFile) readProperties(iprp []byte) error {
	boxes, err := splitBoxes(iprp, false)
	if err != nil {
		return err
	}
	var props []heifBox
	for _, b := range boxes {
		if b.typ == "ipco" {
			if props, err = splitBoxes(b.payload, false); err != nil {
				return err
			}
		}
	}
	for _, b := range boxes {
		if b.typ != "ipma" {
			continue
		}
		r := &byteReader{b: b.payload}
		v, flags := r.fullBox()
		entries := r.uint(4)
		for range entries {
			var id uint32
			if v < 1 {
				id = uint32(r.uint(2))
			} else {
				id = uint32(r.uint(4))
			}
			n := int(r.uint(1))
			it := f.item(id)
			for range n {
				var index int
				if flags&1 != 0 {
					index = int(r.uint(2) & 0x7FFF)
				} else {
					index = int(r.uint(1) & 0x7F)
				}
				if index == 0 {
					continue
				}
				if index > len(props) {
					return heifError("item %d has property %d of %d", id, index, len(props))
				}
				it.props = append(it.props, props[index-1])
			}
			if r.failed {
				return heifError("truncated ipma box")
			}
		}
	}
	return nil
}

// alphaTypes are the auxC types libheif 1.15 decodes as an alpha plane.
var alphaTypes = []string{
	"urn:mpeg:avc:2015:auxid:1",
	"urn:mpeg:hevc:2015:auxid:1",
	"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha",
}

// findAlphas records which items are alpha planes of which images.
func (f *heifFile) findAlphas() {
	for from, to := range f.refs["auxl"] {
		aux := f.items[from]
		if aux == nil || len(to) != 1 {
			continue
		}
		for _, p := range aux.props {
			if p.typ != "auxC" || len(p.payload) < 4 {
				continue
			}
			typ, _, _ := strings.Cut(string(p.payload[4:]), "\x00")
			if slices.Contains(alphaTypes, typ) {
				f.alphas[to[0]] = append(f.alphas[to[0]], from)
			}
		}
	}
}

// maxExtents is libheif 1.15's limit on an item's extents: each may span
// the whole file, so an unbounded count would multiply it.
const maxExtents = 32

// itemData returns an item's data, as libheif reads it: its extents in
// the file (construction method 0) or in the idat box (method 1).
func (f *heifFile) itemData(id uint32) ([]byte, error) {
	it := f.items[id]
	if it == nil || !it.located {
		return nil, heifError("item %d has no data", id)
	}
	var src []byte
	switch it.method {
	case 0:
		src = f.data
	case 1:
		src = f.idat
	default:
		return nil, heifError("item %d has construction method %d", id, it.method)
	}
	var out []byte
	for _, e := range it.extents {
		start := it.base + e[0]
		end := uint64(len(src))
		if e[1] != 0 {
			end = start + e[1]
		}
		if start < it.base || end < start || end > uint64(len(src)) {
			return nil, heifError("item %d lies outside the file", id)
		}
		out = append(out, src[start:end]...)
	}
	return out, nil
}

// heifSizer computes each item's plan once, refusing reference cycles.
type heifSizer struct {
	file  *heifFile
	sizes map[uint32]heifPlan
	busy  map[uint32]bool
}

func (s *heifSizer) size(id uint32) (heifPlan, error) {
	if p, ok := s.sizes[id]; ok {
		return p, nil
	}
	if s.busy[id] {
		return heifPlan{}, heifError("item %d refers to itself", id)
	}
	s.busy[id] = true
	defer delete(s.busy, id)
	it := s.file.items[id]
	if it == nil {
		return heifPlan{}, heifError("item %d does not exist", id)
	}
	var p heifPlan
	var err error
	switch it.typ {
	case "hvc1":
		p, err = s.hevcSize(id, it)
	case "grid", "iovl":
		p, err = s.canvasSize(id, it)
	case "iden":
		refs := s.file.refs["dimg"][id]
		if len(refs) != 1 {
			return heifPlan{}, heifError("iden item %d derives from %d images", id, len(refs))
		}
		p, err = s.size(refs[0])
	default:
		return heifPlan{}, fmt.Errorf("%w: heic: %q images are not supported", ErrUnsupported, it.typ)
	}
	if err != nil {
		return heifPlan{}, err
	}
	for _, alpha := range s.file.alphas[id] {
		a, err := s.size(alpha)
		if err != nil {
			return heifPlan{}, err
		}
		p.decoded += a.decoded
	}
	if p.decoded > maxDecodedPixels {
		return heifPlan{}, fmt.Errorf("%w: heic: decoding it fills %d megapixels, the limit is %d",
			ErrTooLarge, p.decoded/1_000_000, maxDecodedPixels/1_000_000)
	}
	s.sizes[id] = p
	return p, nil
}

// hevcSize is the frame size the HEVC decoder allocates: the largest of
// the ispe box and every sequence parameter set in the hvcC box and the
// item's data, which libheif hands the decoder as 4-byte length-prefixed
// NAL units.
func (s *heifSizer) hevcSize(id uint32, it *heifItem) (heifPlan, error) {
	var w, h uint64
	grow := func(pw, ph uint64) { w, h = max(w, pw), max(h, ph) }
	sawConfig := false
	for _, p := range it.props {
		switch {
		case p.typ == "ispe":
			r := &byteReader{b: p.payload}
			r.fullBox()
			grow(r.uint(4), r.uint(4))
			if r.failed {
				return heifPlan{}, heifError("truncated ispe box")
			}
		case p.typ == "hvcC" && !sawConfig: // libheif uses the first
			sawConfig = true
			nals, err := hvcCUnits(p.payload)
			if err != nil {
				return heifPlan{}, err
			}
			for _, nal := range nals {
				if err := spsSize(nal, grow); err != nil {
					return heifPlan{}, err
				}
			}
		}
	}
	data, err := s.file.itemData(id)
	if err != nil {
		return heifPlan{}, err
	}
	for len(data) > 0 {
		if len(data) < 4 || uint64(binary.BigEndian.Uint32(data)) > uint64(len(data)-4) {
			return heifPlan{}, heifError("item %d: truncated NAL unit", id)
		}
		n := binary.BigEndian.Uint32(data)
		if err := spsSize(data[4:4+n], grow); err != nil {
			return heifPlan{}, err
		}
		data = data[4+n:]
	}
	if err := checkPixels(w, h); err != nil {
		return heifPlan{}, err
	}
	return heifPlan{width: int64(w), height: int64(h), decoded: int64(w * h)}, nil
}

// canvasSize sizes a grid or overlay: its canvas plus every image it
// references, once per reference.
func (s *heifSizer) canvasSize(id uint32, it *heifItem) (heifPlan, error) {
	data, err := s.file.itemData(id)
	if err != nil {
		return heifPlan{}, err
	}
	refs := s.file.refs["dimg"][id]
	r := &byteReader{b: data}
	version, flags := r.uint(1), r.uint(1)
	field := 2
	if flags&1 != 0 {
		field = 4
	}
	if it.typ == "grid" {
		rows, columns := r.uint(1)+1, r.uint(1)+1
		if uint64(len(refs)) != rows*columns {
			return heifPlan{}, heifError("grid %d has %dx%d tiles but %d images", id, rows, columns, len(refs))
		}
	} else {
		if version != 0 {
			return heifPlan{}, heifError("overlay %d has version %d", id, version)
		}
		r.take(8) // canvas fill colour
	}
	w, h := r.uint(field), r.uint(field)
	if r.failed {
		return heifPlan{}, heifError("truncated %s data of item %d", it.typ, id)
	}
	if err := checkPixels(w, h); err != nil {
		return heifPlan{}, err
	}
	p := heifPlan{width: int64(w), height: int64(h), decoded: int64(w * h)}
	for _, ref := range refs {
		tile, err := s.size(ref)
		if err != nil {
			return heifPlan{}, err
		}
		p.decoded += tile.decoded
		if p.decoded > maxDecodedPixels {
			return heifPlan{}, fmt.Errorf("%w: heic: %s %d decodes more than %d megapixels from %d images",
				ErrTooLarge, it.typ, id, maxDecodedPixels/1_000_000, len(refs))
		}
	}
	return p, nil
}

// checkPixels refuses an image buffer above MaxPixels.
func checkPixels(w, h uint64) error {
	if w == 0 || h == 0 {
		return heifError("an image of %dx%d", w, h)
	}
	if w > MaxPixels || h > MaxPixels || w*h > MaxPixels {
		return fmt.Errorf("%w: heic: an image of %dx%d is %d megapixels, the limit is %d",
			ErrTooLarge, w, h, w*h/1_000_000, MaxPixels/1_000_000)
	}
	return nil
}

// hvcCUnits returns the NAL units of an hvcC box: libheif passes all of
// them to the decoder.
func hvcCUnits(hvcC []byte) ([][]byte, error) {
	r := &byteReader{b: hvcC}
	r.take(22)
	arrays := r.uint(1)
	var nals [][]byte
	for range arrays {
		r.uint(1) // completeness and NAL type
		n := r.uint(2)
		for range n {
			size := r.uint(2)
			nals = append(nals, r.take(size))
			if r.failed {
				return nil, heifError("truncated hvcC box")
			}
		}
	}
	if r.failed {
		return nil, heifError("truncated hvcC box")
	}
	return nals, nil
}

// hevcSPS is the NAL unit type of an HEVC sequence parameter set.
const hevcSPS = 33

// spsSize passes the picture size of an HEVC sequence parameter set to
// grow; other NAL units are ignored.
func spsSize(nal []byte, grow func(w, h uint64)) error {
	if len(nal) < 2 || nal[0]>>1&0x3F != hevcSPS {
		return nil
	}
	r := bitReader{b: unescapeRBSP(nal[2:])}
	r.skip(4) // sps_video_parameter_set_id
	subLayers := int(r.bits(3))
	r.skip(1) // sps_temporal_id_nesting_flag
	// profile_tier_level(1, sps_max_sub_layers_minus1)
	r.skip(88 + 8)
	profile, level := make([]bool, subLayers), make([]bool, subLayers)
	for i := range subLayers {
		profile[i], level[i] = r.bits(1) == 1, r.bits(1) == 1
	}
	if subLayers > 0 {
		r.skip(2 * (8 - subLayers))
	}
	for i := range subLayers {
		if profile[i] {
			r.skip(88)
		}
		if level[i] {
			r.skip(8)
		}
	}
	r.ue() // sps_seq_parameter_set_id
	if r.ue() == 3 {
		r.skip(1) // separate_colour_plane_flag
	}
	w, h := r.ue(), r.ue()
	if r.failed {
		return heifError("damaged HEVC sequence parameter set")
	}
	grow(w, h)
	return nil
}

// unescapeRBSP removes the emulation prevention bytes (00 00 03) of a NAL
// unit's payload.
func unescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// bitReader reads an HEVC bit string; past the end it reads zeros and
// remembers that it failed.
type bitReader struct {
	b      []byte
	pos    uint64
	failed bool
}

func (r *bitReader) bits(n int) uint64 {
	var v uint64
	for range n {
		if r.pos >= uint64(len(r.b))*8 {
			r.failed = true
			return 0
		}
		v = v<<1 | uint64(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) skip(n int) {
	r.pos += uint64(n)
	if r.pos > uint64(len(r.b))*8 {
		r.failed = true
	}
}

// ue reads an unsigned Exp-Golomb code (at most 32 bits).
func (r *bitReader) ue() uint64 {
	zeros := 0
	for r.bits(1) == 0 {
		if r.failed || zeros == 32 {
			r.failed = true
			return 0
		}
		zeros++
	}
	return 1<<zeros - 1 + r.bits(zeros)
}
