"""The update inbox of webhook mode: every update handled once, in order per chat, on any
number of replicas sharing one database.

The flow of one update:

1. **Accept** (the webhook POST, bot/service/web.py): insert it into ``update_inbox`` keyed by its
   ``update_id``, commit, answer 200. A redelivery (Telegram retries a POST that got no 200 in
   time, maybe to another replica) hits the primary key and is answered 200 and skipped. Once
   committed the update survives the replica: acknowledged means durable.
2. **Drain**: a per-chat drainer handles the chat's open rows in ``update_id`` order through
   ``application.process_update``, holding the chat's lock, so two replicas never handle one
   chat at once and a chat's updates never overtake each other, whichever replica received
   them. At most ``workers`` updates are handled at once per replica, one per chat: a busy
   chat takes one slot and gives it back every few updates, so it never delays other chats.
3. **Sweep**: every few seconds each replica looks for chats with open rows older than a few
   seconds and drains those no one is draining (their replica was SIGKILLed after answering
   200, or stopped before starting them). Handled rows are pruned after ``INBOX_KEEP_HOURS``
   (Telegram gives up redelivering long before that).

Chat locks:

* **PostgreSQL**: a session advisory lock per chat, ``pg_try_advisory_lock(hi, lo)`` (the
  two-int form, whose key space is separate from the one-bigint form other code may use for
  e.g. migrations; ``(hi, lo)`` is the chat id's 64 bits), on a connection of a small pool of
  its own that is held while draining. A replica that dies loses its connections, and the
  server drops their locks: the sweeper of a live replica then takes over the chat.
* **SQLite**: one process (an SQLite file is not shared between machines, and one process
  writes it), so an ``asyncio.Lock`` per chat is enough; there it is the one-drainer-per-chat
  table itself.

Each update once, also across a crash: a row is marked ``processing`` before it is handled,
and the first Bot API call of the update that a user would see (a message, an edit, a
callback answer; not "typing") first records ``sent_at`` in its row (the Bot API client,
:class:`bot.telegram.bot_api.BotApiRequest`, calls the :class:`SendJournal` the drainer puts
in :data:`bot.telegram.bot_api.SEND_JOURNAL`). A drainer that finds a row still
``processing`` (its handler died) handles it again only if nothing was sent for it;
otherwise it marks it ``unconfirmed`` and moves on, as the nudges do with a send that may
have been delivered: a crash costs at worst an answer cut short, never an answer given twice.
(Database writes a handler made before its first send, such as a conversation turn, are made
again when the update is handled again.) A row that was interrupted three times is marked
``failed``.

A lost lock: the advisory lock lives on a pooled connection; if that backend dies (failover,
``pg_terminate_backend``, a proxy dropping idle connections) another replica's sweeper takes
the chat over while the first handler may still run. Each handling therefore writes a fresh
``owner`` token on its row; recording the first send and settling are conditional on it, and a
handler whose row is no longer its own is refused its next send (:class:`LostChat`) and stops.
(PgBouncer must run in session mode for these locks.)

Each update's handling is bounded by ``UPDATE_TIMEOUT_SECONDS``: then the user is asked to try
again and the row is settled ``failed`` (counted as ``timeout``). A settled row keeps no payload
(text, names, usernames): only its ``update_id``, to recognise a redelivery.

Per-user question limit across replicas: :class:`bot.telegram.limits.SharedQuestionLimiter`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    String,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.db import timeout_args
from bot.storage.models import Base, UTCDateTime
from bot.storage.store import Storage
from bot.storage.users import BLANK_PAYLOAD
from bot.telegram import metrics
from bot.telegram.bot_api import SEND_JOURNAL, LostChat

log = logging.getLogger(__name__)

PENDING, PROCESSING, DONE, UNCONFIRMED, FAILED = (
    "pending", "processing", "done", "unconfirmed", "failed")
TIMED_OUT, LOST = "timeout", "lost"  # outcomes counted (a timed-out row is settled "failed")
OPEN = (PENDING, PROCESSING)
SETTLED = (DONE, UNCONFIRMED, FAILED)
MAX_ATTEMPTS = 3  # a row interrupted this often (it kills its replica?) is marked failed
DRAIN_TURN = 8  # updates of one chat handled before its slot is offered to other chats
SWEEP_EVERY = 2.0  # seconds between sweeps
SWEEP_AFTER = 2.0  # open rows at least this old are swept (fresher ones: their receiver)
PRUNE_EVERY = 300.0  # seconds between prunes of settled rows
SWEEP_LIMIT = 1000  # chats one sweep starts draining, longest waiting first


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UpdateInboxRow(Base):
    """One Telegram update received by webhook. Created by migration 0003_update_inbox."""

    __tablename__ = "update_inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # the chat the update belongs to (its sender for the few kinds without a chat; 0: neither)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)  # the update as Telegram sent it
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replica: Mapped[str | None] = mapped_column(String(64), nullable=True)  # who handled it
    # the token of the drainer handling it (migration 0005): marking sent and settling are
    # conditional on it, so a drainer that lost the chat's lock cannot answer too
    owner: Mapped[str | None] = mapped_column(String(32), nullable=True)
    __table_args__ = (
        Index("ix_update_inbox_chat", "chat_id", "update_id"),
        Index("ix_update_inbox_state", "state", "received_at"),
    )


async def prune_settled(storage: Storage, keep: dt.timedelta,
                        now: dt.datetime | None = None) -> int:
    """Delete settled rows received more than ``keep`` ago (both modes: polling mode runs it
    as a job, so rows left from webhook mode do not stay)."""
    cutoff = (now or utcnow()) - keep
    async with storage.session() as s:
        result = await s.execute(delete(UpdateInboxRow).where(
            UpdateInboxRow.state.in_(SETTLED), UpdateInboxRow.received_at < cutoff))
    return result.rowcount or 0


async def open_count(storage: Storage) -> int:
    """Rows received by webhook and not yet handled (``webhook delete`` reports them)."""
    async with storage.session() as s:
        return (await s.execute(select(func.count()).select_from(UpdateInboxRow)
                                .where(UpdateInboxRow.state.in_(OPEN)))).scalar_one()


def chat_key(update: Any) -> int:
    """The id updates are ordered by: the chat, else the sender, else 0."""
    chat = getattr(update, "effective_chat", None)
    if chat is not None:
        return chat.id
    user = getattr(update, "effective_user", None)
    return user.id if user is not None else 0


# --- the send journal ----------------------------------------------------------------------


class SendJournal:
    """Records, once, that the update being handled is about to send something; refuses the
    send (:class:`LostChat`) when the row is no longer ours."""

    def __init__(self, inbox: Inbox, update_id: int, owner: str):
        self.inbox, self.update_id, self.owner = inbox, update_id, owner
        self.recorded = False
        self.lost = False
        self.failed = False  # the error handler saw the handler fail (and counted it)
        self.closed = False  # the update is finished: tasks it started record nothing more

    async def before_send(self) -> None:
        if self.lost:
            raise LostChat(f"update {self.update_id} was taken over by another replica")
        if self.recorded or self.closed:
            return
        if not await self.inbox.mark_sent(self.update_id, self.owner):
            self.lost = True
            raise LostChat(f"update {self.update_id} was taken over by another replica")
        self.recorded = True


# --- chat locks ----------------------------------------------------------------------------


def _int32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def advisory_key(chat_id: int) -> tuple[int, int]:
    """The chat id's 64 bits as the two signed 32-bit keys of ``pg_try_advisory_lock``."""
    bits = chat_id & 0xFFFF_FFFF_FFFF_FFFF
    return _int32(bits >> 32), _int32(bits & 0xFFFF_FFFF)


