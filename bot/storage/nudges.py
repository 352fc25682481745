"""Renewal nudges in the database: claiming a nudge before it is sent, settling the claim, and
when each credential's next nudge is due.

Each credential row carries ``next_nudge_due``, the first instant its next renewal nudge can be
due (:func:`bot.ce.timing.next_nudge_due`), NULL when none can: the dispatcher reads only the
rows due now. Every method of storage that changes what it depends on (the credential, its
claims and snooze, the user's time zone, nudge setting, activity or chat) computes it again in
the same transaction, after locking the credential rows, so the last writer always computes
from everything committed. It may be earlier than the true next nudge, never later: the dispatcher
moves a row it read too early on (:meth:`Storage.reschedule_nudges` with ``after``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ce.timing import (
    SETTLED_STATUSES,
    STALE_CLAIM_AFTER,
    ClaimState,
    blocked_keys,
    next_nudge_due_for,
    retry_delay,
)
from bot.storage.db import Database
from bot.storage.models import CECredential, SentNudge, User, utcnow

log = logging.getLogger(__name__)


#: Statuses of a nudge that is never sent again (but see ``Storage.snooze``).
NUDGE_SETTLED = SETTLED_STATUSES
#: Statuses of a nudge the user has received (a button was tapped on it), so a snooze reminds
#: ("sending": sent, but the dispatcher could not record it).
NUDGE_RECEIVED = ("sent", "unconfirmed", "sending")


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


class NudgeStore(Database):
    """Sent nudges and their claims; ``next_nudge_due`` of the credential rows."""

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

    async def mark_nudge_sending(self, claim_id: int, now: dt.datetime) -> bool:
        """Record that the claim's message is about to go out (status "sending"), just before
        the send. A "sending" claim is never taken over: whatever happens after this (the
        process dies mid-send, the database is gone when the send returns), the nudge is not
        sent again. False: the claim is no longer ours (taken over as stale): do not send."""
        async with self.session() as s:
            marked = await s.execute(
                update(SentNudge)
                .where(SentNudge.id == claim_id, SentNudge.status == "claimed")
                .values(status="sending", claimed_at=now))
            return marked.rowcount == 1

    async def settle_stale_sending(self, now: dt.datetime) -> list[tuple[int, str, str]]:
        """Claims left "sending" for STALE_CLAIM_AFTER (their dispatcher died during or right
        after the send, or could not record the outcome): settled as "unconfirmed", never sent
        again. Returns (user id, credential, milestone) of each, for the log and the metrics."""
        async with self.session() as s:
            settled = (await s.execute(
                update(SentNudge)
                .where(SentNudge.status == "sending",
                       SentNudge.claimed_at <= now - STALE_CLAIM_AFTER)
                .values(status="unconfirmed")
                .returning(SentNudge.user_id, SentNudge.credential, SentNudge.milestone)
            )).all()
            for user_id, credential in {(u, c) for u, c, _m in settled}:
                await self._reschedule(s, user_id, credential)
            return [tuple(row) for row in settled]

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
