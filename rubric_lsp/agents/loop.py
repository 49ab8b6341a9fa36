"""`rubric loop`: task, attempt, score, critique, revision and rescore, for an agent command.

The rubric the rounds append to is a copy under the git dir, so the user's file changes only
when asked (``write``). Each round the agent command reads the prompt on stdin and in the file
named by RUBRIC_PROMPT_FILE; RUBRIC_FILE names the copy, where it may write a self-grade.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs

from rubric_lsp.agents.prompt import build, render
from rubric_lsp.language.evaluate import hand_scores
from rubric_lsp.language.parser import parse
from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.options import ScoreOptions
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.report import critique_block, score_block

Scorer = Callable[[ScoreOptions], ScoreResult]


@dataclass
class Round:
    """One round: the report, whether the agent changed the tree, its self-grade and the gap."""

    number: int
    result: ScoreResult
    changed: bool
    agent_exit: int
    self_grade: dict[str, float] = field(default_factory=dict)
    flipped: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Mean of (self-graded minus measured points) over the criteria the agent graded."""
        gaps = [
            points - measured
            for name, points in self.self_grade.items()
            if (c := self.result.criteria.get(name)) and (measured := c.points) is not None
        ]
        return sum(gaps) / len(gaps) if gaps else None

    def to_json(self) -> dict[str, Any]:
        """The round as JSON: its full report and the loop's bookkeeping."""
        return {
            "round": self.number,
            "changed": self.changed,
            "agent_exit": self.agent_exit,
            "self_grade": self.self_grade,
            "self_grade_gap": None if self.gap is None else round(self.gap, 4),
            "flipped_rules": self.flipped,
            "report": self.result.to_json(),
        }


@dataclass
class LoopRun:
    """Every round, and why the loop stopped: accepted, round limit, unchanged, undecided or
    no accept_if."""

    rounds: list[Round]
    stopped: str
    rubric_copy: str

    @property
    def accepted(self) -> bool | None:
        """The last round's verdict."""
        return self.rounds[-1].result.accepted if self.rounds else None

    @property
    def exit_code(self) -> int:
        """The last round's exit code as `rubric score` gives it: 0 accepted, 1, 2 undecided."""
        return self.rounds[-1].result.exit_code if self.rounds else 2

    def to_json(self) -> dict[str, Any]:
        """The loop as JSON."""
        return {
            "stopped": self.stopped,
            "accepted": self.accepted,
            "rubric_copy": self.rubric_copy,
            "rounds": [r.to_json() for r in self.rounds],
        }


def _git(repo: Path, *args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)
    if done.returncode != 0:
        raise ScoringError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def tree_digest(repo: Path) -> str:
    """A digest of the working tree's change: the diff against HEAD and the untracked files."""
    digest = hashlib.sha256(_git(repo, "diff", "HEAD", "--binary"))
    for name in sorted(_git(repo, "ls-files", "--others", "--exclude-standard", "-z").split(b"\0")):
        path = repo / os.fsdecode(name)
        if name and path.is_file():
            digest.update(name + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def flipped_rules(before: ScoreResult | None, after: ScoreResult) -> list[str]:
    """The accept_if rules whose outcome changed since the round before, with the new one."""
    if before is None:
        return []
    old = {rule.text: rule.passed for rule in before.evaluation.rules}
    return [
        f"{rule.text}: {'undecided' if rule.passed is None else 'pass' if rule.passed else 'FAIL'}"
        for rule in after.evaluation.rules
        if rule.text in old and old[rule.text] != rule.passed
    ]


def _self_grade(written: str, agent_text: str) -> dict[str, float]:
    """The score entries the agent added to its rubric copy during its round."""
    added = agent_text[len(written) :] if agent_text.startswith(written) else ""
    grades = hand_scores(parse(added)) if added.strip() else {}
    return {name: n for name, e in grades.items() if (n := e.points.number) is not None}


def _run_agent(command: str, repo: Path, prompt: str, env: dict[str, str]) -> int:
    """Run the agent command (split like a shell would) with the prompt on stdin."""
    try:
        done = subprocess.run(
            shlex.split(command),
            cwd=repo,
            input=prompt.encode("utf-8"),
            env={**os.environ, **env},
            check=False,
        )
    except OSError as error:
        raise ScoringError(f"--agent {command}: {error.strerror or error}") from None
    return done.returncode


def run_loop(
    options: ScoreOptions,
    agent: str,
    rubric_file: Path,
    max_rounds: int,
    scorer: Scorer,
    write: bool = False,
) -> LoopRun:
    """Run rounds until accepted, the round limit, or a round that changes nothing."""
    repo = Path(options.repo)
    folder = (
        Path(os.fsdecode(_git(repo, "rev-parse", "--absolute-git-dir").strip())) / "rubric-loop"
    )
    folder.mkdir(parents=True, exist_ok=True)
    copy, prompt_file = folder / rubric_file.name, folder / "prompt.md"
    text = rubric_file.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    label = rubric_file.name
    rounds: list[Round] = []
    stopped = "round limit"
    for number in range(1, max_rounds + 1):
        prompt = render(build(parse(text), label, with_critique=number > 1), "markdown")
        prompt_file.write_text(prompt, encoding="utf-8")
        before = tree_digest(repo)
        env = {"RUBRIC_PROMPT_FILE": str(prompt_file), "RUBRIC_FILE": str(copy)}
        env["RUBRIC_ROUND"] = str(number)
        agent_exit = _run_agent(agent, repo, prompt, env)
        changed = tree_digest(repo) != before
        agent_text = copy.read_text(encoding="utf-8")
        grades = _self_grade(text, agent_text)
        if number > 1 and not changed:
            stopped = "unchanged"
            break
        # The agent's self-grade is kept in the copy, but measured scores always win.
        result = scorer(attrs.evolve(options, rubric_text=agent_text, rubric=str(rubric_file)))
        previous = rounds[-1].result if rounds else None
        rounds.append(
            Round(number, result, changed, agent_exit, grades, flipped_rules(previous, result))
        )
        verdict = result.evaluation.verdict
        if verdict != "rejected":
            # Undecided: a check could not measure a criterion, which no revision repairs.
            # No accept_if: there is nothing to reach, so the loop says so rather than "accepted".
            stopped = verdict
            break
        if number == max_rounds:
            break
        critique = critique_block(result) or ""
        measured = score_block(result).replace("score {", "rescore {", 1)
        text = f"{agent_text.rstrip()}\n\n# round {number}, measured\n{measured}\n{critique}"
        copy.write_text(text, encoding="utf-8")
        if write:
            rubric_file.write_text(text, encoding="utf-8")
    return LoopRun(rounds, stopped, str(copy))
