"""A scripted coding agent for `rubric loop`: round 1 writes a weak change, then each round
fixes the first criterion the critique it receives names. LAZY=1: it does nothing after round 1.
SELF_GRADE=N: it grades its security at N points in its rubric copy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

WEAK = """

def run_shell(command):
    return subprocess.call(command, shell=True)
"""

FIXES = {
    "security": ("shell=True", "shell=False"),
    "docs": ("def run_shell(command):\n", 'def run_shell(command):\n    """Run a command."""\n'),
}


def main() -> None:
    prompt = sys.stdin.read()
    assert prompt == Path(os.environ["RUBRIC_PROMPT_FILE"]).read_text()
    core = Path("calc/core.py")
    if os.environ["RUBRIC_ROUND"] == "1":
        core.write_text(core.read_text() + WEAK)
    elif not os.environ.get("LAZY"):
        critique = prompt.split("## Critique to address")[1]
        first = critique.split("`")[1]
        old, new = FIXES[first]
        core.write_text(core.read_text().replace(old, new))
    if os.environ.get("SELF_GRADE"):
        with open(os.environ["RUBRIC_FILE"], "a") as copy:
            copy.write(f"\nscore {{\n  security {os.environ['SELF_GRADE']}\n}}\n")


if __name__ == "__main__":
    main()
