#!/usr/bin/env python3
"""Convert the Japanese Vowels data set from sktime's ``.ts`` files to the
compressed NumPy archive shipped in ``layergraph/datasets/data``.

Source
------
The data are the UCI "Japanese Vowels" set (M. Kudo, J. Toyama, M. Shimbo,
1999; CC BY 4.0): 9 male speakers uttering the vowel pair /ae/, turned into
12 LPC cepstrum coefficients per frame; 270 training and 370 test sequences,
7 to 29 frames long.  We take them from the wheel of ``sktime==1.2.0``, which
carries them as::

    sktime/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts
    sktime/datasets/data/JapaneseVowels/JapaneseVowels_TEST.ts

Get the wheel (no dependencies, nothing is installed) and run this script::

    pip download --no-deps sktime==1.2.0 -d /tmp/skt
    python tools/convert_japanese_vowels.py /tmp/skt/sktime-1.2.0-py3-none-any.whl

The argument may also be a directory holding the two ``.ts`` files (for
instance an unzipped wheel).  ``--out`` changes the output path (default:
``layergraph/datasets/data/japanese_vowels.npz`` next to this script's repo).
``--check`` only parses and verifies, writing nothing.

The ``.ts`` format
------------------
Comment lines start with ``#``, header lines with ``@``; after ``@data`` each
non-empty line is one case: 12 dimensions separated by ``:``, each a
comma-separated series of values over time, then the class label.  So a case
is stored channel-major; this script transposes it to (T, 12), time steps by
coefficients, which is also the row layout of the original UCI ``ae.train``
file (its first row is ``1.860936 -0.207383 0.261557 ...``).

Output
------
A compressed ``.npz`` archive (the layout of ``np.savez_compressed``, written
with a fixed zip timestamp so a re-run gives identical bytes), for each split ``s`` in ``train``, ``test``:

``s_x``        float32, shape (sum of T, 12): every case's frames, concatenated
               in file order;
``s_lengths``  int32, shape (n,): frames per case (splits ``s_x`` row-wise);
``s_labels``   int32, shape (n,): speaker 1..9.

and ``decimals`` (int32 scalar): the most decimal places of any value in the
files (6).  float32 is enough: every value is at most 6 decimals and below
2.21 in magnitude, so the float32 value rounded to 6 decimals gives back the
file's number exactly; the script verifies this for every value (and that
``np.round(x.astype(float64), decimals)`` equals the float64 parse bit for
bit) and refuses to write otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np

N_CHANNELS = 12
SPLITS = {"train": "JapaneseVowels_TRAIN.ts", "test": "JapaneseVowels_TEST.ts"}
WHEEL_DIR = "sktime/datasets/data/JapaneseVowels/"
EXPECTED_COUNTS = {
    "train": [30] * 9,
    "test": [31, 35, 88, 44, 29, 24, 40, 50, 29],
}
MIN_T, MAX_T = 7, 29

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "layergraph" / "datasets" / "data" / "japanese_vowels.npz"


def read_sources(src: Path) -> dict[str, bytes]:
    """Return {split: raw .ts bytes} from a wheel (zip) or a directory."""
    out = {}
    if src.is_file():
        with zipfile.ZipFile(src) as zf:
            for split, name in SPLITS.items():
                out[split] = zf.read(WHEEL_DIR + name)
    elif src.is_dir():
        for split, name in SPLITS.items():
            hits = sorted(src.rglob(name))
            if not hits:
                raise FileNotFoundError(f"{name} not found under {src}")
            out[split] = hits[0].read_bytes()
    else:
        raise FileNotFoundError(src)
    return out


def parse_ts(text: str):
    """Parse a multivariate, unequal-length, classification .ts file.

    Returns (cases, labels, decimals): cases a list of float64 (T, 12)
    arrays, labels a list of label strings, decimals the largest number of
    decimal places of any value.
    """
    lines = text.splitlines()
    header = {}
    start = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("@"):
            key, _, val = s[1:].partition(" ")
            key = key.lower()
            if key == "data":
                start = i + 1
                break
            header[key] = val.strip()
            continue
        raise ValueError(f"line {i + 1}: data before @data")
    if start is None:
        raise ValueError("no @data line")
    if int(header.get("dimensions", N_CHANNELS)) != N_CHANNELS:
        raise ValueError(f"expected {N_CHANNELS} dimensions, header: {header}")
    if header.get("classlabel", "").split()[:1] != ["true"]:
        raise ValueError("expected @classLabel true ...")
    allowed = header["classlabel"].split()[1:]

    cases, labels, decimals = [], [], 0
    for i, line in enumerate(lines[start:], start=start + 1):
        s = line.strip()
        if not s:
            continue
        *dims, label = s.split(":")
        if len(dims) != N_CHANNELS:
            raise ValueError(f"line {i}: {len(dims)} dimensions, expected {N_CHANNELS}")
        if label not in allowed:
            raise ValueError(f"line {i}: label {label!r} not in {allowed}")
        series = []
        for d in dims:
            toks = d.split(",")
            for t in toks:
                # normalize(): '5.0E-6' is 0.000005, 6 decimals, not 7.
                # Decimal() also rejects '?' (missing) and non-finite text.
                dv = Decimal(t)
                if not dv.is_finite():
                    raise ValueError(f"line {i}: bad value {t!r}")
                exp = dv.normalize().as_tuple().exponent
                decimals = max(decimals, -exp)
            series.append([float(t) for t in toks])
        lengths = {len(v) for v in series}
        if len(lengths) != 1:
            raise ValueError(f"line {i}: dimensions of unequal length {lengths}")
        # .ts is channel-major (12, T); we want time-major (T, 12).
        cases.append(np.array(series, dtype=np.float64).T.copy())
        labels.append(label)
    return cases, labels, decimals


def convert(sources: dict[str, bytes]):
    arrays = {}
    max_dec = 0
    parsed = {}
    for split, raw in sources.items():
        cases, labels, dec = parse_ts(raw.decode("utf-8"))
        parsed[split] = (cases, labels)
        max_dec = max(max_dec, dec)

    for split, (cases, labels) in parsed.items():
        x64 = np.concatenate(cases, axis=0)
        x32 = x64.astype(np.float32)
        lengths = np.array([c.shape[0] for c in cases], dtype=np.int32)
        labs = np.array([int(v) for v in labels], dtype=np.int32)

        # --- checks -----------------------------------------------------
        assert all(c.shape[1] == N_CHANNELS for c in cases)
        assert lengths.min() >= MIN_T and lengths.max() <= MAX_T, (
            lengths.min(),
            lengths.max(),
        )
        counts = np.bincount(labs, minlength=10)[1:].tolist()
        assert counts == EXPECTED_COUNTS[split], (split, counts)
        assert len(cases) == sum(EXPECTED_COUNTS[split])
        # float32 keeps every file value: rounding back gives the float64
        # parse of the decimal text bit for bit.
        back = np.round(x32.astype(np.float64), max_dec)
        if not np.array_equal(back, x64):
            bad = np.flatnonzero(back != x64)
            raise SystemExit(
                f"{split}: float32 loses precision at {bad.size} values "
                f"(e.g. {x64.flat[bad[0]]!r}); store float64 instead"
            )

        arrays[f"{split}_x"] = x32
        arrays[f"{split}_lengths"] = lengths
        arrays[f"{split}_labels"] = labs
        print(
            f"{split}: {len(cases)} sequences, T {lengths.min()}..{lengths.max()}, "
            f"{x32.shape[0]} frames x {x32.shape[1]}, "
            f"|x| <= {np.abs(x64).max():.6f}, class counts {counts}"
        )
    arrays["decimals"] = np.array(max_dec, dtype=np.int32)
    print(f"max decimals {max_dec}; float32 round trip exact")
    return arrays


def savez_deterministic(arrays: dict[str, np.ndarray]) -> bytes:
    """Bytes of an ``np.savez_compressed`` archive with fixed zip metadata.

    Same layout as ``np.savez_compressed`` (one deflated ``NAME.npy`` member
    per array, readable by ``np.load``), but with a fixed timestamp, so that
    re-running the conversion reproduces the file byte for byte.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(
        buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9
    ) as zf:
        for name, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "source",
        type=Path,
        help="sktime-1.2.0 wheel, or a directory with the .ts files",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="parse and verify only")
    args = ap.parse_args(argv)

    sources = read_sources(args.source)
    for split, raw in sources.items():
        print(
            f"{SPLITS[split]}: {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}"
        )
    arrays = convert(sources)
    if args.check:
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(savez_deterministic(arrays))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")

    # read back and compare
    with np.load(args.out, allow_pickle=False) as z:
        for k, v in arrays.items():
            assert z[k].dtype == v.dtype and np.array_equal(z[k], v), k
    print("read-back ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
