"""The judge client against a real localhost server: how many requests it sends at once."""

from __future__ import annotations

import asyncio

from support.judge_server import Reply, serving

from rubric_lsp.scoring.cache import Cache
from rubric_lsp.scoring.judge.client import MAX_CONCURRENT, Endpoint, Usage, ask
from rubric_lsp.scoring.judge.prompt import reply_schema

SCALE = (0.0, 5.0)


async def _ask_many(url: str, count: int) -> list[float]:
    endpoint = Endpoint(url=url, model="scripted", api_key="", timeout=30)
    schema = reply_schema(["design"], SCALE)
    usage = Usage()

    async def one(index: int) -> float:
        # A different change each time: no reply may come from another's request.
        messages = [{"role": "user", "content": f"change {index}"}]
        entries = await ask(endpoint, messages, schema, ["design"], SCALE, Cache(None), usage)
        return entries["design"].points

    return await asyncio.gather(*(one(index) for index in range(count)))


def test_no_more_than_the_cap_are_sent_at_once_and_every_one_is_answered() -> None:
    count = MAX_CONCURRENT * 3
    with serving(Reply(delay=0.3, points=3.0)) as judge:
        points = asyncio.run(_ask_many(judge.url, count))
    assert points == [3.0] * count
    assert len(judge.requests) == count
    # Slow replies keep every slot busy, so the cap is reached and never exceeded.
    assert judge.most_in_flight == MAX_CONCURRENT
