"""MATLAB's value rules for the programs that layergraph.matlab.program emits.

Why: a translated MATLAB program must mean what it meant (1-based and ``end`` indexing, arrays
that grow on assignment, column-major linear indexing, cell arrays, categorical labels, reductions
along the first non-singleton dimension, C-by-T sequences for ``trainNetwork`` and T-by-C for
``trainnet``), and NumPy's rules differ. These helpers carry MATLAB's, so the emitted program
reads line for line like the MATLAB it came from. Figures are drawn with matplotlib's Agg backend
(headless) and saved as PNG files when the program ends (:func:`finish`).

Values: numbers are Python numbers or 2-D NumPy arrays; char vectors and strings are ``str``;
string arrays are object arrays of ``str``; :class:`Cell`, :class:`Categorical`, :class:`Struct`
and :class:`Table` are MATLAB's cell arrays, categorical arrays, structs and tables; a layer array
is a list of layers.

Modules, each a concept: ``values`` (the values, their shapes, indexing, growth, ``[...]``,
operators, loops), ``numeric`` (reductions, sort, elementwise functions, constructors, cellfun,
random numbers), ``text`` (num2str, string, sprintf, disp), ``files`` (the user's files and the
data sets layergraph ships), ``networks`` (training and prediction on MATLAB's data layouts),
``figures`` (matplotlib), ``running`` (parameters, command line, error, tic/toc). The emitted
program sees them all as ``ml``.
"""

from .figures import *  # noqa: F403
from .files import *  # noqa: F403
from .networks import *  # noqa: F403
from .numeric import *  # noqa: F403
from .running import *  # noqa: F403
from .text import *  # noqa: F403
from .values import *  # noqa: F403
