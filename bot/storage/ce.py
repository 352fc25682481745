"""The CE tracker's data: a user's credentials (expiration, cycle start, snooze) and their log
of CE entries (deleted entries kept while their Undo button works).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update

from bot.storage.models import CECredential, CEEntryRow, SentNudge, utcnow
from bot.storage.nudges import NUDGE_RECEIVED, CredentialRecord, _record
from bot.storage.users import UserStore


class CEStore(UserStore):
    """Credentials and CE entries. Setting or snoozing a credential computes its next nudge
    again."""

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

    # --- imports from a CPE Monitor transcript ------------------------------------------------

    async def import_entries(self, user_id: int, batch: str, rows: list[dict]) -> int:
        """Add ``rows`` (the columns of each entry) as one import, all or nothing, in one
        transaction; each carries ``batch`` so :meth:`undo_import` removes exactly them. Creates
        the user's row if there is none, and computes the next nudges again as any change to
        the log does. Returns how many were added."""
        await self.touch_user(user_id)
        async with self.session() as s:
            s.add_all(CEEntryRow(user_id=user_id, import_batch=batch, **fields)
                      for fields in rows)
            await s.flush()
            await self._reschedule(s, user_id)
        return len(rows)

    async def undo_import(self, user_id: int, batch: str) -> int:
        """Remove every entry of the import ``batch`` (all or nothing); how many there were."""
        async with self.session() as s:
            result = await s.execute(
                delete(CEEntryRow).where(CEEntryRow.user_id == user_id,
                                         CEEntryRow.import_batch == batch))
            await self._reschedule(s, user_id)
            return result.rowcount
