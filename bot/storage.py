"""Storage: users, profiles, conversation turns, feedback, CE data and sent nudges.

SQLAlchemy 2 (async): SQLite through aiosqlite by default, PostgreSQL through asyncpg by URL.
Times are stored in UTC. Nothing here knows about Telegram objects.

The schema is owned by the Alembic migrations in :mod:`bot.migrations`: :meth:`Storage.init`
applies the pending ones (under a lock), and a test checks that the models below and the
migrations agree. A change to a model needs a migration.

Each credential row carries ``next_nudge_due``, the first instant its next renewal nudge can be
due (:func:`bot.ce.timing.next_nudge_due`), NULL when none can: the dispatcher reads only the
rows due now. Every method here that changes what it depends on (the credential, its claims and
snooze, the user's time zone, nudge setting, activity or chat) computes it again in the same
transaction, after locking the credential rows, so the last writer always computes from
everything committed. It may be earlier than the true next nudge, never later: the dispatcher
moves a row it read too early on (:meth:`Storage.reschedule_nudges` with ``after``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.ce.rules import CEEntry
from bot.ce.timing import (
    DEFAULT_TIMEZONE,
    SETTLED_STATUSES,
    STALE_CLAIM_AFTER,
    ClaimState,
    blocked_keys,
    next_nudge_due_for,
    retry_delay,
)
from bot.migrations.schema_0001 import ADDED_COLUMNS  # noqa: F401 (known from here)

log = logging.getLogger(__name__)

KEEP_TURNS = 20  # per user; older turns (and their feedback links) are pruned


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

    def to_entry(self) -> CEEntry:
        return CEEntry(
            hours=self.hours, topic=self.topic, audience=self.audience,
            completed_on=self.completed_on, title=self.title or "", uan=self.uan,
            delivery=self.delivery, tags=tuple((self.tags or "").split()),
        )


class SentNudge(Base):
    """One row per nudge ever claimed. The unique key makes "at most once" hold across
    restarts, crashes and concurrent dispatchers: a nudge is claimed before it is sent.

    ``status``: "claimed" while a dispatcher sends it (taken over after STALE_CLAIM_AFTER: the
    dispatcher died); "sent"; "unconfirmed" when the request reached Telegram but no answer
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
    )


#: Statuses of a nudge that is never sent again (but see ``Storage.snooze``).
NUDGE_SETTLED = SETTLED_STATUSES
#: Statuses of a nudge the user has received (a button was tapped on it), so a snooze reminds.
NUDGE_RECEIVED = ("sent", "unconfirmed")


@dataclass(frozen=True)
class CredentialRecord:
    credential: str
    expiration: dt.date
    snoozed_until: dt.datetime | None
    cycle_start: dt.date | None = None  # given by the user; None: assumed


def _record(row: CECredential) -> CredentialRecord:
    return CredentialRecord(row.credential, row.expiration, row.snoozed_until, row.cycle_start)


@dataclass(frozen=True)
class DueCredential:
    """A credential row whose ``next_nudge_due`` has come, with what a nudge needs of its user."""

    id: int
    user_id: int
    chat_id: int | None
    timezone: str | None
    nudgeable: bool  # active, nudges on, a private chat
    credential: str
    expiration: dt.date
    snoozed_until: dt.datetime | None
    cycle_start: dt.date | None
    next_nudge_due: dt.datetime
    quiet_until: dt.datetime | None = None  # the user's, after a crisis reply

    @property
    def record(self) -> CredentialRecord:
        return CredentialRecord(self.credential, self.expiration, self.snoozed_until,
                                self.cycle_start)


