"""Every kind of button pressed on a message that no longer exists (the user deleted it; issue
18, item 18): the action still happens and its result arrives as a new message; nobody gets
the generic apology. The buttons are taken from the bot's real keyboards; each is pressed on a
message that is deleted before the bot handles the press.
"""

from __future__ import annotations

import asyncio

from e2e_support import running_bot
from test_telegram_e2e import T, ask, buttons, command

from bot.answers.templates import APOLOGY
from bot.cli.transcript_sample import render_text, sample_activities
from bot.telegram.app import CALLBACKS

USER = 8801


def datas(record: dict) -> list[str]:
    return [b["callback_data"] for b in buttons(record) if "callback_data" in b]


async def test_every_button_on_a_deleted_message_gets_its_result_and_no_apology(
        tmp_path, replier, caplog):
    async with running_bot(tmp_path, replier) as rb:
        stub = rb.stub
        found: dict[str, str] = {}  # prefix -> one real callback_data

        def keep(record: dict) -> None:
            for data in datas(record):
                found.setdefault(data.split(":", 1)[0], data)

        for text, n in (("/start", 2), ("/profile", 1), ("/settings", 1), ("/topics", 1),
                        ("/forget", 1), ("/path", 1), ("/nudges", 1)):
            for record in await command(stub, USER, text, n):
                keep(record)
        topic = found["tp"]
        stub.mark()
        stub.press_button(USER, (await command(stub, USER, "/help"))[0], topic)
        keep(await stub.wait_for(lambda r: r["chat_id"] == USER and bool(datas(r))
                                 and datas(r)[0].startswith("tq:"), timeout=T))
        keep(await ask(stub, USER, "how do i renew my cpht"))
        # CE in plain words (Log it / Edit / Cancel) and a pasted transcript's preview (Import)
        for record in await command(stub, USER, "did 2 hrs of law ce yesterday"):
            keep(record)
        for record in await command(stub, USER, "/ce import\n" + render_text(
                sample_activities(3))):
            keep(record)
        # the edit-in-place kinds, and the ones a nudge carries
        found.setdefault("pf", "pf:setting")
        found["ob_profile"] = "ob:p:state:TX"
        found.setdefault("snz", "snz:1:ptcb-cpht")
        found.setdefault("nudges", "nudges:off")
        found.setdefault("ce", "ce:set:ptcb-cpht")
        found.setdefault("pq", found["pa"].replace("pa:", "pq:"))  # under a roadmap step
        found["fg_no"] = found["fg"].replace("fg:yes:", "fg:no:")
        assert set(CALLBACKS) <= {k.split("_")[0] for k in found}, sorted(found)

        for kind, data in sorted(found.items()):
            (carrier,) = await command(stub, USER, "/help")
            stub.mark()
            update = stub.press_button(USER, carrier, data)
            stub.delete_message(carrier)  # gone before the bot handles the press
            qid = update["callback_query"]["id"]
            await stub.wait_for_request(
                "answerCallbackQuery", lambda p, q=qid: str(p.get("callback_query_id")) == q,
                timeout=T)
            sent = await stub.wait_idle(USER, quiet=0.5, timeout=T)
            texts = [r.get("plain_text") or r.get("text") or "" for r in sent]
            assert APOLOGY not in texts, (kind, data, texts)
            if kind in ("ob", "ob_profile", "pf", "tz", "fg", "fg_no"):
                # an edit of the vanished message: its result came as a new message
                assert any(r["method"] == "sendMessage" for r in sent), (kind, data, sent)
        await asyncio.sleep(0.2)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [
        r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
