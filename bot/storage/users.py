"""Users and their profiles: created on first contact, the profile the onboarding and /profile
fill in, active or blocked, and forgetting everything about a user.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, String, column, delete, table, update
from sqlalchemy.exc import IntegrityError

from bot.storage.models import CECredential, CEEntryRow, Feedback, SentNudge, Turn, User
from bot.storage.nudges import NudgeStore

#: The webhook inbox (bot/service/inbox.py, migration 0003), as far as forgetting needs it.
_INBOX = table("update_inbox", column("chat_id", BigInteger), column("state", String),
               column("payload", JSON))
#: What a handled inbox row keeps of its update: nothing (its update_id is the row's key).
BLANK_PAYLOAD: dict = {}


class UserStore(NudgeStore):
    """Users and profiles. A change to what a nudge depends on (time zone, nudge setting,
    activity, chat) computes the user's next nudges again."""

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

    # --- forgetting --------------------------------------------------------------------------

    async def forget(self, user_id: int) -> None:
        """Delete everything stored about the user, and blank the webhook inbox's copies of
        their private chat's updates (the one being handled, the /forget, included; rows
        still waiting are messages sent after it, blanked once handled)."""
        async with self.session() as s:
            for model in (Feedback, Turn, CEEntryRow, CECredential, SentNudge):
                await s.execute(delete(model).where(model.user_id == user_id))
            await s.execute(delete(User).where(User.id == user_id))
            await s.execute(update(_INBOX)
                            .where(_INBOX.c.chat_id == user_id, _INBOX.c.state != "pending")
                            .values(payload=BLANK_PAYLOAD))