def _nudgeable(active: bool | None, nudges_enabled: bool | None, chat_id: int | None) -> bool:
    return bool(active) and bool(nudges_enabled) and chat_id is not None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Storage:
    """All database access. One instance per process, shared by handlers and jobs."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def init(self) -> None:
        """Apply the pending migrations (:func:`bot.migrations.upgrade`, under its lock, so
        processes starting together do not race): an empty database gets the whole schema, one
        made before migrations is stamped ``0001_initial`` and upgraded in place."""
        from bot import migrations

        await migrations.upgrade(self.url, engine=self.engine)

    async def ping(self) -> None:
        """Raise if the database cannot be reached (for a readiness check): one ``SELECT 1``
        on a pooled connection (``pool_pre_ping`` replaces one the server has closed)."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    # --- users and profiles ----------------------------------------------------------------

    async def get_user(self, user_id: int) -> User | None:
        async with self.session() as s:
            return await s.get(User, user_id)

    async def touch_user(
        self, user_id: int, *, chat_id: int | None = None, first_name: str | None = None
    ) -> User:
        """Create the user on first contact; remember the private chat for nudges."""
        for _attempt in range(2):
            try:
                async with self.session() as s:
                    user = await s.get(User, user_id)
                    if user is None:
                        user = User(id=user_id, chat_id=chat_id, first_name=first_name,
                                    interests=[])
                        s.add(user)
                    else:
                        could_be_nudged = user.active and user.chat_id is not None
                        if chat_id is not None:
                            user.chat_id = chat_id
                        if first_name:
                            user.first_name = first_name
                        user.active = True
                        if not could_be_nudged and user.chat_id is not None:
                            await self._reschedule(s, user_id)  # back: nudges due again
                return user
            except IntegrityError:  # created concurrently: the second attempt updates it
                continue
        raise RuntimeError(f"could not create or update user {user_id}")

    async def update_profile(self, user_id: int, **fields) -> User:
        allowed = {"status", "setting", "interests", "state", "timezone", "nudges_enabled"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown profile fields: {sorted(unknown)}")
        await self.touch_user(user_id)
        async with self.session() as s:
            user = await s.get(User, user_id)
            for key, value in fields.items():
                setattr(user, key, value)
            if {"timezone", "nudges_enabled"} & set(fields):
                await self._reschedule(s, user_id)
            return user

    async def set_quiet_until(self, user_id: int, until: dt.datetime) -> None:
        """No nudge reaches the user before ``until`` (after a crisis reply)."""
        async with self.session() as s:
            await s.execute(update(User).where(User.id == user_id).values(quiet_until=until))

    async def set_active(self, user_id: int, active: bool) -> None:
        async with self.session() as s:
            await s.execute(update(User).where(User.id == user_id).values(active=active))
            await self._reschedule(s, user_id)

    # --- conversation turns and feedback --------------------------------------------------

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

    # --- CE ----------------------------------------------------------------------------------

    async def set_credential(
        self, user_id: int, credential: str, expiration: dt.date,
        cycle_start: dt.date | None = None,
    ) -> None:
        """Set (or replace) a credential's expiration and, if given, its cycle start. Without
        ``cycle_start`` a stored one is kept while the expiration stays the same (it belongs to
        that cycle) and dropped when the expiration changes."""
        await self.touch_user(user_id)
        async with self.session() as s:
            row = (
                await s.execute(
                    select(CECredential).where(
                        CECredential.user_id == user_id, CECredential.credential == credential
                    )
                )
            ).scalar_one_or_none()
            if row is None:
                s.add(CECredential(user_id=user_id, credential=credential, expiration=expiration,
                                   cycle_start=cycle_start))
            else:
                if cycle_start is not None:
                    row.cycle_start = cycle_start
                elif row.expiration != expiration:
                    row.cycle_start = None
                row.expiration = expiration
                row.snoozed_until = None
            await self._reschedule(s, user_id, credential)

    async def credentials(self, user_id: int) -> list[CredentialRecord]:
        async with self.session() as s:
            rows = (
                await s.execute(
                    select(CECredential).where(CECredential.user_id == user_id)
                    .order_by(CECredential.credential)
                )
            ).scalars()
            return [_record(r) for r in rows]

    async def snooze(self, user_id: int, credential: str, until: dt.datetime) -> bool:
        """Hold the credential's nudges until ``until``, and remind once then: the nudge the
        user last received for its current expiration becomes "snoozed", so it is due again
        when the snooze ends (unless a later milestone is due by then, which is sent instead).
        False if the user has no such credential."""
        async with self.session() as s:
            result = await s.execute(
                update(CECredential)
                .where(CECredential.user_id == user_id, CECredential.credential == credential)
                .values(snoozed_until=until)
            )
            if result.rowcount == 0:
                return False
            expiration = (await s.execute(
                select(CECredential.expiration).where(
                    CECredential.user_id == user_id, CECredential.credential == credential)
            )).scalar_one()
            last = (await s.execute(
                select(SentNudge).where(
                    SentNudge.user_id == user_id, SentNudge.credential == credential,
                    SentNudge.expiration == expiration,
                    SentNudge.status.in_((*NUDGE_RECEIVED, "snoozed")),
                ).order_by(SentNudge.claimed_at.desc(), SentNudge.id.desc()).limit(1)
            )).scalar_one_or_none()
            if last is not None and last.status != "snoozed":  # snoozed again: one reminder
                last.status = "snoozed"
            await self._reschedule(s, user_id, credential)
            return True

    async def add_entry(self, user_id: int, **fields) -> int:
        await self.touch_user(user_id)
        async with self.session() as s:
            row = CEEntryRow(user_id=user_id, **fields)
            s.add(row)
            await s.flush()
            return row.id

    async def entries(self, user_id: int) -> list[CEEntryRow]:
        """The user's CE log (deleted entries left out), by date."""
        async with self.session() as s:
            return list(
                (
                    await s.execute(
                        select(CEEntryRow)
                        .where(CEEntryRow.user_id == user_id, CEEntryRow.deleted_at.is_(None))
                        .order_by(CEEntryRow.completed_on, CEEntryRow.id)
                    )
                ).scalars()
            )

    async def delete_entry(
        self, user_id: int, entry_id: int, now: dt.datetime | None = None
    ) -> bool:
        """Take the entry out of the log. It can come back with :meth:`restore_entry` until
        :meth:`purge_deleted_entries` removes it for good."""
        async with self.session() as s:
            result = await s.execute(
                update(CEEntryRow)
                .where(CEEntryRow.user_id == user_id, CEEntryRow.id == entry_id,
                       CEEntryRow.deleted_at.is_(None))
                .values(deleted_at=now or utcnow())
            )
            return result.rowcount > 0

    async def restore_entry(self, user_id: int, entry_id: int, deleted_since: dt.datetime) -> bool:
        """Undo :meth:`delete_entry` if it happened at or after ``deleted_since``; the entry
        comes back with its number."""
        async with self.session() as s:
            result = await s.execute(
                update(CEEntryRow)
                .where(CEEntryRow.user_id == user_id, CEEntryRow.id == entry_id,
                       CEEntryRow.deleted_at >= deleted_since)
                .values(deleted_at=None)
            )
            return result.rowcount > 0

    async def purge_deleted_entries(self, deleted_before: dt.datetime) -> int:
        """Remove for good every entry deleted before ``deleted_before`` (all users)."""
        async with self.session() as s:
            result = await s.execute(
                delete(CEEntryRow).where(CEEntryRow.deleted_at < deleted_before)
            )
            return result.rowcount

    async def replace_entry(self, user_id: int, entry_id: int, **fields) -> bool:
        async with self.session() as s:
            result = await s.execute(
                update(CEEntryRow)
                .where(CEEntryRow.user_id == user_id, CEEntryRow.id == entry_id,
                       CEEntryRow.deleted_at.is_(None))
                .values(**fields)
            )
            return result.rowcount > 0

    # --- nudges ------------------------------------------------------------------------------

    async def nudge_candidates(self) -> list[tuple[User, CredentialRecord]]:
        """Active users with nudges on, a private chat, and a credential with an expiration."""
        async with self.session() as s:
            rows = (
                await s.execute(
                    select(User, CECredential)
                    .join(CECredential, CECredential.user_id == User.id)
                    .where(User.active.is_(True), User.nudges_enabled.is_(True),
                           User.chat_id.is_not(None))
                    .order_by(User.id, CECredential.credential)
                )
            ).all()
            return [(u, _record(c)) for u, c in rows]

    async def sent_keys(
        self, user_id: int, credential: str, expiration: dt.date, now: dt.datetime | None = None
    ) -> set[str]:
        """Milestones that must not be sent at ``now`` (default: the current time): sent or
        settled otherwise (:data:`NUDGE_SETTLED`), being sent (claimed less than
        STALE_CLAIM_AFTER ago), or waiting for a retry whose time has not come. Not in it:
        retries that are due, claims abandoned by a crash, and snoozed nudges (the snooze
        itself holds those back until it ends)."""
        return blocked_keys(await self.nudge_claims(user_id, credential, expiration),
                            now or utcnow())

    async def nudge_claims(
        self, user_id: int, credential: str, expiration: dt.date
    ) -> list[ClaimState]:
        """The claims of the credential's nudges for this expiration (one per milestone)."""
        async with self.session() as s:
            rows = await s.execute(
                select(SentNudge.milestone, SentNudge.status, SentNudge.claimed_at,
                       SentNudge.next_try_at).where(
                    SentNudge.user_id == user_id, SentNudge.credential == credential,
                    SentNudge.expiration == expiration)
            )
            return [ClaimState(*row) for row in rows]

    async def claim_nudge(
        self, user_id: int, credential: str, expiration: dt.date, milestone: str, now: dt.datetime
    ) -> int | None:
        """Record the nudge before sending it. Returns the claim id, or None when another
        process (or an earlier run) holds it. A nudge already on record is taken over if it
        is a retry that is due, a snoozed nudge, or a claim older than STALE_CLAIM_AFTER.
        Exactly one of concurrent dispatchers wins: the insert is guarded by the unique key,
        the takeover is one conditional UPDATE."""
        async with self.session() as s:
            existing = (await s.execute(
                select(SentNudge.id).where(
                    SentNudge.user_id == user_id, SentNudge.credential == credential,
                    SentNudge.expiration == expiration, SentNudge.milestone == milestone,
                )
            )).scalar_one_or_none()
        if existing is not None:
            # a transaction of its own that writes first: SQLite (WAL) refuses to turn a
            # reading transaction into a writing one after another connection has written
            async with self.session() as s:
                taken = await s.execute(
                    update(SentNudge)
                    .where(
                        SentNudge.id == existing,
                        ((SentNudge.status == "retry")
                         & (SentNudge.next_try_at.is_(None) | (SentNudge.next_try_at <= now)))
                        | (SentNudge.status == "snoozed")
                        | ((SentNudge.status == "claimed")
                           & (SentNudge.claimed_at <= now - STALE_CLAIM_AFTER)),
                    )
                    .values(status="claimed", claimed_at=now)
                )
                if taken.rowcount != 1:
                    return None
                await self._reschedule(s, user_id, credential)
                return existing
        try:
            async with self.session() as s:
                row = SentNudge(
                    user_id=user_id, credential=credential, expiration=expiration,
                    milestone=milestone, claimed_at=now,
                )
                s.add(row)
                await s.flush()
                await self._reschedule(s, user_id, credential)
                return row.id
        except IntegrityError:
            return None

    async def finish_nudge(self, claim_id: int, status: str) -> None:
        if status not in NUDGE_SETTLED:
            raise ValueError(f"not a final nudge status: {status!r}")
        async with self.session() as s:
            done = await s.execute(
                update(SentNudge).where(SentNudge.id == claim_id).values(status=status)
                .returning(SentNudge.user_id, SentNudge.credential))
            await self._reschedule_claimed(s, done.one_or_none())

    async def release_nudge(
        self, claim_id: int, now: dt.datetime | None = None, *,
        retry_after: dt.timedelta | None = None,
    ) -> dt.datetime | None:
        """Give a claim back after a send that certainly did not reach Telegram (connection
        refused, an error response, a flood-limit refusal): count the failed attempt and set
        the next one with backoff (:func:`~bot.ce.timing.retry_delay`) from ``now``
        (None: a later run may send it at once). Returns the time of the next attempt."""
        async with self.session() as s:  # writes first (see claim_nudge)
            counted = (await s.execute(
                update(SentNudge).where(SentNudge.id == claim_id)
                .values(status="retry", attempts=func.coalesce(SentNudge.attempts, 0) + 1)
                .returning(SentNudge.attempts, SentNudge.user_id, SentNudge.credential)
            )).one_or_none()
            if counted is None:
                return None
            attempts, user_id, credential = counted
            retry_at = None if now is None else now + retry_delay(attempts, retry_after)
            await s.execute(update(SentNudge).where(SentNudge.id == claim_id)
                            .values(next_try_at=retry_at))
            await self._reschedule(s, user_id, credential)
            return retry_at

    async def postpone_nudge(self, claim_id: int, until: dt.datetime) -> None:
        """Give a claim back unsent, to be sent from ``until`` (quiet hours began before it
        went out); not a failed attempt."""
        async with self.session() as s:
            done = await s.execute(
                update(SentNudge).where(SentNudge.id == claim_id)
                .values(status="retry", next_try_at=until)
                .returning(SentNudge.user_id, SentNudge.credential))
            await self._reschedule_claimed(s, done.one_or_none())

    # --- when each credential's next nudge is due ------------------------------------------

    async def due_credentials(
        self, now: dt.datetime, *, after: tuple[dt.datetime, int] | None = None,
        limit: int = 500,
    ) -> list[DueCredential]:
        """Up to ``limit`` credential rows whose ``next_nudge_due`` is at or before ``now``, by
        (``next_nudge_due``, id) from just past ``after`` (the last row of the previous batch),
        with their users.

        Two index lookups, not a join: the credential rows by the ``next_nudge_due`` index (a
        range, in its order, up to ``limit``), then their users by primary key. A join leaves
        the database free to hash it against a scan of every user, which PostgreSQL does on
        small tables. A row whose user cannot be nudged (inactive, nudges off, no private
        chat) comes with ``nudgeable`` False: its ``next_nudge_due`` should have been empty
        (something wrote the row without computing it), and the dispatcher computes it."""
        due = CECredential.next_nudge_due
        query = (
            select(CECredential.id, CECredential.user_id, CECredential.credential,
                   CECredential.expiration, CECredential.snoozed_until,
                   CECredential.cycle_start, due)
            .where(due <= now)
            .order_by(due, CECredential.id)
            .limit(limit)
        )
        if after is not None:
            last_due, last_id = after
            query = query.where(due >= last_due,
                                or_(due > last_due, CECredential.id > last_id))
        async with self.session() as s:
            rows = (await s.execute(query)).all()
            if not rows:
                return []
            users = {
                user_id: (chat_id, timezone, _nudgeable(active, enabled, chat_id), quiet)
                for user_id, chat_id, timezone, active, enabled, quiet in await s.execute(
                    select(User.id, User.chat_id, User.timezone, User.active,
                           User.nudges_enabled, User.quiet_until)
                    .where(User.id.in_({row.user_id for row in rows})))
            }
        out = []
        for cred_id, user_id, credential, expiration, snoozed, cycle_start, next_due in rows:
            chat_id, timezone, nudgeable, quiet = users.get(user_id, (None, None, False, None))
            out.append(DueCredential(cred_id, user_id, chat_id, timezone, nudgeable, credential,
                                     expiration, snoozed, cycle_start, next_due, quiet))
        return out

    async def reschedule_nudges(
        self, user_id: int, credential: str | None = None, *, after: dt.datetime | None = None
    ) -> None:
        """Compute ``next_nudge_due`` again for the user's credential (all of them if None),
        from what is stored; with ``after``, the first due instant at or after it (the
        dispatcher found nothing due at ``after``, so the row moves on)."""
        async with self.session() as s:
            await self._reschedule(s, user_id, credential, after=after, lock_first=True)

    async def postpone_due(
        self, credential_id: int, seen: dt.datetime | None, until: dt.datetime
    ) -> None:
        """Move a credential row the dispatcher could not handle to ``until``, unless it changed
        since the dispatcher read it (``seen``: its ``next_nudge_due`` then)."""
        async with self.session() as s:
            await s.execute(
                update(CECredential)
                .where(CECredential.id == credential_id, CECredential.next_nudge_due == seen)
                .values(next_nudge_due=until))

    async def _reschedule_claimed(self, s: AsyncSession, claimed: tuple | None) -> None:
        if claimed is not None:
            await self._reschedule(s, *claimed)

    async def _reschedule(
        self, s: AsyncSession, user_id: int, credential: str | None = None, *,
        after: dt.datetime | None = None, lock_first: bool = False,
    ) -> None:
        """Compute ``next_nudge_due`` of the user's credential rows (one, or all) in the
        caller's transaction. The rows are locked first (PostgreSQL: ``FOR UPDATE``; SQLite:
        its write lock, which the callers hold already by having written, or ``lock_first``
        takes), so what is read next is everything committed, and a concurrent change
        computes after this one commits."""
        where = [CECredential.user_id == user_id]
        if credential is not None:
            where.append(CECredential.credential == credential)
        if lock_first and self.engine.dialect.name != "postgresql":
            await s.execute(update(CECredential).where(*where)
                            .values(next_nudge_due=CECredential.next_nudge_due))
        rows = (await s.execute(
            select(CECredential, User.timezone, User.active, User.nudges_enabled, User.chat_id)
            .join(User, User.id == CECredential.user_id)
            .where(*where).order_by(CECredential.id)
            .with_for_update(of=CECredential)
            .execution_options(populate_existing=True)  # as locked, not as read before
        )).all()
        if not rows:
            return
        claims: dict[tuple[str, dt.date], list[ClaimState]] = {}
        if any(_nudgeable(*row[2:]) for row in rows):
            claim_rows = await s.execute(
                select(SentNudge.credential, SentNudge.expiration, SentNudge.milestone,
                       SentNudge.status, SentNudge.claimed_at, SentNudge.next_try_at)
                .where(*([SentNudge.user_id == user_id] + (
                    [SentNudge.credential == credential] if credential is not None else []))))
            for cred, expiration, *state in claim_rows:
                claims.setdefault((cred, expiration), []).append(ClaimState(*state))
        for row, timezone, active, nudges_enabled, chat_id in rows:
            due = None
            if _nudgeable(active, nudges_enabled, chat_id):
                try:
                    due = next_nudge_due_for(
                        row.credential, row.expiration, timezone,
                        claims.get((row.credential, row.expiration), ()), row.snoozed_until,
                        after)
                except Exception:  # a bad row must not fail the change that touched it
                    log.exception("next nudge of user %s's %s not computed: none scheduled",
                                  user_id, row.credential)
            if row.next_nudge_due != due:
                row.next_nudge_due = due

    # --- forgetting --------------------------------------------------------------------------

    async def forget(self, user_id: int) -> None:
        """Delete everything stored about the user."""
        async with self.session() as s:
            for table in (Feedback, Turn, CEEntryRow, CECredential, SentNudge):
                await s.execute(delete(table).where(table.user_id == user_id))
            await s.execute(delete(User).where(User.id == user_id))
