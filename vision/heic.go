package vision

import (
	"fmt"

	"github.com/strukturag/libheif/go/heif"
)

// decodeHEIC decodes the primary image of a HEIF/HEIC file. libheif applies
// the file's own rotation and mirroring (irot/imir) while decoding, which
// take precedence over any EXIF orientation in HEIF, so no EXIF turn is
// applied on top.
func decodeHEIC(data []byte) (*Photo, error) {
	ctx, err := heif.NewContext()
	if err != nil {
		return nil, fmt.Errorf("heic: %w", err)
	}
	if err := ctx.ReadFromMemory(data); err != nil {
		return nil, fmt.Errorf("%w: heic: %v", ErrCorrupt, err)
	}
	handle, err := ctx.GetPrimaryImageHandle()
	if err != nil {
		return nil, fmt.Errorf("%w: heic primary image: %v", ErrCorrupt, err)
	}
	if err := checkSize(handle.GetWidth(), handle.GetHeight()); err != nil {
		return nil, err
	}
	decoded, err := handle.DecodeImage(heif.ColorspaceRGB, heif.ChromaInterleavedRGBA, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: heic decode: %v", ErrCorrupt, err)
	}
	img, err := decoded.GetImage()
	if err != nil {
		return nil, fmt.Errorf("%w: heic pixels: %v", ErrCorrupt, err)
	}
	pix := flatten(toNRGBA(img))
	return &Photo{
		Image:    pix,
		Width:    pix.Rect.Dx(),
		Height:   pix.Rect.Dy(),
		Format:   "heic",
		Metadata: readHEICMetadata(data),
	}, nil
}
