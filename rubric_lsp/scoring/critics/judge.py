"""Criteria no tool measures, judged by a model on an OpenAI-compatible endpoint, in one request."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

from rubric_lsp.language.catalogue import DECLARED
from rubric_lsp.language.evaluate import to_score
from rubric_lsp.language.model import CheckConfig, Document
from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic
from rubric_lsp.scoring.judge.client import Endpoint, JudgeFailure, Usage, ask
from rubric_lsp.scoring.judge.prompt import (
    JudgedCriterion,
    evidence,
    messages,
    read_diff,
    reply_schema,
)
from rubric_lsp.scoring.judge.reply import Verdict, verdict
from rubric_lsp.scoring.proc import ScoringError

# Where the user's side names the endpoint and the model, and gives the key.
URL_VARIABLE = "RUBRIC_JUDGE_URL"
MODEL_VARIABLE = "RUBRIC_JUDGE_MODEL"
KEY_VARIABLES = ("RUBRIC_JUDGE_API_KEY", "OPENAI_API_KEY")
# The model name sent when nobody names one: local servers serve the one they loaded.
DEFAULT_MODEL = "default"
# The judge's own deadline comes a little before the engine's, so it can say what it waited
# for: a tenth of the time limit earlier, at least half a second (at most half the limit).
DEADLINE_SHARE = 0.9
DEADLINE_MARGIN = 0.5


def own_deadline(limit: float) -> float:
    """Seconds the judge gives itself out of the engine's ``limit``."""
    return max(limit / 2, min(limit * DEADLINE_SHARE, limit - DEADLINE_MARGIN))


def rubric_setting(document: Document, key: str) -> str:
    """A string setting of the rubric's ``checks { judge ... }`` entry; empty when absent."""
    block = document.first("checks")
    for entry in block.entries_of(CheckConfig) if block is not None else ():
        attribute = entry.attribute(key) if entry.name.text == "judge" else None
        if attribute is not None and attribute.value.kind == "string":
            return attribute.value.text
    return ""


def endpoint_for(context: Context, document: Document, timeout: float) -> Endpoint | str:
    """The endpoint to send the change to, or why nothing is sent.

    Sending code away is the user's decision: a URL must come from the user's side (the
    options or the environment), whatever the workspace's rubric names.
    """
    options = context.options
    user_url = (options.judge_url if options else "") or os.environ.get(URL_VARIABLE, "")
    rubric_url = rubric_setting(document, "url")
    if not user_url:
        if rubric_url:
            return (
                f"not sent: the judge URL {rubric_url} comes only from the workspace's rubric; "
                f"to allow it, give it from your side: --judge-url {rubric_url}, "
                f"{URL_VARIABLE}={rubric_url} or the editor setting judgeUrl"
            )
        return (
            "not judged: no judge endpoint; give one with --judge-url URL, "
            f"{URL_VARIABLE} or the editor setting judgeUrl (see docs/judge.md)"
        )
    model = (
        (options.judge_model if options else "")
        or os.environ.get(MODEL_VARIABLE, "")
        or rubric_setting(document, "model")
        or DEFAULT_MODEL
    )
    api_key = next((os.environ[v] for v in KEY_VARIABLES if os.environ.get(v)), "")
    return Endpoint(user_url.rstrip("/"), model, api_key, timeout)


def _judged(context: Context, document: Document) -> list[JudgedCriterion]:
    names = context.bound.get("judge", ())
    return [
        JudgedCriterion(name, criterion.describe if criterion else "")
        for name in names
        for criterion in (document.criterion(name),)
    ]


def _scored(name: str, found: Verdict, scale: tuple[float, float], model: str) -> CriticResult:
    """One judged criterion's result: the judge's steps as its reasons."""
    low, high = scale
    reasons = list(found.steps)
    if found.citations:
        reasons.append(f"Cited: {', '.join(found.citations)}.")
    if found.uncited:
        reasons.append(f"{found.uncited} citation(s) outside the diff were dropped.")
    reasons.append(f"Judged {found.points:g} of {low:g}..{high:g} by {model}.")
    return CriticResult(
        to_score(found.points, scale),
        summary=f"judged {found.points:g}/{high:g} by {model}",
        reasons=tuple(reasons),
        reasoned=True,
        evidence={
            "points": found.points,
            "scale": [low, high],
            "citations": list(found.citations),
            "uncited": found.uncited,
        },
    )


class JudgeCritic(DeclaredCritic, check="judge"):
    """Every judged criterion of the rubric, scored by one chat-completions request."""

    default_timeout = 180.0

    async def run(self, context: Context) -> CriticResult:
        """Ask the judge once, after the measured checks, with their evidence."""
        document = context.document
        if document is None:
            raise ScoringError("the judge needs the rubric the run reads")
        if context.options is not None and not context.options.judge:
            return CriticResult.skipped(
                "not judged on save: the code lens or the rubric.score command asks the judge "
                "(the editor setting judgeOnSave asks it on every save)"
            )
        timeout = own_deadline(context.setting(self.name).timeout or self.default_timeout)
        deadline = asyncio.get_running_loop().time() + timeout
        endpoint = endpoint_for(context, document, timeout)
        if isinstance(endpoint, str):
            return CriticResult.skipped(endpoint)
        criteria = _judged(context, document)
        names = [c.name for c in criteria]
        try:
            async with asyncio.timeout_at(deadline):
                diff = await read_diff(context.changes)
        except TimeoutError:
            return self._failed(f"reading the diff took over {timeout:g} s", Usage(), endpoint)
        measured = {
            check: result
            for check, result in context.results.items()
            if not (check in DECLARED and DECLARED[check].judged)
        }
        found, finding_ids = evidence(measured, context.bound)
        chat = messages(document, criteria, found, diff)
        usage = Usage()
        try:
            async with asyncio.timeout_at(deadline):
                entries = await ask(
                    endpoint,
                    chat,
                    reply_schema(names, document.scale),
                    names,
                    document.scale,
                    context.cache,
                    usage,
                )
        except TimeoutError:
            return self._failed(
                f"the judge at {endpoint.url} did not answer within {timeout:g} s", usage, endpoint
            )
        except JudgeFailure as failure:
            return self._failed(str(failure), usage, endpoint)
        per: dict[str, CriticResult] = {}
        for name in names:
            if name in entries:
                checked = verdict(entries[name], diff.shown, finding_ids)
                per[name] = _scored(name, checked, document.scale, endpoint.model)
            else:
                per[name] = CriticResult.error(f"the judge's reply has no entry for {name}")
        return self._summed(per, usage, endpoint)

    def _failed(self, reason: str, usage: Usage, endpoint: Endpoint) -> CriticResult:
        """No usable reply: every judged criterion is an error with the reason, never a score."""
        failed = CriticResult.error(reason)
        return CriticResult(
            None, "error", reason, failed.reasons, evidence={"run": usage.to_json(endpoint)}
        )

    def _summed(
        self, per: Mapping[str, CriticResult], usage: Usage, endpoint: Endpoint
    ) -> CriticResult:
        """The run's result: each criterion's own, and the cost of the request."""
        scores = [r.score for r in per.values() if r.score is not None]
        uncited = sum(int(r.evidence.get("uncited", 0)) for r in per.values())
        run = {**usage.to_json(endpoint), "uncited": uncited}
        summary = f"{len(scores)} of {len(per)} criteria judged by {endpoint.model}"
        if not scores:
            return CriticResult(
                None, "error", summary, (summary,), evidence={"run": run}, criteria=per
            )
        return CriticResult(
            sum(scores) / len(scores), summary=summary, evidence={"run": run}, criteria=per
        )
