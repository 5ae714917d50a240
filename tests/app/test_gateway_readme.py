"""The README's web gateway example is a program: run it and compare what it prints."""

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).parent.parent.parent / "README.md").read_text()


def test_the_readme_gateway_example_prints_what_the_readme_says():
    section = README.split("## Web gateway", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    expected = [line[2:] for line in block.splitlines() if line.startswith("# ")]
    out = io.StringIO()

    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})

    assert out.getvalue().splitlines() == expected
