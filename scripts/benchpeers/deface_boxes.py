"""Prints deface's face boxes for each photo, one JSON line per photo.

It detects exactly as deface's CLI does at its defaults (deface/deface.py,
image_detect): the photo read by imageio, CenterFace at the photo's own
size (in_shape None, "--scale" unset), the "auto" backend, threshold 0.2.
The CLI itself writes only the anonymised photos, not the boxes.
"""
import json
import sys

import imageio.v2 as iio
from deface.centerface import CenterFace

centerface = CenterFace(in_shape=None, backend="auto")
for path in sys.argv[1:]:
    dets, _ = centerface(iio.imread(path), threshold=0.2)
    boxes = [[float(v) for v in d[:5]] for d in dets]
    print(json.dumps({"file": path, "boxes": boxes}), flush=True)
