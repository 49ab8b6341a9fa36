"""One chat-completions request to an OpenAI-compatible endpoint, checked, retried, cached."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rubric_lsp.scoring.cache import Cache, key
from rubric_lsp.scoring.judge.prompt import SEED
from rubric_lsp.scoring.judge.reply import Entry, MalformedReply, parse_reply

if TYPE_CHECKING:
    import openai

# Requests one process sends at once (a server scoring several folders, a batch of changes):
# a local model serves one or two well, and queueing beats timing out.
MAX_CONCURRENT = 2
# The client's own retries of 429 (honouring Retry-After), 5xx, timeouts and lost connections.
MAX_RETRIES = 2
CACHE_KIND = "judge"

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


class JudgeFailure(Exception):
    """No usable reply: every judged criterion is an error with this reason."""


@dataclass(frozen=True)
class Endpoint:
    """Where the judge runs and how long one request may take."""

    url: str
    model: str
    api_key: str
    timeout: float


@dataclass
class Usage:
    """What judging cost: requests sent, tokens, seconds, and whether the cache answered."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cached: bool = False

    def to_json(self, endpoint: Endpoint) -> dict[str, Any]:
        """The JSON ``judge`` section of a run."""
        return {
            "url": endpoint.url,
            "model": endpoint.model,
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 3),
            "cached": self.cached,
        }


def usage_line(section: dict[str, Any]) -> str:
    """The ``judge`` section as one line: model, requests, tokens, time (text report, hover)."""
    if section.get("cached"):
        return f"{section['model']} at {section['url']}: answered from the cache, no request"
    tokens = f"{section['prompt_tokens']}+{section['completion_tokens']} tokens"
    return (
        f"{section['model']} at {section['url']}: {section['requests']} request(s), {tokens}, "
        f"{section['seconds']:g} s"
    )


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(MAX_CONCURRENT)
    return _slots[loop]


def _response_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": "rubric_judgement", "strict": True, "schema": schema},
    }


async def ask(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    names: Sequence[str],
    scale: tuple[float, float],
    cache: Cache,
    usage: Usage,
) -> dict[str, Entry]:
    """The reply's entries by criterion; one more request when the first is malformed."""
    digest = key(CACHE_KIND, endpoint.model, messages, schema)
    cached = cache.get(CACHE_KIND, digest)
    if isinstance(cached, str):
        usage.cached = True
        return parse_reply(cached, names, scale)
    started = time.perf_counter()
    try:
        async with _slot(), _client(endpoint) as client:
            content = await _one(client, endpoint, messages, schema, usage)
            try:
                entries = parse_reply(content, names, scale)
            except MalformedReply:
                content = await _one(client, endpoint, messages, schema, usage)
                try:
                    entries = parse_reply(content, names, scale)
                except MalformedReply as again:
                    raise JudgeFailure(f"the judge's reply was malformed twice: {again}") from None
    finally:
        usage.seconds += time.perf_counter() - started
    if set(entries) == set(names):
        cache.put(CACHE_KIND, digest, content)
    return entries


def _client(endpoint: Endpoint) -> openai.AsyncOpenAI:
    # Imported here: the library takes seconds to import, and only judged runs need it.
    import openai

    # Local servers need no key, but the client insists on one.
    return openai.AsyncOpenAI(
        base_url=endpoint.url,
        api_key=endpoint.api_key or "no-key",
        timeout=endpoint.timeout,
        max_retries=MAX_RETRIES,
    )


async def _one(
    client: openai.AsyncOpenAI,
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    usage: Usage,
) -> str | None:
    """One request (with the client's retries); what went wrong, said as a JudgeFailure."""
    import openai

    usage.requests += 1
    where = f"the judge at {endpoint.url}"
    try:
        # Plain dicts are what the wire carries; the library's TypedDicts say the same.
        response = await client.chat.completions.create(  # type: ignore[call-overload]
            model=endpoint.model,
            messages=messages,
            temperature=0,
            seed=SEED,
            response_format=_response_format(schema),
        )
    except openai.APITimeoutError:
        raise JudgeFailure(
            f"{where} did not answer within {endpoint.timeout:g} s ({MAX_RETRIES} retries)"
        ) from None
    except openai.RateLimitError:
        raise JudgeFailure(
            f"{where} is rate-limiting (HTTP 429) after {MAX_RETRIES} retries"
        ) from None
    except openai.APIStatusError as error:
        raise JudgeFailure(
            f"{where} answered HTTP {error.status_code} after {MAX_RETRIES} retries: "
            f"{_short(str(error.message))}"
        ) from None
    except openai.APIConnectionError as error:
        raise JudgeFailure(f"could not reach {where}: {_short(str(error))}") from None
    if response.usage is not None:
        usage.prompt_tokens += response.usage.prompt_tokens or 0
        usage.completion_tokens += response.usage.completion_tokens or 0
    if not response.choices:
        raise JudgeFailure(f"{where} sent a reply with no choices")
    message = response.choices[0].message
    if getattr(message, "refusal", None):
        raise JudgeFailure(f"the judge refused: {_short(str(message.refusal))}")
    content: str | None = message.content
    return content


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
