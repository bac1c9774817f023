#!/usr/bin/env python3
"""Convert the UEA "BasicMotions" recordings, as the aeon (or sktime) wheel ships them, to the
compact archive in ``layergraph/datasets/data/basic_motions.npz``.

Source
------
BasicMotions is a data set of the UEA multivariate time series classification archive
(Bagnall et al., 2018): four people wore a smart watch while standing, walking, running and
playing badminton; each recording is 10 s of the watch's 3-D accelerometer and 3-D gyroscope,
sampled at 10 Hz (100 steps x 6 channels); 40 training and 40 test recordings, 10 per activity.
aeon carries it inside its wheel (nothing is downloaded at run time)::

    aeon/datasets/data/BasicMotions/BasicMotions_TRAIN.ts
    aeon/datasets/data/BasicMotions/BasicMotions_TEST.ts

(sktime's wheel has the same files under ``sktime/datasets/data/BasicMotions/``.) Get a wheel
without installing it and run this script::

    pip download --no-deps aeon -d /tmp/aeon
    python tools/convert_basic_motions.py /tmp/aeon/aeon-1.6.0-py3-none-any.whl

The argument may also be a folder holding the two ``.ts`` files. ``--check`` parses and verifies
without writing; ``--out`` changes the output path.

The ``.ts`` format
------------------
``#`` lines are comments, ``@`` lines the header (``@dimensions 6``, ``@seriesLength 100``,
``@classLabel true Standing Running Walking Badminton``); after ``@data`` each line is one
recording: the six channels separated by ``:``, each a comma-separated series over time, then the
label. A recording is stored channel by channel; this script transposes it to (100, 6).

Output
------
A compressed ``.npz`` (fixed zip timestamps, so a re-run gives identical bytes), for each split
``s`` in ``train``, ``test``:

``s_micro``   int32 (40, 100, 6): the values in millionths (the source has at most six
              decimals, some written like ``-5.8E-5``; the integers are exact);
``s_labels``  int8 (40,): index of each recording's activity in ``classes``;

and ``classes``: the activity names in the order of the header's ``@classLabel``.
The script checks the header, that every recording has 6 channels of 100 values, and that every
value is a whole number of millionths; it refuses to write otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tools folder, also when loaded by path
from conversion import savez_deterministic  # noqa: E402

MEMBERS = {
    "train": ("aeon/datasets/data/BasicMotions/BasicMotions_TRAIN.ts",
              "sktime/datasets/data/BasicMotions/BasicMotions_TRAIN.ts"),
    "test": ("aeon/datasets/data/BasicMotions/BasicMotions_TEST.ts",
             "sktime/datasets/data/BasicMotions/BasicMotions_TEST.ts"),
}
CHANNELS, STEPS, PER_SPLIT = 6, 100, 40
SCALE = 10 ** 6

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "layergraph" / "datasets" / "data" / "basic_motions.npz"


def read_sources(src: Path) -> dict[str, tuple[str, bytes]]:
    """{split: (member name, bytes)} from a wheel or a folder holding the two ``.ts`` files."""
    out = {}
    if src.is_file():
        with zipfile.ZipFile(src) as zf:
            names = set(zf.namelist())
            for split, candidates in MEMBERS.items():
                name = next((n for n in candidates if n in names), None)
                if name is None:
                    raise SystemExit(f"{src}: no {candidates[0].rsplit('/', 1)[1]} in the wheel")
                out[split] = (name, zf.read(name))
        return out
    for split, candidates in MEMBERS.items():
        base = candidates[0].rsplit("/", 1)[1]
        hits = list(src.rglob(base))
        if not hits:
            raise SystemExit(f"{src}: no {base} below this folder")
        out[split] = (str(hits[0]), hits[0].read_bytes())
    return out


def _micro(text: str) -> int:
    d = Decimal(text) * SCALE
    if d != d.to_integral_value():
        raise ValueError(f"{text!r} has more than six decimals")
    return int(d)


def parse_ts(raw: bytes, where: str) -> tuple[list[str], np.ndarray, list[str]]:
    """(classes from the header, values in millionths (n, STEPS, CHANNELS), label per case)."""
    classes, cases, labels, in_data = None, [], [], False
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            key, *rest = line.split()
            key = key.lower()
            if key == "@dimensions" and rest != [str(CHANNELS)]:
                raise ValueError(f"{where}:{lineno}: expected @dimensions {CHANNELS}")
            if key == "@serieslength" and rest != [str(STEPS)]:
                raise ValueError(f"{where}:{lineno}: expected @seriesLength {STEPS}")
            if key == "@classlabel":
                classes = rest[1:]
            in_data = key == "@data"
            continue
        *dims, label = line.split(":")
        if len(dims) != CHANNELS:
            raise ValueError(f"{where}:{lineno}: {len(dims)} channels, expected {CHANNELS}")
        series = [[_micro(v) for v in d.split(",")] for d in dims]
        if any(len(s) != STEPS for s in series):
            raise ValueError(f"{where}:{lineno}: a channel without {STEPS} values")
        cases.append(np.array(series, dtype=np.int64).T)
        labels.append(label)
    if classes is None or set(labels) - set(classes):
        raise ValueError(f"{where}: labels {sorted(set(labels))} not all in @classLabel {classes}")
    return classes, np.stack(cases), labels


def convert(sources: dict[str, tuple[str, bytes]]) -> dict[str, np.ndarray]:
    arrays, classes = {}, None
    for split, (name, raw) in sources.items():
        cls, micro, labels = parse_ts(raw, name)
        if classes is not None and cls != classes:
            raise ValueError(f"{name}: classes {cls} differ from the other split's {classes}")
        classes = cls
        if micro.shape != (PER_SPLIT, STEPS, CHANNELS):
            raise ValueError(f"{name}: shape {micro.shape}, expected {(PER_SPLIT, STEPS, CHANNELS)}")
        if np.abs(micro).max() >= 2 ** 31:
            raise ValueError(f"{name}: a value does not fit int32 millionths")
        arrays[f"{split}_micro"] = micro.astype(np.int32)
        arrays[f"{split}_labels"] = np.array([cls.index(c) for c in labels], dtype=np.int8)
    arrays["classes"] = np.array(classes)
    return arrays


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("source", type=Path, help="an aeon or sktime wheel, or a folder holding "
                                             "BasicMotions_TRAIN.ts and BasicMotions_TEST.ts")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--check", action="store_true", help="verify only; write nothing")
    args = p.parse_args(argv)

    sources = read_sources(args.source)
    for name, raw in sources.values():
        print(f"{name}: {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}")
    arrays = convert(sources)
    for split in MEMBERS:
        counts = np.bincount(arrays[f"{split}_labels"], minlength=len(arrays["classes"]))
        print(f"{split}: {arrays[f'{split}_micro'].shape} "
              + ", ".join(f"{c} {n}" for c, n in zip(arrays["classes"], counts)))
    if args.check:
        return 0
    data = savez_deterministic(arrays)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