class LocalChatLocks:
    """SQLite: a lock per chat within this one process."""

    def __init__(self) -> None:
        self._held: set[int] = set()

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[bool]:
        if chat_id in self._held:
            yield False
            return
        self._held.add(chat_id)
        try:
            yield True
        finally:
            self._held.discard(chat_id)

    async def close(self) -> None:
        pass


class AdvisoryChatLocks:
    """PostgreSQL: a session advisory lock per chat, on a connection held while draining.

    The connections come from a pool of their own (``size``, one per update worker), so a
    drainer holding its lock never waits for a connection the handlers it runs need."""

    def __init__(self, url: str, size: int):
        self.engine = create_async_engine(url, pool_size=size, max_overflow=2,
                                          pool_pre_ping=True, connect_args=timeout_args(url))

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[bool]:
        hi, lo = advisory_key(chat_id)
        async with self.engine.connect() as conn:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:hi, :lo)"),
                                      {"hi": hi, "lo": lo})).scalar_one()
            await conn.commit()  # a session lock outlives the transaction that took it
            if not got:
                yield False
                return
            try:
                yield True
            finally:
                try:
                    await conn.execute(text("SELECT pg_advisory_unlock(:hi, :lo)"),
                                       {"hi": hi, "lo": lo})
                    await conn.commit()
                except BaseException:
                    # the lock must not go back to the pool with the connection
                    await conn.invalidate()
                    raise

    async def close(self) -> None:
        await self.engine.dispose()


