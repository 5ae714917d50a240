"""The README's operator session is a program: every command in it runs and succeeds."""

import re
import shlex
from pathlib import Path

README = (Path(__file__).parent.parent.parent / "README.md").read_text()


def test_the_operator_session_in_the_readme_runs(tim3, tmp_path, monkeypatch):
    section = README.split("## Operator commands", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    monkeypatch.setenv("TIM3_DEVNET_DATA", str(tmp_path / "devnet"))
    last_message = None

    for line in block.splitlines():
        words = shlex.split(line.split("#", 1)[0])
        assert words[0] == "tim3"
        args = [last_message if w == "<message-id>" else w for w in words[1:]]
        result = tim3(*args)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        found = re.search(r"^Message (\S+)", result.stdout, re.M)
        last_message = found.group(1) if found else last_message

    assert "Transfer" in result.stdout and "Credit-Notice" in result.stdout


def test_the_v1_session_in_the_readme_runs(tim3, devnet_dir):
    section = README.split("## Operator commands", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[1]

    results = [(line, tim3(*shlex.split(line.split("#", 1)[0])[1:]))
               for line in block.splitlines()]

    for line, result in results:
        assert result.exit_code == 0, f"{line}\n{result.output}"
    assert re.search(r"^✓  orchestrator +Ready +true", results[-1][1].stdout, re.M)
