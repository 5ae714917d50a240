"""The README's examples are programs: run them and compare what they print."""

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_python_api_example_runs_and_prints_what_the_readme_says():
    block = re.search(r"## The Python API\n\n```python\n(.*?)```", README, re.S).group(1)
    expected = [line[2:] for line in block.splitlines() if line.startswith("# ")]
    out = io.StringIO()

    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})

    assert out.getvalue().splitlines() == expected


def test_readme_starts_with_the_two_commands():
    commands = re.search(r"## Two commands\n\n```bash\n(.*?)```", README, re.S).group(1)

    assert [line.split()[0:2] for line in commands.splitlines()] == [["make", "run"], ["make", "test"]]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "make test" in ci
