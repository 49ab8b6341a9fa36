"""People in the loop: borderline results from real changes queued, labelled from the CLI,
measured against the labels (figures computed by hand below), gated, and exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.gitrepo import git
from support.review_repo import (
    functions,
    make_repo,
    patch_adding,
    rubric_cli,
    rubric_main,
    user_state,
)

from rubric_lsp.scoring.batch.api import score_batch
from rubric_lsp.scoring.review.queue import Label, ReviewError, ReviewQueue

Queued = tuple[Path, list[str]]


@pytest.fixture(scope="module")
def queued(tmp_path_factory: pytest.TempPathFactory) -> Queued:
    """Three borderline results: the working tree (an untracked file), a patch, a batch."""
    folder = tmp_path_factory.mktemp("review")
    repo = make_repo(folder / "shapes")
    (repo / "extra.py").write_text(functions(1, 1, "a"))
    before = user_state(repo)
    tree = json.loads(rubric_cli("score", "--format", "json", cwd=repo).stdout)
    patch = folder / "change.diff"
    patch.write_text(patch_adding(repo, "more_0.py", functions(1, 2, "p0")))
    code, out, err = rubric_main(
        "score", "--format", "json", "--repo", str(repo), "--patch", str(patch)
    )
    assert code == 1, err
    patched = json.loads(out)
    [batched] = score_batch(
        repo, [patch_adding(repo, "more_1.py", functions(2, 1, "p1"))], workers=1
    )
    assert batched.result is not None
    # Scoring and queueing left the tree, the index, untracked files, stash and refs alone.
    assert user_state(repo) == before
    ids = [tree.get("review_id"), patched.get("review_id"), batched.result.review_id]
    assert all(isinstance(i, str) for i in ids), ids
    assert batched.to_json()["review_id"] == ids[2]
    return repo, [str(i) for i in ids]


def label(repo: Path, *args: str) -> tuple[int, str, str]:
    """`rubric review label` in the fixture repository."""
    return rubric_main("review", "label", "--repo", str(repo), *args)


def test_borderline_results_are_queued_with_what_was_measured(queued: Queued) -> None:
    repo, ids = queued
    assert len(set(ids)) == 3
    queue = ReviewQueue(repo / ".git")
    assert sorted(queue.ids()) == sorted(ids)
    first = queue.get(ids[0])
    # The working tree's untracked file is in the queued diff.
    assert "+++ b/extra.py" in first.diff and "a_bare_0" in first.diff
    assert first.rubric == "shapes.rubric" and "weighted_between 0.3 0.9" in first.rubric_text
    assert len(first.rubric_hash) == 64
    assert first.base == git(repo, "rev-parse", "HEAD").strip()
    assert set(first.criteria) == {"docs", "edge_cases", "readability"}
    docs = first.criteria["docs"]
    assert docs["points"] == pytest.approx(5 / 3, abs=1e-3)
    assert docs["steps"] and docs["findings"] and docs["comment"]
    assert first.final_score == pytest.approx(0.6, abs=1e-3) and first.verdict == "rejected"
    assert first.queued.endswith("Z")
    assert "+++ b/more_0.py" in queue.get(ids[1]).diff
    # Nothing in the working tree: the queue lives in the git dir.
    assert not list(repo.glob("*review*"))


def test_an_identical_diff_is_queued_once(queued: Queued) -> None:
    repo, ids = queued
    queue = ReviewQueue(repo / ".git")
    before = {path.name: path.read_bytes() for path in queue.items_folder.iterdir()}
    _, out, _ = rubric_main("score", "--format", "json", "--repo", str(repo))
    assert json.loads(out)["review_id"] == ids[0]
    assert {path.name: path.read_bytes() for path in queue.items_folder.iterdir()} == before


def test_the_queue_is_shared_by_worktrees_and_branches(queued: Queued, tmp_path: Path) -> None:
    repo, ids = queued
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", "-b", "elsewhere", str(other))
    try:
        _, out, _ = rubric_main("review", "list", "--format", "json", "--repo", str(other))
        assert {item["id"] for item in json.loads(out)} == set(ids)
    finally:
        git(repo, "worktree", "remove", "--force", str(other))
        git(repo, "branch", "-D", "elsewhere")


def test_labels_are_checked_as_a_score_block(queued: Queued) -> None:
    repo, ids = queued
    done = rubric_cli("review", "label", ids[1][:6], "doc=2", cwd=repo)
    assert done.returncode == 2
    assert done.stderr == "rubric review label: undefined criterion 'doc'; did you mean 'docs'?\n"
    code, _, err = label(repo, ids[1], "docs=6")
    assert (code, err) == (2, "rubric review label: score 6 is outside the scale 0..5\n")
    code, _, err = label(repo, ids[1], "docs=two")
    assert code == 2 and "points must be a number, not 'two'" in err
    code, _, err = label(repo, "feedbeef", "docs=1")
    assert code == 2 and err.count("\n") == 1 and "'feedbeef' is not in the review queue" in err
    assert ReviewQueue(repo / ".git").get(ids[1]).labels == ()


def labelled(repo: Path, ids: list[str]) -> None:
    """Ada's labels (one item twice), then Bob's, from the CLI; idempotent per module."""
    queue = ReviewQueue(repo / ".git")
    if queue.get(ids[0]).labels:
        return
    a, b, c = ids
    for args in (
        (a, "docs=2", "edge_cases=5"),
        (b, "docs=1", "--note", "first look"),
        (b, "docs=2", "edge_cases=5", "--note", "two of four documented"),
        (c, "docs=4", "edge_cases=5"),
    ):
        assert label(repo, *args)[0] == 0
    git(repo, "config", "user.name", "Bob Second")
    git(repo, "config", "user.email", "bob@example.com")
    try:
        for args in ((a, "docs=1"), (b, "docs=2"), (c, "docs=4")):
            assert label(repo, *args)[0] == 0
    finally:
        git(repo, "config", "user.name", "Ada Reviewer")
        git(repo, "config", "user.email", "ada@example.com")


def test_labelling_again_keeps_the_history(queued: Queued) -> None:
    repo, ids = queued
    labelled(repo, ids)
    item = ReviewQueue(repo / ".git").get(ids[1])
    assert [label.points for label in item.labels] == [
        {"docs": 1.0},
        {"docs": 2.0, "edge_cases": 5.0},
        {"docs": 2.0},
    ]
    assert item.labels[0].who == "Ada Reviewer <ada@example.com>" and item.labels[0].when
    assert item.labels[0].note == "first look" and item.labels[-1].who.startswith("Bob Second")
    _, shown, _ = rubric_main("review", "show", ids[1], "--repo", str(repo))
    assert "Ada Reviewer <ada@example.com> (cli): docs=1" in shown and "+++ b/more_0.py" in shown
    _, listing, _ = rubric_main("review", "list", "--format", "json", "--repo", str(repo))
    counts = {entry["id"]: entry["labels"] for entry in json.loads(listing)}
    assert counts == {ids[0]: 2, ids[1]: 3, ids[2]: 2}


def test_calibrate_gives_the_figures_computed_by_hand(queued: Queued) -> None:
    repo, ids = queued
    labelled(repo, ids)
    code, out, _ = rubric_main("calibrate", "--format", "json", "--repo", str(repo))
    assert code == 0
    figures = json.loads(out)["criteria"]
    docs = figures["docs"]
    # measured docs points: 5/3, 5/4, 5/2; people (median of Ada and Bob): 1.5, 2, 4.
    assert docs["n"] == 3
    # Ranks (2, 1, 3) against (1, 2, 3): rho = 1 - 6 * 2 / (3 * 8) = 0.5.
    assert docs["spearman"]["value"] == pytest.approx(0.5)
    # Whole points (2, 1, 3) against (2, 2, 4) on 0..5, quadratic weights (i - j)^2:
    # observed 0 + 1 + 1 = 2; by chance, each measured point against the people's marginal
    # (2 twice, 4 once): (2 + 9) + (0 + 4) + (2 + 1) = 18 over 3 items, 6: kappa = 1 - 2 / 6.
    assert docs["kappa"]["value"] == pytest.approx(2 / 3, abs=1e-4)
    # |5/3 - 1.5| + |1.25 - 2| + |2.5 - 4| = 2.4167 over 3 items; bias the signed mean.
    assert docs["mae"]["value"] == pytest.approx(2.41667 / 3, abs=1e-3)
    assert docs["bias"]["value"] == pytest.approx(-2.08333 / 3, abs=1e-3)
    # Ada (2, 2, 4) and Bob (1, 2, 4): D_o = 2 / 6, D_e = 90 / 30, alpha = 1 - (1/3) / 3.
    assert docs["alpha"]["value"] == pytest.approx(8 / 9, abs=1e-4)
    assert docs["alpha"]["items"] == 3
    for name in ("spearman", "kappa", "mae", "bias"):
        low, high = docs[name]["ci95"]
        assert low <= docs[name]["value"] <= high
    # Measured 5 and labelled 5 everywhere: no ranking, no chance agreement to beat.
    edge = figures["edge_cases"]
    assert edge["n"] == 3 and edge["mae"]["value"] == 0 and edge["bias"]["value"] == 0
    assert edge["spearman"]["value"] is None and "constant" in edge["spearman"]["reason"]
    assert edge["kappa"]["value"] is None and "undefined" in edge["kappa"]["reason"]
    assert edge["alpha"]["value"] is None and edge["alpha"]["reason"]
    unlabelled = figures["readability"]
    assert unlabelled["n"] == 0 and unlabelled["mae"] == {
        "value": None,
        "ci95": None,
        "reason": "needs at least 1 labelled item(s), has 0",
    }
    _, text, _ = rubric_main("calibrate", "--repo", str(repo))
    assert "docs: n=3" in text and "kappa (quadratic)  0.67 [" in text


GATED = "criterion docs weight=3 min_agreement=0.6 min_labels={labels}"


@pytest.mark.parametrize("labels", [3, 4])
def test_a_gated_criterion_counts_once_people_agree_with_it(
    queued: Queued, labels: int, tmp_path: Path
) -> None:
    repo, ids = queued
    labelled(repo, ids)
    rubric = (
        (repo / "shapes.rubric")
        .read_text()
        .replace("criterion docs weight=3", GATED.format(labels=labels))
    )
    (tmp_path / "gated.rubric").write_text(rubric)
    args = (
        "score",
        "--format",
        "json",
        "--repo",
        str(repo),
        "--rubric",
        str(tmp_path / "gated.rubric"),
    )
    code, out, _ = rubric_main(*args)
    report = json.loads(out)
    rules = {rule["rule"]: rule for rule in report["rules"]}
    if labels == 3:
        # kappa 0.67 on 3 labels: the gate is open, docs' minimum rejects the change.
        assert "gated" not in report and code == 1
        assert rules["minimum docs 4"]["passed"] is False
        assert report["final_score"] == pytest.approx(0.6, abs=1e-3)
    else:
        # 3 labels of the 4 needed: docs is reported but left out of the rules and the score.
        assert code == 0 and report["verdict"] == "accepted"
        assert report["criteria"]["docs"]["points"] == pytest.approx(5 / 3, abs=1e-3)
        assert "kappa 0.67 with people on 3 label(s), needs 0.6 on 4" in report["gated"]["docs"]
        assert rules["minimum docs 4"]["passed"] is True
        assert "left out until calibrated" in rules["minimum docs 4"]["detail"]
        assert report["final_score"] == pytest.approx(1.0)


def test_the_export_has_one_line_per_labelled_item(queued: Queued, tmp_path: Path) -> None:
    repo, ids = queued
    labelled(repo, ids)
    _, out, _ = rubric_main("dataset", "export", "--repo", str(repo))
    lines = [json.loads(line) for line in out.splitlines()]
    assert sorted(line["id"] for line in lines) == sorted(ids)
    second = next(line for line in lines if line["id"] == ids[1])
    assert second["task"] == {
        "title": "add helpers to shapes",
        "objective": "small geometry helpers, documented",
    }
    assert "+++ b/more_0.py" in second["diff"]
    docs = second["criteria"]["docs"]
    assert docs["measured"]["points"] == pytest.approx(1.25) and docs["measured"]["steps"]
    assert docs["measured"]["findings"] and docs["human_points"] == 2.0
    assert [entry["points"] for entry in docs["labels"]] == [1.0, 2.0, 2.0]
    assert {"who": "Ada Reviewer <ada@example.com>", "note": "first look"} in second["notes"]
    rubric_main(
        "dataset",
        "export",
        "--format",
        "chat",
        "--repo",
        str(repo),
        "-o",
        str(tmp_path / "chat.jsonl"),
    )
    chats = [json.loads(line) for line in (tmp_path / "chat.jsonl").read_text().splitlines()]
    chat = next(line for line in chats if line["id"] == ids[1])
    system, user, assistant = chat["messages"]
    assert [m["role"] for m in chat["messages"]] == ["system", "user", "assistant"]
    assert "criterion docs weight=3" in system["content"] and "+++ b/more_0.py" in user["content"]
    assert "Score: 0.25" in assistant["content"]
    assert assistant["content"].endswith("}") and "  docs 2 " in assistant["content"]


def test_unlabelled_items_are_exported_only_when_asked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shapes")
    (repo / "extra.py").write_text(functions(1, 1, "a"))
    _, out, _ = rubric_main("score", "--format", "json", "--repo", str(repo))
    assert json.loads(out)["review"] is True
    assert rubric_main("dataset", "export", "--repo", str(repo))[1] == ""
    _, out, _ = rubric_main("dataset", "export", "--include-unlabelled", "--repo", str(repo))
    [line] = [json.loads(text) for text in out.splitlines()]
    assert line["labelled"] is False and line["criteria"]["docs"]["human_points"] is None


def test_a_result_outside_review_if_is_not_queued(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shapes")
    (repo / "extra.py").write_text('"""Helpers."""\n\n\n' + functions(2, 0, "good"))
    _, out, _ = rubric_main("score", "--format", "json", "--repo", str(repo))
    report = json.loads(out)
    assert report["review"] is False and "review_id" not in report
    assert ReviewQueue(repo / ".git").ids() == []


def test_unknown_ids_and_labels_round_trip(tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match="not in the review queue"):
        ReviewQueue(tmp_path / ".git").get("abc")
    given = Label({"docs": 3.0}, "Ada", "ada@example.com", "2026-01-01T00:00:00Z", "ok", "editor")
    assert Label.from_json(json.loads(json.dumps(given.to_json()))) == given
