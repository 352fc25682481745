"""The conversation: a user's recent turns (for reading follow-ups, and the buttons under an
answer) and their 👍/👎 feedback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.storage.db import Database
from bot.storage.models import Feedback, Turn

KEEP_TURNS = 20  # per user; older turns (and their feedback links) are pruned


class ConversationStore(Database):
    """Conversation turns and feedback."""

    async def add_turn(
        self, user_id: int, question: str, kind: str, sources: list[dict], followups: list[str]
    ) -> int:
        async with self.session() as s:
            turn = Turn(
                user_id=user_id, question=question, kind=kind, sources=sources,
                followups=followups,
            )
            s.add(turn)
            await s.flush()
            keep = (
                select(Turn.id).where(Turn.user_id == user_id)
                .order_by(Turn.id.desc()).limit(KEEP_TURNS)
            )
            await s.execute(
                delete(Turn).where(Turn.user_id == user_id, Turn.id.not_in(keep))
            )
            return turn.id

    async def get_turn(self, user_id: int, turn_id: int) -> Turn | None:
        async with self.session() as s:
            turn = await s.get(Turn, turn_id)
            return turn if turn is not None and turn.user_id == user_id else None

    async def recent_questions(
        self, user_id: int, now: dt.datetime, within: dt.timedelta, limit: int
    ) -> list[str]:
        """Questions of the user's last answered turns, if the conversation is still warm:
        the chain is cut at the first gap longer than `within`."""
        async with self.session() as s:
            rows = (
                await s.execute(
                    select(Turn.question, Turn.created_at, Turn.kind)
                    .where(Turn.user_id == user_id)
                    .order_by(Turn.id.desc())
                    .limit(limit)
                )
            ).all()
        out: list[str] = []
        last = now
        for question, created, kind in rows:
            if last - created > within:
                break
            last = created
            if kind == "answer":
                out.append(question)
        return list(reversed(out))

    async def add_feedback(self, user_id: int, turn_id: int, rating: int) -> bool:
        """Store 👍/👎 for a turn; a second tap changes the rating. False if the turn is gone."""
        turn = await self.get_turn(user_id, turn_id)
        if turn is None:
            return False
        async with self.session() as s:
            existing = (
                await s.execute(
                    select(Feedback).where(Feedback.user_id == user_id, Feedback.turn_id == turn_id)
                )
            ).scalar_one_or_none()
            if existing is None:
                s.add(
                    Feedback(user_id=user_id, turn_id=turn_id, rating=rating,
                             question=turn.question, sources=turn.sources)
                )
            else:
                existing.rating = rating
        return True

    async def questions_since(self, since: dt.datetime | None = None) -> list[AskedQuestion]:
        """Every stored question (the last KEEP_TURNS of each user, since ``since``), with how
        it was answered and the user's rating, if any: what ``python -m bot gaps`` reads. A
        user who used /forget has no rows left to read."""
        query = (
            select(Turn.question, Turn.kind, Feedback.rating, Turn.created_at)
            .outerjoin(Feedback, (Feedback.turn_id == Turn.id) & (Feedback.user_id == Turn.user_id))
            .order_by(Turn.id)
        )
        if since is not None:
            query = query.where(Turn.created_at >= since)
        async with self.session() as s:
            rows = (await s.execute(query)).all()
        return [AskedQuestion(q, kind, rating, created) for q, kind, rating, created in rows]


@dataclass(frozen=True)
class AskedQuestion:
    question: str
    kind: str  # the reply's kind: answer | no_match | ...
    rating: int | None  # +1 / -1, None when not rated
    asked_at: dt.datetime
