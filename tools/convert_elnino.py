#!/usr/bin/env python3
"""Convert NOAA's monthly El Niño sea surface temperatures, as statsmodels ships them, to the
compact archive in ``layergraph/datasets/data/elnino.npz``.

Source
------
statsmodels carries, inside its wheel (nothing is downloaded), the NOAA Climate Prediction
Center's monthly ERSST.v3b sea surface temperature indices of four Pacific regions, January 1950 to
December 2010 (732 months)::

    statsmodels/datasets/elnino/src/elnino.dat   YR MON NINO1+2 ANOM NINO3 ANOM NINO4 ANOM NINO3.4 ANOM
    statsmodels/datasets/elnino/elnino.csv       NINO1+2 only, one row per year (what
                                                 statsmodels.datasets.elnino.load() returns)
    statsmodels/datasets/elnino/data.py          COPYRIGHT = "This data is in the public domain."

The data are a work of the U.S. National Oceanic and Atmospheric Administration (a U.S. federal
agency), in the public domain, and statsmodels documents them as such; statsmodels itself is
BSD-3-Clause. ``data/ELNINO_LICENSE.txt`` records source, terms and the conversion.

Run it with statsmodels installed (it is read from the installed package, never imported)::

    pip install statsmodels        # or: pip download --no-deps statsmodels -d /tmp/sm
    python tools/convert_elnino.py                 # the installed statsmodels
    python tools/convert_elnino.py /tmp/sm/statsmodels-0.15.0-....whl   # or a wheel / a folder

``--check`` parses and verifies without writing; ``--out`` changes the output path.

Output
------
A compressed ``.npz`` (fixed zip timestamps, so a re-run gives identical bytes):

``sst_centi``  int16 (732, 4): temperature in hundredths of a degree Celsius (the source has
               two decimals, so this is exact), columns NINO1+2, NINO3, NINO4, NINO3.4;
``year``       int16 (732,), ``month`` int8 (732,): the month of each row, in time order;
``channels``   the four region names (fixed-width unicode).

The converter checks that the months run without gaps from 1950-01 to 2010-12, that every value
has at most two decimals, and that the NINO1+2 column equals statsmodels' ``elnino.csv``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tools folder, also when loaded by path
from conversion import installed_package, read_members, savez_deterministic  # noqa: E402

DAT = "statsmodels/datasets/elnino/src/elnino.dat"
CSV = "statsmodels/datasets/elnino/elnino.csv"
DOC = "statsmodels/datasets/elnino/data.py"
CHANNELS = ("NINO1+2", "NINO3", "NINO4", "NINO3.4")
SST_COLUMNS = (2, 4, 6, 8)  # YR MON then (SST, ANOM) per region
FIRST, LAST = (1950, 1), (2010, 12)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "layergraph" / "datasets" / "data" / "elnino.npz"


def installed_statsmodels() -> Path:
    """The folder holding the installed ``statsmodels`` package (found, not imported)."""
    return installed_package("statsmodels", "statsmodels is not installed: pip install "
                             "statsmodels, or give a wheel or a folder holding "
                             "statsmodels/datasets/elnino")


def read_sources(src: Path | None) -> dict[str, bytes]:
    """{member path: bytes} of the three files, from a wheel, a folder or the installed package."""
    return read_members(src if src is not None else installed_statsmodels(), (DAT, CSV, DOC))


def _centi(text: str) -> int:
    d = Decimal(text) * 100
    if d != d.to_integral_value():
        raise ValueError(f"{text!r} has more than two decimals")
    return int(d)


def convert(sources: dict[str, bytes]) -> dict[str, np.ndarray]:
    lines = sources[DAT].decode("ascii").splitlines()
    header = lines[0].split()
    if header[:3] != ["YR", "MON", "NINO1+2"] or header[4] != "NINO3":
        raise ValueError(f"{DAT}: unexpected header {lines[0]!r}")
    rows = [ln.split() for ln in lines[1:] if ln.strip()]
    year = np.array([int(r[0]) for r in rows], dtype=np.int16)
    month = np.array([int(r[1]) for r in rows], dtype=np.int8)
    sst = np.array([[_centi(r[c]) for c in SST_COLUMNS] for r in rows], dtype=np.int16)

    expect = [(y, m) for y in range(FIRST[0], LAST[0] + 1) for m in range(1, 13)]
    if list(zip(year.tolist(), month.tolist())) != expect:
        raise ValueError(f"{DAT}: the months do not run from {FIRST} to {LAST} without gaps")
    if not ((sst > 1000) & (sst < 3500)).all():
        raise ValueError(f"{DAT}: a temperature outside 10..35 degrees (a missing value?)")

    csv_rows = [ln.split(",") for ln in sources[CSV].decode("ascii").splitlines()[1:] if ln]
    csv = np.array([[_centi(v) for v in r[1:13]] for r in csv_rows], dtype=np.int16)
    if csv.shape != (LAST[0] - FIRST[0] + 1, 12) or not np.array_equal(csv.ravel(), sst[:, 0]):
        raise ValueError(f"{CSV} does not hold the NINO1+2 column of {DAT}")
    if b"public domain" not in sources[DOC]:
        raise ValueError(f"{DOC}: the data set no longer says it is in the public domain")
    return {"sst_centi": sst, "year": year, "month": month, "channels": np.array(CHANNELS)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("source", nargs="?", type=Path,
                   help="a statsmodels wheel or a folder holding statsmodels/ (default: the "
                        "installed statsmodels)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--check", action="store_true", help="verify only; write nothing")
    args = p.parse_args(argv)

    sources = read_sources(args.source)
    for name, raw in sources.items():
        print(f"{name}: {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}")
    arrays = convert(sources)
    sst = arrays["sst_centi"]
    print(f"{sst.shape[0]} months x {sst.shape[1]} regions ({', '.join(CHANNELS)}), "
          f"{sst.min() / 100:.2f}..{sst.max() / 100:.2f} degrees C")
    if args.check:
        return 0
    data = savez_deterministic(arrays)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
