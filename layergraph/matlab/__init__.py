"""Translate MATLAB code that declares a network and its training into layergraph.

    from layergraph import from_matlab
    t = from_matlab(open("example.m").read(), filename="example.m")
    t.graph          # the LayerGraph
    t.options        # trainingOptions, or None
    t.notes          # statements skipped (data, training, plots), each with file:line:col
    t.to_python()    # a Python script using layergraph
    t.to_yaml()      # a YAML spec
    t.parameters     # values taken from data (or function inputs) bound with variables=

It reads whole files as people write them: scripts, function files (run as their function, the
inputs being parameters), local functions after the script (run where they are called),
``classdef`` files (the network of the methods that build layers), loops, ``if``/``switch``,
structs, cells, string arrays, ``Name=Value``; and a project's files together
(``from_matlab([paths...])`` or a folder). A value computed from data (``numel(categories(Y))``)
is never guessed: bind it with ``variables={'numClasses': 9}`` (``--var numClasses=9``), and
the translated Python becomes a function with that argument. Left unbound, it stays a parameter
without a value (``t.unbound``) where it reaches the network only as a parameter, else it is an
error saying how to bind it.

A stranger's file cannot make it hang or exhaust memory: the text's size and nesting, and the
evaluation's arrays (checked before they are allocated), layers, loops, calls, steps and time
are bounded by :class:`MatlabLimits` (``layergraph.matlab.LIMITS``, or ``from_matlab(...,
limits=MatlabLimits(...))``); a limit passed is an error at its line naming the limit. Bytes and
files are read as UTF-8, else GB18030, else Latin-1, with a note when not UTF-8.

Modules, each importing only those before it: ``errors`` (source positions, problems),
``names`` (MATLAB names known), ``lexer`` (tokens with positions, MATLAB quote/continuation/comment
rules), ``parser`` (statements and expressions), ``values`` (MATLAB values and conversions),
``builtins`` (numeric built-in functions: where a new one goes), ``bridge`` (MATLAB calls that
build layergraph objects: layers, layer graphs, trainingOptions, training; where a new one goes),
``interpreter`` (statements, expressions and the dispatch of calls), ``translation`` (the result
and its Python/YAML forms), ``runtime`` (MATLAB's value rules for translated programs: indexing,
cells, categorical, sequences' layouts, figures) and ``program`` (the whole script as a Python
program over ``runtime``: :func:`translate_program`, ``layergraph from-matlab FILE --to
program``).
"""

from .errors import LIMITS, MatlabLimits, MatlabProblem, MatlabSyntaxError, MatlabTranslationError
from .program import MatlabProgram, translate_program
from .translation import MatlabTranslation, from_matlab

__all__ = ["from_matlab", "translate_program", "MatlabProgram", "MatlabTranslation",
           "MatlabTranslationError", "MatlabSyntaxError", "MatlabProblem", "MatlabLimits", "LIMITS"]
