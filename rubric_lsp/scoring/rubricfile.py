"""Which rubric scores the change: --rubric, the one at the repository root, or the default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.language.model import Document, Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring.proc import ScoringError

# Seed 001's seven criteria, each bound to a check, with its acceptance rule.
DEFAULT_RUBRIC = """\
# The default rubric of `rubric score`, used when the repository has none.
reward_rubric {
  criterion correctness weight=5                     # tests
  criterion tests weight=5                           # coverage
  criterion edge_cases weight=5 check=error_handling
  criterion readability weight=5                     # complexity
  criterion naming weight=5                          # naming
  criterion architecture weight=5 check=pylint
  criterion docs weight=5                            # docstrings
}

accept_if {
  total_gte 27
  minimum correctness 4
  minimum tests 4
  minimum architecture 4
}

review_if {
  weighted_between 0.5 0.7
}
"""

DEFAULT_LABEL = "<default>"


@dataclass(frozen=True)
class LoadedRubric:
    """A parsed, valid rubric and where it came from."""

    document: Document
    path: str
    origin: str  # "option", "repository", "default" or "text"


def load(root: Path, path: str | Path | None = None, text: str | None = None) -> LoadedRubric:
    """Find, read, parse and validate the rubric; errors are one line."""
    if text is not None:
        label, origin = str(path) if path else "<text>", "text"
    elif path is not None:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScoringError(f"{path}: no such rubric file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ScoringError(f"{path}: cannot read: {error}") from None
        label, origin = str(path), "option"
    else:
        found = sorted(p for p in root.glob("*.rubric") if p.is_file())
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise ScoringError(
                f"several rubrics at the repository root ({names}): pick one with --rubric"
            )
        if found:
            text = found[0].read_text(encoding="utf-8", errors="replace")
            label, origin = str(found[0]), "repository"
        else:
            text, label, origin = DEFAULT_RUBRIC, DEFAULT_LABEL, "default"
    document = parse(text)
    errors = [d for d in validate(document) if d.severity == Severity.ERROR]
    if errors:
        first = errors[0]
        at = first.range.start
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ScoringError(
            f"{label}:{at.line + 1}:{at.character + 1}: {first.message} [{first.code}]{more}"
        )
    if not document.criteria:
        raise ScoringError(f"{label}: the rubric defines no criterion")
    return LoadedRubric(document, label, origin)


def describe_origin(rubric: LoadedRubric) -> str:
    """Where the rubric came from, said in the output."""
    if rubric.origin == "default":
        return "embedded default rubric (no *.rubric at the repository root)"
    if rubric.origin == "repository":
        return f"{rubric.path} (found at the repository root)"
    return rubric.path
