"""The bot's answer batcher: concurrent questions share one embedding call, same answers.

The batcher drives the real Replier through ``RecordingReplier``, a thin wrapper that notes
the questions of every ``answer_many`` call (one call = one batch), so the tests see how the
questions were grouped, not only what came back.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.answers.batching import AnswerBatcher
from bot.answers.memory import release_free_memory

QUESTIONS = [
    "how do i renew my cpht",
    "what is the cspt",
    "how much do pharmacy techs make",
    "whats the weather in chicago",
    "",
    "how do i get into pharmacy school",
    "what does a lead tech do",
    "ptce passing score?",
]
T = 30  # seconds: a caller still waiting after this is hanging


class BatchFailed(RuntimeError):
    pass


class RecordingReplier:
    """The real Replier, recording the questions of each ``answer_many`` call.

    ``gate``: when set, the first call waits (in its worker thread) until the test opens it,
    so the test can queue more questions while a batch is being computed.
    ``fail_batches``: the numbers (0-based) of the calls that raise ``BatchFailed``.
    """

    def __init__(self, replier, *, gate: threading.Event | None = None,
                 fail_batches: frozenset[int] = frozenset()) -> None:
        self.replier = replier
        self.batches: list[list[str]] = []
        self.gate = gate
        self.fail_batches = fail_batches
        self.first_call_started = threading.Event()

    def answer_many(self, questions, histories, home_states=None):
        number = len(self.batches)
        self.batches.append(list(questions))
        if number == 0:
            self.first_call_started.set()
            if self.gate is not None and not self.gate.wait(T):
                raise AssertionError("the test never opened the gate")
        if number in self.fail_batches:
            raise BatchFailed(f"batch {number} failed")
        return self.replier.answer_many(questions, histories, home_states)

    def answer(self, question, history=None, home_state=None):
        return self.replier.answer(question, history, home_state)

    @property
    def sizes(self) -> list[int]:
        return [len(b) for b in self.batches]


async def test_concurrent_questions_get_the_same_answers_as_one_by_one(replier):
    recording = RecordingReplier(replier)
    batcher = AnswerBatcher(recording, max_batch=4)
    try:
        together = await asyncio.wait_for(
            asyncio.gather(*(batcher.answer(q) for q in QUESTIONS)), T)
        follow_up = await batcher.answer("how long does that take?", ["how do i become a CSPT"])
    finally:
        await batcher.close()
    # eight questions asked at once: two full batches of four, in the order they were asked
    assert recording.batches[:2] == [QUESTIONS[:4], QUESTIONS[4:]]
    assert recording.sizes == [4, 4, 1]
    alone = [replier.answer(q) for q in QUESTIONS]
    assert [r.question for r in together] == QUESTIONS  # each caller gets its own reply
    assert [r.kind for r in together] == [r.kind for r in alone]
    # batched embeddings may differ from single ones in the last float bits: compare what the
    # user sees first (the cited document and the lead sentence), not every tie-break
    assert [r.sources[:1] and r.sources[0].path for r in together] == [
        r.sources[:1] and r.sources[0].path for r in alone
    ]
    assert [r.lead for r in together] == [r.lead for r in alone]
    expected = replier.answer("how long does that take?", ["how do i become a CSPT"])
    assert follow_up.sources[0].topic == expected.sources[0].topic == "sterile_compounding"


@pytest.mark.parametrize("max_batch", [1, 3, 32])
async def test_no_batch_is_larger_than_max_batch(replier, max_batch):
    questions = QUESTIONS * 5  # 40 questions at once
    recording = RecordingReplier(replier)
    batcher = AnswerBatcher(recording, max_batch=max_batch)
    try:
        replies = await asyncio.wait_for(asyncio.gather(*(batcher.answer(q) for q in questions)), T)
    finally:
        await batcher.close()
    assert [r.question for r in replies] == questions
    assert max(recording.sizes) == max_batch  # full batches, never more
    assert sum(recording.sizes) == len(questions)
    assert len(recording.batches) == -(-len(questions) // max_batch)
    assert [q for batch in recording.batches for q in batch] == questions


async def test_a_lone_question_goes_at_once_and_the_ones_waiting_share_the_next_batch(replier):
    gate = threading.Event()
    recording = RecordingReplier(replier, gate=gate)
    batcher = AnswerBatcher(recording, max_batch=32)
    try:
        first = asyncio.create_task(batcher.answer(QUESTIONS[0]))
        # the lone question is handed to the replier without waiting for company
        assert await asyncio.to_thread(recording.first_call_started.wait, T)
        assert recording.batches == [[QUESTIONS[0]]]
        # five more arrive while the first batch is being computed
        later = [asyncio.create_task(batcher.answer(q)) for q in QUESTIONS[1:6]]
        await asyncio.sleep(0.05)
        assert recording.batches == [[QUESTIONS[0]]]
        gate.set()
        replies = await asyncio.wait_for(asyncio.gather(first, *later), T)
    finally:
        gate.set()
        await batcher.close()
    assert recording.batches == [[QUESTIONS[0]], QUESTIONS[1:6]]
    assert [r.question for r in replies] == QUESTIONS[:6]


async def test_a_failed_batch_reaches_every_caller_in_it_and_nobody_hangs(replier):
    recording = RecordingReplier(replier, fail_batches=frozenset({0}))
    batcher = AnswerBatcher(recording, max_batch=3)
    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(batcher.answer(q) for q in QUESTIONS[:5]), return_exceptions=True),
            T)
        # the batcher is still working after the failure
        after = await asyncio.wait_for(batcher.answer("how do i renew my cpht"), T)
    finally:
        await batcher.close()
    assert recording.sizes == [3, 2, 1]
    failed, answered = outcomes[:3], outcomes[3:]
    assert all(isinstance(o, BatchFailed) for o in failed), outcomes
    assert len({id(o) for o in failed}) == 1  # the one error of that batch, to each of its callers
    assert [getattr(o, "question", None) for o in answered] == QUESTIONS[3:5]
    assert after.kind == "answer"


async def test_when_every_batch_fails_every_caller_gets_the_error(replier):
    recording = RecordingReplier(replier, fail_batches=frozenset(range(100)))
    batcher = AnswerBatcher(recording, max_batch=4)
    try:
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(batcher.answer(q) for q in QUESTIONS), return_exceptions=True), T)
    finally:
        await batcher.close()
    assert recording.sizes == [4, 4]
    assert [type(o) for o in outcomes] == [BatchFailed] * len(QUESTIONS)


async def test_batcher_restarts_after_close(replier):
    batcher = AnswerBatcher(replier)
    first = await batcher.answer("how do i renew my cpht")
    await batcher.close()
    second = await batcher.answer("how do i renew my cpht")
    await batcher.close()
    assert first.to_text() == second.to_text() and first.kind == "answer"


async def test_memory_is_given_back_when_the_queue_runs_empty_not_between_batches(replier):
    recording = RecordingReplier(replier)
    idle_after: list[int] = []  # how many batches had been answered at each idle call
    batcher = AnswerBatcher(recording, max_batch=4,
                            on_idle=lambda: idle_after.append(len(recording.batches)))
    try:
        await asyncio.wait_for(asyncio.gather(*(batcher.answer(q) for q in QUESTIONS * 5)), T)
        await asyncio.sleep(0.05)  # the idle call runs after the callers have their answers
        assert idle_after == [10]  # once, after the last of the ten batches
        await asyncio.wait_for(batcher.answer("how do i renew my cpht"), T)
        await asyncio.sleep(0.05)
    finally:
        await batcher.close()
    assert idle_after == [10, 11]
    assert AnswerBatcher(replier).on_idle is release_free_memory  # the bot's default
