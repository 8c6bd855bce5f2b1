package vision

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// The HEIC probes are written here, box by box, around the HEVC image of
// the shared example.heic (1280x854, coded as 1280x856): Debian 12's
// libheif 1.15 can encode single images with x265 but has no API to write
// a grid, an overlay or a derived image.

// box returns an ISO BMFF box.
func box(typ string, parts ...[]byte) []byte {
	payload := bytes.Join(parts, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	return append(append(out, typ...), payload...)
}

// fullBox returns a full box of version 0 and no flags.
func fullBox(typ string, parts ...[]byte) []byte {
	return box(typ, append([][]byte{{0, 0, 0, 0}}, parts...)...)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// testItem is one item of a HEIF file written by writeHEIF. Its data goes
// into the idat box; props are property boxes.
type testItem struct {
	id    int
	typ   string
	data  []byte
	props [][]byte
	dimg  []int // the images it is derived from (grid tiles, iden source)
}

// writeHEIF writes a HEIF file whose primary item is the first.
func writeHEIF(items ...testItem) []byte {
	var infe, iloc, iref, ipco, ipma, idat [][]byte
	for _, it := range items {
		infe = append(infe, box("infe", []byte{2, 0, 0, 0}, u16(it.id), u16(0), []byte(it.typ), []byte{0}))
		// iloc version 1: the data in idat (construction method 1).
		iloc = append(iloc, u16(it.id), u16(1), u16(0), u16(1), u32(len(bytes.Join(idat, nil))), u32(len(it.data)))
		idat = append(idat, it.data)
		if len(it.dimg) > 0 {
			ref := [][]byte{u16(it.id), u16(len(it.dimg))}
			for _, to := range it.dimg {
				ref = append(ref, u16(to))
			}
			iref = append(iref, box("dimg", ref...))
		}
		ipma = append(ipma, u16(it.id), []byte{byte(len(it.props))})
		for _, p := range it.props {
			ipco = append(ipco, p)
			ipma = append(ipma, []byte{0x80 | byte(len(ipco))})
		}
	}
	meta := fullBox("meta",
		fullBox("hdlr", u32(0), []byte("pict"), make([]byte, 12), []byte{0}),
		fullBox("pitm", u16(items[0].id)),
		fullBox("iinf", append([][]byte{u16(len(items))}, infe...)...),
		box("iloc", append([][]byte{{1, 0, 0, 0, 0x44, 0x00}, u16(len(items))}, iloc...)...),
		fullBox("iref", iref...),
		box("iprp", box("ipco", ipco...), fullBox("ipma", append([][]byte{u32(len(items))}, ipma...)...)),
		box("idat", idat...),
	)
	return append(box("ftyp", []byte("heic"), u32(0), []byte("mif1heic")), meta...)
}

func ispe(w, h int) []byte { return fullBox("ispe", u32(w), u32(h)) }

// gridData is a grid item's data: rows x columns tiles on a w x h canvas.
func gridData(rows, columns, w, h int) []byte {
	return append([]byte{0, 1, byte(rows - 1), byte(columns - 1)}, append(u32(w), u32(h)...)...)
}

// exampleTile returns the primary image of example.heic as an item: its
// hvcC box and coded data.
func exampleTile(t testing.TB, id int) testItem {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata.Dir(t), "heic", "example.heic"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := readHEIF(data)
	if err != nil {
		t.Fatal(err)
	}
	coded, err := f.itemData(f.primary)
	if err != nil {
		t.Fatal(err)
	}
	it := testItem{id: id, typ: "hvc1", data: coded, props: [][]byte{nil, ispe(1280, 854)}}
	for _, p := range f.items[f.primary].props {
		if p.typ == "hvcC" {
			it.props[0] = box("hvcC", p.payload)
		}
	}
	return it
}

// repeat returns n copies of id.
func repeat(id, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = id
	}
	return out
}

// TestHEICBounded decodes HEIC probes written by the test: the limits hold
// for what libheif would actually decode, not what the ispe box says, and
// a real grid still decodes. On the code before this test, the 20x20 grid
// decoded to 25600x17080 (437 MP, 4.2 GB), the grid of 400 tiles whose
// ispe understates them decoded 438 MP to fill 1.1 MP, the 20000x20000
// HEVC stream ran out of memory, and the reference loops crashed libheif
// (stack overflow).
func TestHEICBounded(t *testing.T) {
	example, err := Load(filepath.Join(testdata.Dir(t), "heic", "example.heic"))
	if err != nil {
		t.Fatal(err)
	}
	tile := exampleTile(t, 2)
	smallTile := tile // each decodes to 1280x856, pasted clipped
	smallTile.props = [][]byte{tile.props[0], ispe(64, 43)}
	bigSPS := tile
	bigSPS.props = [][]byte{box("hvcC", withSPSSize(t, tile.props[0][8:], 20000, 20000)), ispe(1280, 854)}
	cases := []struct {
		name  string
		items []testItem
		want  error // nil: decodes to wantW x wantH
		wantW int
		wantH int
	}{
		{"2x2 grid", []testItem{
			{id: 1, typ: "grid", data: gridData(2, 2, 2560, 1708), props: [][]byte{ispe(2560, 1708)}, dimg: repeat(2, 4)}, tile,
		}, nil, 2560, 1708},
		{"20x20 grid, ispe 1280x854", []testItem{
			{id: 1, typ: "grid", data: gridData(20, 20, 25600, 17080), props: [][]byte{ispe(1280, 854)}, dimg: repeat(2, 400)}, tile,
		}, ErrTooLarge, 0, 0},
		{"400 tiles whose ispe says 64x43 on a 1280x854 canvas", []testItem{
			{id: 1, typ: "grid", data: gridData(20, 20, 1280, 854), props: [][]byte{ispe(1280, 854)}, dimg: repeat(2, 400)}, smallTile,
		}, ErrTooLarge, 0, 0},
		{"grid of strips", []testItem{
			{id: 1, typ: "grid", data: gridData(1, 20, 25600, 854), props: [][]byte{ispe(1280, 854)}, dimg: repeat(2, 20)}, tile,
		}, ErrTooNarrow, 0, 0},
		{"HEVC stream of 20000x20000, ispe 1280x854", []testItem{bigSPS}, ErrTooLarge, 0, 0},
		{"grid made of itself", []testItem{
			{id: 1, typ: "grid", data: gridData(1, 2, 2560, 854), props: [][]byte{ispe(2560, 854)}, dimg: []int{2, 1}}, tile,
		}, ErrCorrupt, 0, 0},
		{"iden loop", []testItem{
			{id: 1, typ: "iden", props: [][]byte{ispe(1280, 854)}, dimg: []int{3}},
			{id: 3, typ: "iden", props: [][]byte{ispe(1280, 854)}, dimg: []int{1}}, tile,
		}, ErrCorrupt, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "probe.heic")
			if err := os.WriteFile(path, writeHEIF(c.items...), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := Load(path)
			t.Logf("%s: %v", c.name, err)
			switch {
			case c.want != nil && (!errors.Is(err, c.want) || p != nil):
				t.Fatalf("got photo %v, error %v; want %v", p != nil, err, c.want)
			case c.want == nil && err != nil:
				t.Fatal(err)
			case c.want == nil && (p.Width != c.wantW || p.Height != c.wantH):
				t.Fatalf("decoded %dx%d, want %dx%d", p.Width, p.Height, c.wantW, c.wantH)
			case c.want == nil:
				// Each tile shows example.heic.
				for _, at := range []image.Point{{0, 0}, {1280, 854}} {
					tile := p.Image.SubImage(image.Rectangle{at, at.Add(image.Pt(1280, 854))}).(*image.NRGBA)
					if d := meanAbsDiff(tile, example.Image); d > 1 {
						t.Errorf("tile at %v differs from example.heic by %.1f", at, d)
					}
				}
			}
		})
	}
}

