"""Storage: users, profiles, conversation turns, feedback, CE data and sent nudges.

SQLAlchemy 2 (async): SQLite through aiosqlite by default, PostgreSQL through asyncpg by URL.
Times are stored in UTC. Nothing here knows about Telegram objects.
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
    inspect,
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
from bot.nudge_timing import DEFAULT_TIMEZONE, STALE_CLAIM_AFTER, retry_delay

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
NUDGE_SETTLED = ("sent", "unconfirmed", "failed", "blocked")
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


#: Columns added to existing tables after their first release. ``create_all`` creates new
#: tables whole but never alters an existing one, so ``Storage.init`` adds these where missing.
ADDED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ce_credentials", "cycle_start"),
    ("ce_entries", "tags"),
    ("ce_entries", "deleted_at"),
    ("sent_nudges", "attempts"),
    ("sent_nudges", "next_try_at"),
)


def _add_missing_columns(conn) -> list[str]:
    """``ALTER TABLE ... ADD COLUMN`` for each of :data:`ADDED_COLUMNS` the database lacks
    (nullable, no default, so existing rows read as NULL); idempotent. Returns what it added."""
    inspector = inspect(conn)
    added = []
    for table_name, column_name in ADDED_COLUMNS:
        existing = {c["name"] for c in inspector.get_columns(table_name)}
        if column_name in existing:
            continue
        column = Base.metadata.tables[table_name].c[column_name]
        ddl_type = column.type.compile(dialect=conn.dialect)
        if_not_exists = "IF NOT EXISTS " if conn.dialect.name == "postgresql" else ""
        conn.execute(text(
            f"ALTER TABLE {table_name} ADD COLUMN {if_not_exists}{column_name} {ddl_type}"
        ))
        added.append(f"{table_name}.{column_name}")
    return added


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
        """Create the schema, and add the columns an older database lacks (idempotent)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            added = await conn.run_sync(_add_missing_columns)
        if added:
            log.info("database schema upgraded: added %s", ", ".join(added))

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
                        if chat_id is not None:
                            user.chat_id = chat_id
                        if first_name:
                            user.first_name = first_name
                        user.active = True
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
            return user

    async def set_active(self, user_id: int, active: bool) -> None:
        async with self.session() as s:
            await s.execute(update(User).where(User.id == user_id).values(active=active))

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
        now = now or utcnow()
        async with self.session() as s:
            rows = await s.execute(
                select(SentNudge.milestone).where(
                    SentNudge.user_id == user_id, SentNudge.credential == credential,
                    SentNudge.expiration == expiration,
                    SentNudge.status.in_(NUDGE_SETTLED)
                    | ((SentNudge.status == "claimed")
                       & (SentNudge.claimed_at > now - STALE_CLAIM_AFTER))
                    | ((SentNudge.status == "retry") & (SentNudge.next_try_at > now)),
                )
            )
            return set(rows.scalars())

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
                return existing if taken.rowcount == 1 else None
        try:
            async with self.session() as s:
                row = SentNudge(
                    user_id=user_id, credential=credential, expiration=expiration,
                    milestone=milestone, claimed_at=now,
                )
                s.add(row)
                await s.flush()
                return row.id
        except IntegrityError:
            return None

    async def finish_nudge(self, claim_id: int, status: str) -> None:
        if status not in NUDGE_SETTLED:
            raise ValueError(f"not a final nudge status: {status!r}")
        async with self.session() as s:
            await s.execute(update(SentNudge).where(SentNudge.id == claim_id).values(status=status))

    async def release_nudge(
        self, claim_id: int, now: dt.datetime | None = None, *,
        retry_after: dt.timedelta | None = None,
    ) -> dt.datetime | None:
        """Give a claim back after a send that certainly did not reach Telegram (connection
        refused, an error response, a flood-limit refusal): count the failed attempt and set
        the next one with backoff (:func:`~bot.nudge_timing.retry_delay`) from ``now``
        (None: a later run may send it at once). Returns the time of the next attempt."""
        async with self.session() as s:  # writes first (see claim_nudge)
            counted = await s.execute(
                update(SentNudge).where(SentNudge.id == claim_id)
                .values(status="retry", attempts=func.coalesce(SentNudge.attempts, 0) + 1)
            )
            if counted.rowcount == 0:
                return None
            attempts = (await s.execute(
                select(SentNudge.attempts).where(SentNudge.id == claim_id))).scalar_one()
            retry_at = None if now is None else now + retry_delay(attempts, retry_after)
            await s.execute(update(SentNudge).where(SentNudge.id == claim_id)
                            .values(next_try_at=retry_at))
            return retry_at

    async def postpone_nudge(self, claim_id: int, until: dt.datetime) -> None:
        """Give a claim back unsent, to be sent from ``until`` (quiet hours began before it
        went out); not a failed attempt."""
        async with self.session() as s:
            await s.execute(update(SentNudge).where(SentNudge.id == claim_id)
                            .values(status="retry", next_try_at=until))

    # --- forgetting --------------------------------------------------------------------------

    async def forget(self, user_id: int) -> None:
        """Delete everything stored about the user."""
        async with self.session() as s:
            for table in (Feedback, Turn, CEEntryRow, CECredential, SentNudge):
                await s.execute(delete(table).where(table.user_id == user_id))
            await s.execute(delete(User).where(User.id == user_id))
