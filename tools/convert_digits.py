#!/usr/bin/env python3
"""Convert the 8x8 handwritten digits, as scikit-learn ships them, to the compact archive in
``layergraph/datasets/data/digits.npz``.

Source
------
scikit-learn carries, inside its wheel (nothing is downloaded), a copy of the test part of the
UCI "Optical Recognition of Handwritten Digits" set (E. Alpaydin, C. Kaynak, 1998): 1797 images
of 8x8 pixels, each pixel the number of "on" pixels (0..16) of a 4x4 block of a 32x32 bitmap::

    sklearn/datasets/data/digits.csv.gz     one image a row: 64 pixels (row by row), then the digit
    sklearn/datasets/descr/digits.rst       the data set's description

Run it on a scikit-learn wheel or an installed scikit-learn (read as files, never imported)::

    pip download --no-deps --only-binary=:all: scikit-learn -d /tmp/skl
    python tools/convert_digits.py /tmp/skl/scikit_learn-1.9.1-....whl

``--check`` parses and verifies without writing; ``--out`` changes the output path.

Output
------
A compressed ``.npz`` with fixed zip timestamps (a re-run gives identical bytes):

``images``  uint8 (1797, 8, 8): pixel counts 0..16, ``images[i, r, c]`` row r, column c;
``labels``  uint8 (1797,): the digit 0..9 of each image;
``test``    bool (1797,): the image belongs to the test split. The split is fixed here, once:
            within each digit, in file order, every third image (the 3rd, 6th, ...) is a test
            image, the others training images (1201 train, 596 test), so that sequences made
            for testing never show an image seen in training.

The converter checks the shape, the pixel range and that every digit occurs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tools folder, also when loaded by path
from conversion import installed_package, read_members, savez_deterministic  # noqa: E402

CSV = "sklearn/datasets/data/digits.csv.gz"
DESCR = "sklearn/datasets/descr/digits.rst"
N_IMAGES = 1797
TEST_EVERY = 3

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "layergraph" / "datasets" / "data" / "digits.npz"


def installed_sklearn() -> Path:
    """The folder holding the installed ``sklearn`` package (found, not imported)."""
    return installed_package("sklearn", "scikit-learn is not installed: give a scikit-learn "
                             "wheel (pip download --no-deps scikit-learn) or a folder holding "
                             "sklearn/")


def read_sources(src: Path | None) -> dict[str, bytes]:
    """{member path: bytes} of the data file and its description."""
    return read_members(src if src is not None else installed_sklearn(), (CSV, DESCR))


def held_out_mask(labels: np.ndarray) -> np.ndarray:
    """Every TEST_EVERY-th image of each digit, in file order, is a test image."""
    test = np.zeros(len(labels), bool)
    for d in range(10):
        idx = np.flatnonzero(labels == d)
        test[idx[TEST_EVERY - 1::TEST_EVERY]] = True
    return test


def convert(sources: dict[str, bytes]) -> dict[str, np.ndarray]:
    text = gzip.decompress(sources[CSV]).decode("ascii")
    rows = np.array([[int(v) for v in ln.split(",")] for ln in text.splitlines() if ln.strip()])
    if rows.shape != (N_IMAGES, 65):
        raise ValueError(f"{CSV}: expected {N_IMAGES} rows of 64 pixels and a label, "
                         f"got shape {rows.shape}")
    pixels, labels = rows[:, :64], rows[:, 64]
    if pixels.min() < 0 or pixels.max() > 16:
        raise ValueError(f"{CSV}: pixel values outside 0..16")
    if set(labels.tolist()) != set(range(10)):
        raise ValueError(f"{CSV}: labels are not the digits 0..9")
    if b"Optical recognition of handwritten digits" not in sources[DESCR]:
        raise ValueError(f"{DESCR}: not the description of the UCI handwritten digits")
    labels = labels.astype(np.uint8)
    return {"images": pixels.reshape(N_IMAGES, 8, 8).astype(np.uint8), "labels": labels,
            "test": held_out_mask(labels)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("source", nargs="?", type=Path,
                   help="a scikit-learn wheel or a folder holding sklearn/ (default: the "
                        "installed scikit-learn)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--check", action="store_true", help="verify only; write nothing")
    args = p.parse_args(argv)

    sources = read_sources(args.source)
    for name, raw in sources.items():
        print(f"{name}: {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}")
    arrays = convert(sources)
    test = arrays["test"]
    print(f"{len(test)} images of 8x8 pixels: {int((~test).sum())} train, {int(test.sum())} test")
    if args.check:
        return 0
    data = savez_deterministic(arrays)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