// withSPSSize returns the hvcC box payload with the picture size of its
// sequence parameter set replaced.
func withSPSSize(t *testing.T, hvcC []byte, w, h uint64) []byte {
	t.Helper()
	out := append([]byte(nil), hvcC[:23]...)
	r := &byteReader{b: hvcC[23:]}
	for range hvcC[22] {
		kind, n := r.uint(1), r.uint(2)
		out = append(append(out, byte(kind)), u16(int(n))...)
		for range n {
			nal := r.take(r.uint(2))
			if nal[0]>>1&0x3F == hevcSPS {
				nal = rewriteSPS(t, nal, w, h)
			}
			out = append(append(out, u16(len(nal))...), nal...)
		}
	}
	if r.failed {
		t.Fatal("hvcC box does not parse")
	}
	return out
}

// rewriteSPS re-encodes an SPS NAL unit with another picture size.
func rewriteSPS(t *testing.T, nal []byte, w, h uint64) []byte {
	t.Helper()
	rbsp := unescapeRBSP(nal[2:])
	// The size is the first pair of Exp-Golomb codes reading 1280, 856.
	var start, end uint64
	for ; end == 0; start++ {
		if start == uint64(len(rbsp))*8 {
			t.Fatal("picture size 1280x856 not found in the SPS")
		}
		r := bitReader{b: rbsp, pos: start}
		if r.ue() == 1280 && r.ue() == 856 && !r.failed {
			end = r.pos
		}
	}
	start--
	var bits []byte
	read := func(from, to uint64) {
		for i := from; i < to; i++ {
			bits = append(bits, rbsp[i/8]>>(7-i%8)&1)
		}
	}
	ue := func(v uint64) {
		v++
		n := 0
		for x := v; x > 1; x >>= 1 {
			n++
		}
		bits = append(bits, make([]byte, n)...)
		for i := n; i >= 0; i-- {
			bits = append(bits, byte(v>>i&1))
		}
	}
	read(0, start)
	ue(w)
	ue(h)
	// The rest up to the stop bit, then a new stop bit and alignment.
	last := uint64(len(rbsp))*8 - 1
	for rbsp[last/8]>>(7-last%8)&1 == 0 {
		last--
	}
	read(end, last)
	bits = append(bits, 1)
	for len(bits)%8 != 0 {
		bits = append(bits, 0)
	}
	payload := make([]byte, len(bits)/8)
	for i, b := range bits {
		payload[i/8] |= b << (7 - i%8)
	}
	out := append([]byte(nil), nal[:2]...)
	zeros := 0
	for _, c := range payload {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// FuzzPlanHEIF feeds the box reader damaged HEIF files: it must return a
// plan or an error, never panic (Decode would turn a panic into
// ErrCorrupt, hiding the bug), and a plan within the limits.
func FuzzPlanHEIF(f *testing.F) {
	tile := exampleTile(f, 2)
	tile.data = append(u32(3), 0x26, 0x01, 0xAF) // one NAL unit: the box reader does not decode it
	f.Add(writeHEIF(tile))
	f.Add(writeHEIF(testItem{id: 1, typ: "grid", data: gridData(2, 2, 2560, 1708), props: [][]byte{ispe(2560, 1708)}, dimg: repeat(2, 4)}, tile))
	f.Add(writeHEIF(testItem{id: 1, typ: "iden", props: [][]byte{ispe(1280, 854)}, dimg: []int{2}}, tile))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := planHEIF(data)
		if err == nil && (p.width*p.height > MaxPixels || p.decoded > maxDecodedPixels) {
			t.Fatalf("plan %+v above the limits", p)
		}
	})
}
