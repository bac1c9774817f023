"""The README's two fresh-machine commands stay true: CI runs the same test command, and the
main-job command names a script that exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands_and_ci_runs_the_test_one():
    main_job, tests = readme_commands()
    assert tests.endswith("python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines()


def test_main_job_command_runs_the_shipped_example():
    main_job, _ = readme_commands()
    script = main_job.rsplit("python ", 1)[1].split()[0]
    assert (ROOT / script).is_file()
    assert "torch==2.13.0" in main_job


def test_readme_quotes_the_accuracy_the_main_job_prints():
    """The README's figure for the main command is what the example prints for its default seed
    (accuracy only: times depend on the machine). Regenerate with tools/readme_figures.py."""
    import contextlib
    import io
    import sys

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import japanese_vowels
    finally:
        sys.path.pop(0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        acc = japanese_vowels.main([])
    assert f"test accuracy: {acc:.4f}" in out.getvalue()
    row = next(ln for ln in (ROOT / "README.md").read_text().splitlines()
               if "(the command above)" in ln)
    assert row.split("|")[2].strip() == f"{acc:.4f}", (row, acc)
