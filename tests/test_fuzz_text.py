"""Property-based: every mutated spec and MATLAB file loads, or raises layergraph's own error with
a line number -- never another exception; a spec that loads saves and loads back equal.

A fixed seed and a small budget keep this part to seconds; ``tools/fuzz_text.py --minutes N``
runs the same strategies (``text_mutations.py``) for longer.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from text_mutations import check_matlab, check_spec, mutated_matlab, mutated_specs  # noqa: E402


def budget(examples):
    return settings(derandomize=True, deadline=None, database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck), max_examples=examples)


@budget(120)
@given(mutated_specs())
def test_mutated_specs_load_or_fail_with_a_line(source):
    check_spec(source)


@budget(250)
@given(mutated_matlab())
def test_mutated_matlab_translates_or_fails_with_a_line(source):
    check_matlab(source)