# --- the inbox -----------------------------------------------------------------------------


class Inbox:
    """Accepts updates durably and drains them per chat (see the module docstring).

    ``handle(payload)`` handles one update (the JSON object Telegram sent); web.py passes
    ``application.process_update`` of ``Update.de_json(payload)``."""

    def __init__(
        self,
        storage: Storage,
        handle: Callable[[dict], Awaitable[None]],
        *,
        workers: int = 16,
        keep: dt.timedelta = dt.timedelta(hours=24),
        sweep_every: float = SWEEP_EVERY,
        sweep_after: float = SWEEP_AFTER,
        replica: str | None = None,
        update_timeout: float = 60.0,
        on_timeout: Callable[[dict], Awaitable[None]] | None = None,
    ):
        self.storage = storage
        self.handle = handle
        self.update_timeout = update_timeout  # UPDATE_TIMEOUT_SECONDS
        self.on_timeout = on_timeout  # tells the user an update took too long
        self.keep = keep
        self.sweep_every, self.sweep_after = sweep_every, sweep_after
        self.replica = (replica or f"{socket.gethostname()}:{os.getpid()}")[:64]
        self.shared = storage.engine.dialect.name == "postgresql"
        self.locks: LocalChatLocks | AdvisoryChatLocks = (
            AdvisoryChatLocks(storage.url, workers) if self.shared else LocalChatLocks())
        self._slots = asyncio.Semaphore(workers)
        self._drainers: dict[int, asyncio.Task] = {}
        self._poked: set[int] = set()
        self._sweeper: asyncio.Task | None = None
        self._wake_sweeper = asyncio.Event()
        self._stopping = False
        self.handling = 0  # updates being handled right now

    # --- intake ------------------------------------------------------------------------------

    async def accept(self, update_id: int, chat_id: int, payload: dict) -> bool:
        """Store the update (committed when this returns) and start draining its chat.
        False: a redelivery of an update already stored, skipped."""
        insert = pg_insert if self.shared else sqlite_insert
        statement = insert(UpdateInboxRow).values(
            update_id=update_id, chat_id=chat_id, payload=payload, received_at=utcnow(),
            state=PENDING, attempts=0,
        ).on_conflict_do_nothing(index_elements=["update_id"])
        async with self.storage.session() as s:
            result = await s.execute(statement)
        if result.rowcount == 0:
            metrics.count_update("duplicate")
            log.info("update %s was delivered again; skipped", update_id)
            return False
        self.wake(chat_id)
        return True

    def wake(self, chat_id: int) -> None:
        """Make sure the chat is being drained here (unless stopping)."""
        if self._stopping:
            return
        if chat_id in self._drainers:
            self._poked.add(chat_id)  # the drainer looks again before it ends
            return
        self._drainers[chat_id] = asyncio.create_task(
            self._drain(chat_id), name=f"inbox-chat-{chat_id}")

    @property
    def draining(self) -> int:
        return len(self._drainers)

    # --- draining ----------------------------------------------------------------------------

    async def _drain(self, chat_id: int) -> None:
        try:
            while not self._stopping:
                self._poked.discard(chat_id)
                async with self._slots:
                    if self._stopping:
                        break
                    outcome = await self._drain_turn(chat_id)
                if outcome == "elsewhere":
                    break  # another replica drains it, and looks again after unlocking
                if outcome == "more":
                    continue
                # rows another replica accepted while we held the lock: its drainer found the
                # chat locked and left them to us
                if self.shared and await self._has_open(chat_id):
                    continue
                if chat_id in self._poked:
                    continue
                break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("draining chat %s failed; the sweeper retries", chat_id)
        finally:
            # no await between the last look and this: accept() either sees this drainer
            # (and pokes it, before that look) or starts a new one
            if self._drainers.get(chat_id) is asyncio.current_task():
                del self._drainers[chat_id]
            self._poked.discard(chat_id)

    async def _drain_turn(self, chat_id: int) -> str:
        async with self.locks.hold(chat_id) as held:
            if not held:
                return "elsewhere"
            rows = await self._open_rows(chat_id, DRAIN_TURN + 1)
            for row in rows[:DRAIN_TURN]:
                if self._stopping:
                    return "stopped"
                await self._handle_row(row)
            return "more" if len(rows) > DRAIN_TURN else "done"

    async def _open_rows(self, chat_id: int, limit: int) -> list[UpdateInboxRow]:
        async with self.storage.session() as s:
            return list((await s.execute(
                select(UpdateInboxRow)
                .where(UpdateInboxRow.chat_id == chat_id, UpdateInboxRow.state.in_(OPEN))
                .order_by(UpdateInboxRow.update_id).limit(limit)
            )).scalars())

    async def _has_open(self, chat_id: int) -> bool:
        async with self.storage.session() as s:
            return (await s.execute(
                select(UpdateInboxRow.update_id)
                .where(UpdateInboxRow.chat_id == chat_id, UpdateInboxRow.state.in_(OPEN))
                .limit(1)
            )).first() is not None

    async def _handle_row(self, row: UpdateInboxRow) -> None:
        update_id = row.update_id
        if row.state == PROCESSING:  # its handler died: we hold the chat's lock now
            if row.sent_at is not None:
                log.warning("update %s was interrupted after it sent something: not handled "
                            "again (unconfirmed)", update_id)
                await self._settle(update_id, UNCONFIRMED)
                metrics.count_update(UNCONFIRMED)
                return
            if row.attempts >= MAX_ATTEMPTS:
                log.error("update %s was interrupted %d times: given up", update_id,
                          row.attempts)
                await self._settle(update_id, FAILED)
                metrics.count_update(FAILED)
                return
            log.warning("update %s was interrupted before it sent anything: handling it again",
                        update_id)
        owner = uuid.uuid4().hex
        async with self.storage.session() as s:
            # taken only as read: not if another drainer took it, or it sent, meanwhile
            taken = await s.execute(
                update(UpdateInboxRow)
                .where(UpdateInboxRow.update_id == update_id,
                       UpdateInboxRow.state == row.state,
                       UpdateInboxRow.owner.is_(None) if row.owner is None
                       else UpdateInboxRow.owner == row.owner,
                       UpdateInboxRow.sent_at.is_(None))
                .values(state=PROCESSING, attempts=row.attempts + 1, replica=self.replica,
                        owner=owner))
        if taken.rowcount != 1:
            log.warning("update %s changed while it was being taken: left to the next look",
                        update_id)
            return
        journal = SendJournal(self, update_id, owner)
        token = SEND_JOURNAL.set(journal)
        self.handling += 1
        try:
            await asyncio.wait_for(self.handle(row.payload), self.update_timeout)
            outcome = DONE
        except TimeoutError:
            log.error("update %s took over %.0f s: given up", update_id, self.update_timeout)
            outcome = TIMED_OUT
        except LostChat:
            outcome = LOST
        except Exception:
            log.exception("update %s could not be handled", update_id)
            outcome = FAILED
        finally:
            journal.closed = True
            SEND_JOURNAL.reset(token)
            self.handling -= 1
        if journal.lost:
            outcome = LOST
        elif journal.failed and outcome == DONE:  # PTB caught it; on_error counted it
            outcome = FAILED
        if outcome == TIMED_OUT and self.on_timeout is not None and not journal.lost:
            try:
                await self.on_timeout(row.payload)
            except Exception as exc:  # noqa: BLE001 - the note is best effort
                log.warning("update %s: could not say it took too long: %s", update_id, exc)
        if outcome == LOST or not await self._settle(update_id, FAILED if outcome == TIMED_OUT
                                                     else outcome, owner):
            log.warning("update %s: this replica lost the chat's lock while handling it; "
                        "another replica took it over (nothing more sent from here)", update_id)
            metrics.count_update(LOST)
            return
        if outcome == FAILED and journal.failed:
            return  # counted by the error handler
        metrics.count_update({DONE: "handled", TIMED_OUT: "timeout"}.get(outcome, outcome))

    async def _settle(self, update_id: int, state: str, owner: str | None = None) -> bool:
        """Settle the row (only if it is still ``owner``'s, when given) and blank its payload:
        a handled update keeps only its id (for redeliveries), no text, names or usernames
        (groups' neither). False: the row was not ours any more."""
        where = [UpdateInboxRow.update_id == update_id]
        if owner is not None:
            where.append(UpdateInboxRow.owner == owner)
        async with self.storage.session() as s:
            done = await s.execute(update(UpdateInboxRow).where(*where)
                                   .values(state=state, handled_at=utcnow(),
                                           payload=BLANK_PAYLOAD))
        return done.rowcount == 1

    async def mark_sent(self, update_id: int, owner: str) -> bool:
        """Record that the update sends something, if the row is still ``owner``'s. False: it
        is not (another replica took it over): the send must not happen."""
        async with self.storage.session() as s:
            marked = await s.execute(update(UpdateInboxRow)
                                     .where(UpdateInboxRow.update_id == update_id,
                                            UpdateInboxRow.owner == owner,
                                            UpdateInboxRow.state == PROCESSING)
                                     .values(sent_at=func.coalesce(UpdateInboxRow.sent_at,
                                                                   utcnow())))
        return marked.rowcount == 1

    # --- sweeping and pruning ----------------------------------------------------------------

    async def sweep(self, older_than: dt.timedelta | None = None, *,
                    limit: int = SWEEP_LIMIT) -> int:
        """Start draining the chats with open rows received at least ``older_than`` ago
        (default: SWEEP_AFTER) that are not being drained here, up to ``limit`` of them, the
        longest waiting first. Returns how many."""
        cutoff = utcnow() - (dt.timedelta(seconds=self.sweep_after) if older_than is None
                             else older_than)
        async with self.storage.session() as s:
            chats = list((await s.execute(
                select(UpdateInboxRow.chat_id)
                .where(UpdateInboxRow.state.in_(OPEN), UpdateInboxRow.received_at <= cutoff)
                .group_by(UpdateInboxRow.chat_id)
                .order_by(func.min(UpdateInboxRow.received_at))
                .limit(limit)
            )).scalars())
        started = 0
        for chat_id in chats:
            if chat_id not in self._drainers and not self._stopping:
                self.wake(chat_id)
                started += 1
        return started

    async def prune(self, now: dt.datetime | None = None) -> int:
        """Delete settled rows received more than INBOX_KEEP_HOURS ago."""
        return await prune_settled(self.storage, self.keep, now)

    async def _sweep_loop(self) -> None:
        first = True
        last_prune = -PRUNE_EVERY
        while not self._stopping:
            try:
                # the first sweep, at start, takes everything open: left by a crash or a stop
                started = await self.sweep(dt.timedelta(0) if first else None)
                if started:
                    log.info("inbox sweep: %d chat(s) with updates waiting %s: draining them "
                             "here too", started, "from before" if first else
                             f"over {self.sweep_after:.0f} s")
                first = False
                if time.monotonic() - last_prune >= PRUNE_EVERY:
                    last_prune = time.monotonic()
                    pruned = await self.prune()
                    if pruned:
                        log.info("inbox: pruned %d handled update(s)", pruned)
            except Exception as exc:  # noqa: BLE001 - a database blip: try again next time
                log.warning("inbox sweep failed: %s", exc)
            try:
                await asyncio.wait_for(self._wake_sweeper.wait(), timeout=self.sweep_every)
            except TimeoutError:
                pass

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self._sweeper = asyncio.create_task(self._sweep_loop(), name="inbox-sweeper")

    async def stop(self, grace: float) -> None:
        """Take nothing more; let the updates being handled finish (up to ``grace`` seconds,
        then cancel them: their rows stay open for the next sweep, here or elsewhere). Rows
        accepted but not started stay in the inbox for another replica or the next start."""
        self._stopping = True
        self._wake_sweeper.set()
        if self._sweeper is not None:
            await asyncio.gather(self._sweeper, return_exceptions=True)
        drainers = list(self._drainers.values())
        if drainers:
            log.info("stopping: %d update(s) in hand", self.handling)
            _done, late = await asyncio.wait(drainers, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                log.warning("stopping: %d chat(s) still busy after %.0f s; their updates stay "
                            "in the inbox", len(late), grace)
                await asyncio.gather(*late, return_exceptions=True)
        await self.locks.close()
