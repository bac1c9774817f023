"""Translate MATLAB code that declares a network and its training into layergraph.

    from layergraph import from_matlab
    t = from_matlab(open("example.m").read(), filename="example.m")
    t.graph          # the LayerGraph
    t.options        # trainingOptions, or None
    t.notes          # statements skipped (data, training, plots), each with file:line:col
    t.to_python()    # a Python script using layergraph
    t.to_yaml()      # a YAML spec

Modules: ``lexer`` (tokens with positions, MATLAB quote/continuation/comment rules),
``parser`` (statements and expressions), ``evaluate`` (what the network is made of),
``translation`` (the result and its Python/YAML forms), ``names`` (MATLAB names known).
"""

from .errors import MatlabProblem, MatlabSyntaxError, MatlabTranslationError
from .translation import MatlabTranslation, from_matlab

__all__ = ["from_matlab", "MatlabTranslation", "MatlabTranslationError", "MatlabSyntaxError",
           "MatlabProblem"]
