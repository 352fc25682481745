"""The tables: users and their profiles, conversation turns, feedback, CE credentials and
entries, sent nudges. Times are stored in UTC, as aware datetimes on every backend.

The schema is owned by the Alembic migrations in :mod:`bot.storage.migrations`; a test checks
that these models and the migrations agree. A change to a model needs a migration.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.ce.model import CEEntry
from bot.ce.timing import DEFAULT_TIMEZONE


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=dt.UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Telegram user id
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # private chat, for nudges
    first_name: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str | None] = mapped_column(String(32))
    setting: Mapped[str | None] = mapped_column(String(32))
    interests: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: after a crisis reply: no nudge before this time (bot.ce.timing.quiet_after_crisis)
    quiet_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AskedQuestion(Base):
    """One private question admitted, for the question limit across replicas
    (:class:`bot.telegram.limits.SharedQuestionLimiter`): by a hash of the user id, not the id,
    and no text; pruned once older than the limit's window. ``/forget`` leaves these, so
    forgetting does not reset the limit. Created by migration 0005_fleet_safety."""

    __tablename__ = "asked_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asker: Mapped[str] = mapped_column(String(64), nullable=False)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    __table_args__ = (Index("ix_asked_questions_asker", "asker", "asked_at"),
                      Index("ix_asked_questions_asked_at", "asked_at"))


class Turn(Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    sources: Mapped[list] = mapped_column(JSON, default=list)
    followups: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    turn_id: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[int] = mapped_column(Integer)  # +1 / -1
    question: Mapped[str] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("user_id", "turn_id", name="one_rating_per_turn"),)


class CECredential(Base):
    __tablename__ = "ce_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential: Mapped[str] = mapped_column(String(32))
    expiration: Mapped[dt.date] = mapped_column(Date)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # the day the current cycle started, where the user gave it (PTCB: the day it approved the
    # last recertification); None: assumed from the expiration date
    cycle_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # when the next milestone nudge can be due (None: none can); see the module docstring
    next_nudge_due: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, nullable=True, index=True)
    __table_args__ = (UniqueConstraint("user_id", "credential", name="one_row_per_credential"),)


class CEEntryRow(Base):
    """One logged CE activity. Its ``id`` is the number the user sees in ``/ce list`` and gives
    to ``/ce edit``, ``/ce delete`` and ``/ce tag``: it never changes and is never given to
    another entry (AUTOINCREMENT on SQLite), so a command typed from an old list still means
    the entry it named."""

    __tablename__ = "ce_entries"
    __table_args__: ClassVar[dict] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hours: Mapped[float] = mapped_column(Float)
    topic: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(1))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300), default="")
    uan: Mapped[str | None] = mapped_column(String(40))
    delivery: Mapped[str | None] = mapped_column(String(16))
    # requirements the entry meets beyond its topic, space-separated ("tx-law accredited")
    tags: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set by /ce delete; the row is kept only while its Undo button works, then purged
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the import (from a CPE Monitor transcript) that added it, so that its Undo removes
    # exactly that import; None: logged by hand
    import_batch: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    provider: Mapped[str | None] = mapped_column(String(200), nullable=True)  # as imported

    def to_entry(self) -> CEEntry:
        return CEEntry(
            hours=self.hours, topic=self.topic, audience=self.audience,
            completed_on=self.completed_on, title=self.title or "", uan=self.uan,
            delivery=self.delivery, tags=tuple((self.tags or "").split()),
        )


class SentNudge(Base):
    """One row per nudge ever claimed. The unique key makes "at most once" hold across
    restarts, crashes and concurrent dispatchers: a nudge is claimed before it is sent.

    ``status``: "claimed" while a dispatcher prepares it (taken over after STALE_CLAIM_AFTER:
    the dispatcher died before sending); "sending" from just before the send until its outcome
    is recorded (never taken over: a "sending" claim left STALE_CLAIM_AFTER is settled as
    "unconfirmed"); "sent"; "unconfirmed" when the request reached Telegram but no answer
    came (it may have been delivered, so it is never sent again); "failed" when Telegram
    rejected it for good; "blocked"; "retry" when it surely did not reach Telegram, or quiet
    hours began before it went out (``next_try_at``; ``attempts`` counts the failed sends);
    "snoozed" when the user snoozed after receiving it: sent once more when the snooze ends."""

    __tablename__ = "sent_nudges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential: Mapped[str] = mapped_column(String(32))
    expiration: Mapped[dt.date] = mapped_column(Date)
    milestone: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # failed sends that surely did not reach Telegram (NULL: none), and when to try again
    attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_try_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    __table_args__ = (
        UniqueConstraint("user_id", "credential", "expiration", "milestone", name="nudge_once"),
        # each tick settles stale "sending" claims: an index lookup, not a scan of every nudge
        sa.Index("ix_sent_nudges_status_claimed_at", "status", "claimed_at"),
    )


def model_metadata() -> sa.MetaData:
    """``Base.metadata`` with every table the bot declares: each module of the package that
    declares a model (``class X(Base):``) is imported first, wherever it lives, so that a
    comparison with the database (autogenerate, the agreement test) sees all of them."""
    package = Path(__file__).resolve().parents[1]
    migrations = Path(__file__).resolve().parent / "migrations"
    for path in sorted(package.rglob("*.py")):
        if migrations in path.parents:
            continue
        if re.search(r"^class \w+\(Base\):", path.read_text("utf-8"), flags=re.MULTILINE):
            parts = path.relative_to(package.parent).with_suffix("").parts
            importlib.import_module(".".join(parts))
    return Base.metadata
