"""Fill ``ce_credentials.next_nudge_due`` for every row from what the database holds: the
backfill of revision ``0002_next_nudge_due``.

It works on the tables as 0002 leaves them (Core table stubs, not the ORM models) and computes
with :func:`bot.ce.timing.next_nudge_due_for`, the rule ``Storage`` applies on every change:
NULL for a user who cannot be nudged (inactive, nudges off, no private chat) and for a
credential nothing more can be sent for. No lower bound in time is applied (the value is
computed from the stored state alone), so a row may come out earlier than its true next nudge;
the dispatcher's first tick reads it once and moves it on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.ce.timing import ClaimState, next_nudge_due_for

log = logging.getLogger(__name__)

credentials = sa.table(
    "ce_credentials", sa.column("id", sa.Integer), sa.column("user_id", sa.BigInteger),
    sa.column("credential", sa.String), sa.column("expiration", sa.Date),
    sa.column("snoozed_until", sa.DateTime), sa.column("next_nudge_due", sa.DateTime),
)
users = sa.table(
    "users", sa.column("id", sa.BigInteger), sa.column("chat_id", sa.BigInteger),
    sa.column("timezone", sa.String), sa.column("active", sa.Boolean),
    sa.column("nudges_enabled", sa.Boolean),
)
sent_nudges = sa.table(
    "sent_nudges", sa.column("user_id", sa.BigInteger), sa.column("credential", sa.String),
    sa.column("expiration", sa.Date), sa.column("milestone", sa.String),
    sa.column("status", sa.String), sa.column("claimed_at", sa.DateTime),
    sa.column("next_try_at", sa.DateTime),
)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.UTC)


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def reschedule_all(conn: Connection, batch_size: int = 5000) -> int:
    """Compute ``next_nudge_due`` for every credential row, ``batch_size`` rows at a time (by
    id); returns the number of rows. A row that cannot be computed is logged and set NULL."""
    done, last_id = 0, None
    while True:
        query = (
            sa.select(credentials.c.id, credentials.c.user_id, credentials.c.credential,
                      credentials.c.expiration, credentials.c.snoozed_until, users.c.chat_id,
                      users.c.timezone, users.c.active, users.c.nudges_enabled)
            .join(users, users.c.id == credentials.c.user_id)
            .order_by(credentials.c.id).limit(batch_size)
        )
        if last_id is not None:
            query = query.where(credentials.c.id > last_id)
        rows = conn.execute(query).all()
        if not rows:
            return done
        claims: dict[tuple[int, str], list[ClaimState]] = defaultdict(list)
        for claim in conn.execute(
            sa.select(sent_nudges)
            .join(credentials, sa.and_(
                sent_nudges.c.user_id == credentials.c.user_id,
                sent_nudges.c.credential == credentials.c.credential,
                sent_nudges.c.expiration == credentials.c.expiration))
            .where(credentials.c.id.between(rows[0].id, rows[-1].id))
        ):
            claims[(claim.user_id, claim.credential)].append(ClaimState(
                claim.milestone, claim.status, _aware(claim.claimed_at),
                _aware(claim.next_try_at)))
        values = []
        for row in rows:
            due = None
            if row.active and row.nudges_enabled and row.chat_id is not None:
                try:
                    due = next_nudge_due_for(
                        row.credential, row.expiration, row.timezone,
                        claims.get((row.user_id, row.credential), ()),
                        _aware(row.snoozed_until))
                except Exception:  # one bad row must not stop the upgrade
                    log.exception("next nudge of user %s's %s not computed: left empty",
                                  row.user_id, row.credential)
            values.append({"row_id": row.id, "due": _naive(due)})
        conn.execute(
            credentials.update().where(credentials.c.id == sa.bindparam("row_id"))
            .values(next_nudge_due=sa.bindparam("due")),
            values,
        )
        done += len(rows)
        last_id = rows[-1].id
