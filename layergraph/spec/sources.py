"""Where a spec's data come from: a shipped data set or ``.npz`` files, resolved, checked and
loaded the same way for Python (``spec.load_data('train')``) and for the command line.

A spec's ``data`` section names a shipped data set (``dataset: japanese_vowels``: its train and
test splits) or files (``train:``, ``test:``, ``validation:``, paths relative to the spec file),
and how training sequences are ordered (``order: sorted-by-length``, as MATLAB's examples
prepare them). The section is checked when the spec is loaded, like the layers: an unknown data
set or a file that is not there is a :class:`SpecIssue` at its line.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import load_npz, sort_by_length, spread_subset
from ..datasets import (
    basic_motions,
    basic_motions_regression,
    basic_motions_sequences,
    digit_videos,
    japanese_vowels,
)
from ..errors import DataError
from .issues import SpecIssue, closest

DATASETS = {"japanese_vowels": japanese_vowels, "digit_videos": digit_videos,
            "basic_motions": basic_motions, "basic_motions_activity": basic_motions_sequences,
            "basic_motions_gyroscope": basic_motions_regression}
"""Shipped data sets by name: each a function ``(split) -> (X, Y)`` with splits train and test.
``digit_videos``: fixed sequences of 8x8 digit images (layergraph.datasets.digits);
``basic_motions`` is the 40 + 40 recordings with one label each; ``basic_motions_activity`` the
long sequences made of them with a label per time step (the defaults of
:func:`~layergraph.datasets.basic_motions_sequences`); ``basic_motions_gyroscope`` the same
sequences as per-step regression, gyroscope from accelerometer."""

FILE_KEYS = ("train", "test", "validation")
"""Keys of the data section that hold ``.npz`` paths."""


@dataclass(frozen=True)
class DataSource:
    """A shipped data set (``kind='dataset'``, ``name`` its name) or an ``.npz`` file
    (``kind='file'``, ``name`` its path)."""

    kind: str
    name: str

    def __str__(self):
        return self.name

    def has(self, split: str) -> bool:
        """Whether the source holds ``split`` itself (an .npz file: XTest/XValidation in it)."""
        if self.kind == "dataset":
            return split in ("train", "test")
        if split == "train":
            return True
        keys = {"test": "XTest", "validation": "XValidation"}
        try:
            with np.load(self.name, allow_pickle=False) as z:
                return keys[split] in z.files
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return False  # load() reports what is wrong with the file

    def load(self, split="train", *, allow_pickle=False, categorical=True, need_y=True):
        """``(X, Y)`` of ``split``: the data set's split, or the file's arrays (see
        :func:`layergraph.data.load_npz`)."""
        if self.kind == "dataset":
            return DATASETS[self.name]("train" if split == "train" else "test")
        return load_npz(self.name, split, allow_pickle=allow_pickle, categorical=categorical,
                        need_y=need_y)


def dataset_name(text) -> str | None:
    """The shipped data set ``text`` names (``Japanese-Vowels`` too), or None."""
    norm = str(text).replace("-", "_").lower()
    return norm if norm in DATASETS else None


def data_source(text, base=None) -> DataSource:
    """The source ``text`` names: a shipped data set, or an ``.npz`` path (relative to ``base``,
    the spec's folder, when given). Raises :class:`DataError` for anything else."""
    name = dataset_name(text)
    if name is not None:
        return DataSource("dataset", name)
    p = Path(str(text)).expanduser()
    if not p.is_absolute() and base is not None:
        p = Path(base) / p
    if p.suffix != ".npz":
        raise DataError(f"unknown data source {str(text)!r}{closest(text, DATASETS)}: give a "
                        f"shipped data set ({', '.join(DATASETS)}) or an .npz file with arrays X "
                        "and Y")
    if not p.is_file():
        raise DataError(f"data file not found: {p}" + (" (it is a folder)" if p.is_dir() else ""))
    return DataSource("file", str(p))


def prepare(X, Y, *, limit=None, order=None):
    """The data as training wants them: ``limit`` sequences spread over the data, then
    ``order`` ('sorted-by-length' or 'as-is')."""
    if limit:
        X, Y = spread_subset(X, Y, limit)
    if order == "sorted-by-length":
        X, Y = sort_by_length(X, Y)
    return X, Y


def data_issues(doc, file, base, check_files=True) -> list[SpecIssue]:
    """Problems of the data section: an unknown data set, a path that is not an ``.npz`` file
    or (``check_files``) is not there, relative to ``base``."""
    data = doc.data.get("data") if isinstance(doc.data, dict) else None
    if not isinstance(data, dict):
        return []
    out = []

    def issue(msg, key, expected):
        out.append(SpecIssue(f"data: {msg}", *doc.at(("data", key)), None, expected, file,
                             path=("data", key)))

    if "dataset" in data and isinstance(data["dataset"], str) and not dataset_name(
            data["dataset"]):
        issue(f"unknown data set '{data['dataset']}'{closest(data['dataset'], DATASETS)}",
              "dataset", "a shipped data set: " + ", ".join(DATASETS))
    for key in FILE_KEYS:
        text = data.get(key)
        if not isinstance(text, str):
            continue  # a wrong type is the schema's
        p = Path(text).expanduser()
        if not p.is_absolute() and base is not None:
            p = Path(base) / p
        if p.suffix != ".npz":
            issue(f"'{key}' must be an .npz file, got '{text}'", key,
                  "an .npz file (numpy.savez) with arrays X and Y, relative to the spec file")
        elif check_files and not p.is_file():
            issue(f"'{key}' file not found: {p}", key,
                  "an existing .npz file, relative to the spec file's folder")
    return out
