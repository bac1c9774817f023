"""Reading the user's files (readmatrix, readtable, csvread, load) and the data sets
layergraph ships (japaneseVowelsTrainData / TestData)."""

from __future__ import annotations

import builtins as _b
import csv
import math
import os
import re

import numpy as np

from ...errors import DataError
from .values import OBJECT, Categorical, Cell, Struct, Table, _as_array, cell_of

# --- files ---------------------------------------------------------------------------------------


def _numeric_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    delim = "," if "," in text else ("\t" if "\t" in text else None)
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = line.split(delim) if delim else line.split()
        rows.append([c.strip() for c in cells])
    return rows


def _as_float(c):
    try:
        return float(c)
    except ValueError:
        return math.nan


def readmatrix(path, *options):
    """The numbers of a delimited text file; leading header lines (no number in them) are
    skipped, text cells are NaN, as MATLAB's readmatrix does."""
    rows = [[_as_float(c) for c in r] for r in _numeric_rows(path)]
    while rows and all(math.isnan(v) for v in rows[0]):
        rows.pop(0)
    width = _b.max(len(r) for r in rows) if rows else 0
    return np.array([r + [math.nan] * (width - len(r)) for r in rows], dtype=float).reshape(
        len(rows), width)



def csvread(path, r=0, c=0):
    """csvread(path, R, C): the numbers from 0-based row R and column C on."""
    rows = [[_as_float(x) for x in row] for row in _numeric_rows(path)]
    return np.array(rows, dtype=float)[int(r):, int(c):]


dlmread = csvread


def readtable(path, *options):
    """A table of a delimited text file whose first line names the columns: numeric columns
    become column vectors, the others cells of text."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    columns = {}
    for j, name in enumerate(header):
        key = re.sub(r"\W", "_", name.strip()) or f"Var{j + 1}"
        key = key if key[0].isalpha() else "x" + key
        vals = [r[j] if j < len(r) else "" for r in body]
        nums = [_as_float(v) for v in vals]
        if all(not math.isnan(v) or vals[k].strip() in ("", "NaN") for k, v in enumerate(nums)):
            columns[key] = np.array(nums, dtype=float).reshape(-1, 1)
        else:
            columns[key] = cell_of(vals)
    return Table(columns)


def table2array(t):
    return np.concatenate([_as_array(c) for c in t.columns()], axis=1)


def load(path):
    """``S = load(file)``: a struct of a .mat file's variables, or the matrix of a text file."""
    path = str(path)
    if not path.lower().endswith(".mat") and os.path.exists(path):
        return readmatrix(path)
    if not os.path.exists(path) and os.path.exists(path + ".mat"):
        path += ".mat"
    from scipy.io import loadmat

    raw = loadmat(path, squeeze_me=False)
    return Struct(**{k: _from_mat(v) for k, v in raw.items() if not k.startswith("__")})


def loaded(data, name, path):
    """Variable ``name`` of a loaded .mat file (``load FILE`` put it in the workspace)."""
    if not isinstance(data, Struct) or name not in data.__dict__:
        raise DataError(f"{path}: the file has no variable '{name}' (the program reads it "
                        "after `load`)", expected=f"a .mat file with a variable {name}")
    return getattr(data, name)


def _from_mat(v):
    if isinstance(v, np.ndarray) and v.dtype == OBJECT:
        return Cell(np.vectorize(_from_mat, otypes=[object])(v))
    if isinstance(v, np.ndarray) and v.dtype.kind == "U":
        return "".join(v.ravel()) if v.size else ""
    return v


# --- data sets -----------------------------------------------------------------------------------


def japanese_vowels_data(split, layout):
    """``[X, Y] = japaneseVowelsTrainData`` / ``...TestData``: a column cell of sequences
    (``layout`` 'CT': 12-by-T, as trainNetwork's releases gave; 'TC': T-by-12, as today's)
    and a categorical column of speakers."""
    from ...datasets import japanese_vowels

    X, Y = japanese_vowels(split, dtype=np.float64)
    seqs = [x.T.copy() if layout == "CT" else x for x in X]
    return cell_of(seqs), Categorical.of(np.asarray(Y).reshape(-1, 1))


def fullfile(*parts):
    return os.path.join(*[str(p) for p in parts])
