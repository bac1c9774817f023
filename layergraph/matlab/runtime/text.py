"""MATLAB's text: num2str, string, sprintf / fprintf, disp, string + number."""

from __future__ import annotations

import builtins as _b
import math
import re

import numpy as np

from .numeric import round
from .values import OBJECT, Categorical, Cell, _grid


def plus(a, b):
    """``a + b`` where one side may be a string: "Accuracy: " + 0.9 is "Accuracy: 0.9"."""
    if isinstance(a, str) or isinstance(b, str) or _is_strings(a) or _is_strings(b):
        sa, sb = _text(a), _text(b)
        if isinstance(sa, np.ndarray) or isinstance(sb, np.ndarray):
            return np.asarray(sa, dtype=object) + np.asarray(sb, dtype=object)
        return sa + sb
    return a + b


def _is_strings(x):
    return isinstance(x, np.ndarray) and x.dtype == OBJECT and x.size and isinstance(
        x.ravel()[0], str)


def _text(x):
    if isinstance(x, str):
        return x
    if isinstance(x, Categorical):
        return x.labels().astype(object)
    if isinstance(x, np.ndarray):
        if x.size == 1 and x.dtype != object:
            return num2str(x.ravel()[0].item(), 5)
        return np.vectorize(lambda v: v if isinstance(v, str) else num2str(v, 5),
                            otypes=[object])(x)
    return num2str(x, 5) if not isinstance(x, bool) else ("true" if x else "false")


def num2str(x, precision=None):
    """MATLAB's num2str: integers as such, others with 4 decimals (or ``precision``
    significant digits)."""
    if isinstance(x, str):
        return x
    a = np.asarray(x)
    if a.size != 1:
        return "  ".join(num2str(v.item(), precision) for v in a.ravel(order="F"))
    v = a.ravel()[0].item()
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, str):
        return v
    if float(v).is_integer():
        return str(int(v))
    if isinstance(precision, str):
        return sprintf(precision, v)
    if precision is None:  # MATLAB: max(5, digits before the point + 4) significant digits
        if not math.isfinite(v):
            return "NaN" if v != v else ("Inf" if v > 0 else "-Inf")
        digits = _b.max(5, math.floor(math.log10(_b.abs(v))) + 5) if v else 1
        return f"{v:.{digits}g}"
    return f"{v:.{int(precision)}g}"


def string(x):
    """MATLAB's string(x): text of numbers (5 significant digits), a string array for arrays."""
    if isinstance(x, str):
        return x
    if isinstance(x, Categorical):
        return x.labels().astype(object)
    if isinstance(x, Cell):
        return np.vectorize(str, otypes=[object])(x.data)
    a = np.asarray(x)
    if a.size == 1 and a.ndim == 0:
        return num2str(a.item(), 5)
    return np.vectorize(lambda v: num2str(v, 5), otypes=[object])(_grid(a)[0])


def str2double(s):
    try:
        return float(str(s))
    except ValueError:
        return math.nan


_FORMAT = re.compile(r"%(-?\+?0?\d*(?:\.\d+)?)([dicfeEgGsu%])")


def sprintf(fmt, *args):
    """MATLAB's sprintf: the format reused until the arguments run out; arrays give their
    elements in column order."""
    values = []
    for a in args:
        if isinstance(a, str):
            values.append(a)
        elif isinstance(a, Categorical):
            values.extend(a.labels().ravel(order="F"))
        elif isinstance(a, Cell):
            values.extend(a)
        else:
            values.extend(v.item() if hasattr(v, "item") else v
                          for v in np.asarray(a).ravel(order="F"))
    fmt = fmt.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
    conversions = _b.sum(1 for mo in _FORMAT.finditer(fmt) if mo.group(2) != "%") if values \
        else 0
    out, queue = [], list(values)
    while True:
        out.append(_FORMAT.sub(lambda mo: _convert(mo, queue), fmt))
        if not conversions or not queue:
            break
    return "".join(out)


def _convert(mo, queue):
    flags, conv = mo.groups()
    if conv == "%":
        return "%"
    if not queue:
        return ""
    v = queue.pop(0)
    if conv in "dicu":
        if isinstance(v, str):
            return v
        if float(v).is_integer():
            return ("%" + flags + "d") % int(v)
        conv = "e" if _b.abs(v) >= 1e5 or _b.abs(v) < 1e-4 else "f"
        return ("%" + flags + conv) % v
    if conv == "s":
        return ("%" + flags + "s") % (v if isinstance(v, str) else num2str(v))
    return ("%" + flags + conv) % float(v)


def fprintf(fmt, *args):
    print(sprintf(fmt, *args), end="")


def disp(x):
    """MATLAB's disp: text as it is, numbers as num2str writes them."""
    if isinstance(x, str):
        print(x)
    elif isinstance(x, np.ndarray) and x.dtype == OBJECT:
        for row in x:
            print("    ".join(str(v) for v in row))
    elif isinstance(x, np.ndarray) and x.size > 1:
        print(np.array2string(x, precision=4, suppress_small=True))
    elif isinstance(x, (int, float, np.generic)) or (isinstance(x, np.ndarray)):
        print(num2str(x))
    else:
        print(x)


def display(name, value):
    """A statement without a semicolon: ``name =`` and its value, as MATLAB shows it."""
    print(f"{name} =")
    disp(value)


def strcmp(a, b):
    return isinstance(a, str) and isinstance(b, str) and a == b


def strcat(*parts):
    return "".join(str(p).rstrip() if not isinstance(p, str) else p for p in parts)


def lower(s):
    return s.lower() if isinstance(s, str) else np.vectorize(str.lower, otypes=[object])(s)


def upper(s):
    return s.upper() if isinstance(s, str) else np.vectorize(str.upper, otypes=[object])(s)


def strrep(s, old, new):
    return s.replace(old, new)


def contains(s, pattern):
    return pattern in s


def int2str(x):
    return num2str(round(x))


def mat2str(x):
    a = _grid(x)[0]
    rows = [" ".join(num2str(v) for v in row) for row in a]
    return rows[0] if a.size == 1 else "[" + ";".join(rows) + "]"
