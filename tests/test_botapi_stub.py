"""Tests for the local Telegram Bot API stub (tests/botapi_stub.py).

They talk to the stub over real HTTP, both raw (aiohttp.ClientSession) and through a minimal
real python-telegram-bot Application polling it.
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

try:
    from botapi_stub import BOT_ID, BotApiStub, StubTimeoutError
except ImportError:  # tests/ became a package
    from tests.botapi_stub import BOT_ID, BotApiStub, StubTimeoutError

TOKEN = "123:ABC"
USER = 4242
# 1x1 PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, stub: BotApiStub, method: str, *,
               token: str = TOKEN, json_body: dict | None = None,
               **form: object) -> tuple[int, dict]:
    """POST like PTB does: form fields, with non-str values JSON-encoded."""
    url = f"{stub.base_url}{token}/{method}"
    if json_body is not None:
        resp = await http.post(url, json=json_body)
    else:
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}
        resp = await http.post(url, data=data)
    async with resp:
        return resp.status, await resp.json()


# --------------------------------------------------------------------------- raw HTTP


async def test_get_me_tokens_and_unknown_method(stub, http):
    status, body = await call(http, stub, "getMe")
    assert status == 200 and body["ok"]
    me = body["result"]
    assert me["id"] == BOT_ID and me["is_bot"] and me["username"] == "pathway_test_bot"
    assert me["can_join_groups"] is True

    status, body = await call(http, stub, "getme", token="999:XYZ", json_body={})
    assert status == 200 and body["result"]["first_name"] == "Pathway"
    assert stub.seen_tokens == [TOKEN, "999:XYZ"]

    status, body = await call(http, stub, "sendSticker", chat_id=1, sticker="x")
    assert status == 404
    assert body == {"ok": False, "error_code": 404,
                    "description": "Not Found: method not found"}
    assert [m for m, _ in stub.requests] == ["getMe", "getMe", "sendSticker"]


async def test_send_message_form_and_json_bodies(stub, http):
    stub.user_message(USER, "hi")
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    status, body = await call(http, stub, "sendMessage", chat_id=USER, text="123",
                              reply_markup=markup, disable_notification=True,
                              reply_parameters={"message_id": 1})
    assert status == 200, body
    msg = body["result"]
    assert msg["text"] == "123" and msg["chat"] == {"id": USER, "type": "private",
                                                    "first_name": "Tess"}
    assert msg["from"]["id"] == BOT_ID and msg["reply_to_message"]["text"] == "hi"
    assert msg["message_id"] == 2  # per-chat ids shared with the user's message
    rec = stub.sent[-1]
    assert rec["reply_markup"] == markup and rec["disable_notification"] is True
    assert rec["reply_to_message_id"] == 1 and rec["text"] == "123"

    status, body = await call(http, stub, "sendMessage",
                              json_body={"chat_id": USER, "text": "json body"})
    assert status == 200 and body["result"]["message_id"] == 3

    status, body = await call(http, stub, "sendMessage", chat_id=777, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await call(http, stub, "sendMessage", chat_id=USER, text="x",
                              reply_parameters={"message_id": 99})
    assert body["description"] == "Bad Request: message to be replied not found"


async def test_html_validation(stub, http):
    stub.user_message(USER, "hi")
    status, body = await call(http, stub, "sendMessage", chat_id=USER, text="a < b",
                              parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities: ")

    status, body = await call(http, stub, "sendMessage", chat_id=USER,
                              text="a &lt; b <b>x</b>", parse_mode="HTML")
    assert status == 200, body
    assert body["result"]["text"] == "a < b x"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 6, "length": 1}]
    assert stub.sent[-1]["text"] == "a &lt; b <b>x</b>"
    assert stub.sent[-1]["plain_text"] == "a < b x"

    ok_texts = ['<a href="https://e.com/?a=1&b=2">link</a> &amp; &#128512; &quot;',
                '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
                '<pre><code class="language-python">x = 1</code></pre><blockquote>q</blockquote>',
                "<b>bold <i>both</i></b> <u>u</u> <s>s</s> <code>&lt;tag&gt;</code> a > b"]
    for text in ok_texts:
        status, body = await call(http, stub, "sendMessage", chat_id=USER, text=text,
                                  parse_mode="HTML")
        assert status == 200, (text, body)

    bad_texts = ["R&D", "<b>x</i>", "<b>unclosed", "</b>", "x<br>y", "<span>x</span>",
                 "a&nbsp;b", "<div>x</div>", "1 <2"]
    for text in bad_texts:
        status, body = await call(http, stub, "sendMessage", chat_id=USER, text=text,
                                  parse_mode="HTML")
        assert status == 400, text
        assert "can't parse entities" in body["description"], (text, body)
    # without parse_mode the same text is fine
    status, _ = await call(http, stub, "sendMessage", chat_id=USER, text="a < b & c")
    assert status == 200


async def test_length_and_empty_text(stub, http):
    stub.user_message(USER, "hi")
    status, body = await call(http, stub, "sendMessage", chat_id=USER, text="x" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    status, _ = await call(http, stub, "sendMessage", chat_id=USER, text="x" * 4096)
    assert status == 200
    # the limit applies to the visible text, after tags and entities
    status, _ = await call(http, stub, "sendMessage", chat_id=USER,
                           text="<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    assert status == 200
    status, body = await call(http, stub, "sendMessage", chat_id=USER,
                              text="<b>" + "&amp;" * 4097 + "</b>", parse_mode="HTML")
    assert body["description"] == "Bad Request: message is too long"
    # like Telegram, the limit counts UTF-16 code units: an emoji outside the BMP counts 2
    status, _ = await call(http, stub, "sendMessage", chat_id=USER, text="\U0001F48A" * 2048)
    assert status == 200
    status, body = await call(http, stub, "sendMessage", chat_id=USER,
                              text="\U0001F48A" * 2048 + "x")
    assert (status, body["description"]) == (400, "Bad Request: message is too long")

    for empty in ("", "   \n", "<b></b>"):
        status, body = await call(http, stub, "sendMessage", chat_id=USER, text=empty,
                                  parse_mode="HTML")
        assert (status, body["description"]) == (400, "Bad Request: message text is empty")

    status, body = await call(http, stub, "editMessageText", chat_id=USER,
                              message_id=stub.sent[0]["message_id"], text="y" * 4097)
    assert body["description"] == "Bad Request: message is too long"


async def test_callback_data_limit(stub, http):
    stub.user_message(USER, "hi")
    for data, ok in (("d" * 64, True), ("d" * 65, False), ("é" * 33, False), ("", False)):
        markup = {"inline_keyboard": [[{"text": "B", "callback_data": data}]]}
        status, body = await call(http, stub, "sendMessage", chat_id=USER, text="t",
                                  reply_markup=markup)
        if ok:
            assert status == 200, body
        else:
            assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_edits_follow_telegram_rules(stub, http):
    stub.user_message(USER, "hi")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    _, body = await call(http, stub, "sendMessage", chat_id=USER, text="v1",
                         reply_markup=markup)
    mid = body["result"]["message_id"]
    status, body = await call(http, stub, "editMessageText", chat_id=USER, message_id=mid,
                              text="v1", reply_markup=markup)
    assert status == 400 and "message is not modified" in body["description"]
    status, body = await call(http, stub, "editMessageText", chat_id=USER, message_id=mid,
                              text="v2")
    assert status == 200 and "reply_markup" not in body["result"]  # keyboard dropped
    assert stub.messages(USER)[-1]["text"] == "v2"
    status, body = await call(http, stub, "editMessageReplyMarkup", chat_id=USER,
                              message_id=mid, reply_markup=markup)
    assert status == 200 and body["result"]["reply_markup"] == markup
    assert [r["method"] for r in stub.sent] == ["sendMessage", "editMessageText",
                                                "editMessageReplyMarkup"]
    status, body = await call(http, stub, "editMessageText", chat_id=USER, message_id=999,
                              text="x")
    assert body["description"] == "Bad Request: message to edit not found"
    status, body = await call(http, stub, "editMessageText", chat_id=USER, message_id=1,
                              text="x")
    assert body["description"] == "Bad Request: message can't be edited"


async def test_block_gives_403_and_my_chat_member(stub, http):
    stub.user_message(USER, "hi")
    update = stub.block(USER)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    status, body = await call(http, stub, "sendMessage", chat_id=USER, text="still there?")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    status, _ = await call(http, stub, "sendChatAction", chat_id=USER, action="typing")
    assert status == 403
    _, body = await call(http, stub, "getUpdates", offset=0, timeout=0)
    assert [("message" in u, "my_chat_member" in u) for u in body["result"]] == [
        (True, False), (False, True)]
    stub.unblock(USER)
    status, _ = await call(http, stub, "sendMessage", chat_id=USER, text="welcome back")
    assert status == 200
    assert [e["status"] for e in stub.errors] == [403, 403]


async def test_inject_error_429_and_502(stub, http):
    stub.user_message(USER, "hi")
    stub.inject_error("sendMessage", 429, retry_after=7)
    status, body = await call(http, stub, "sendMessage", chat_id=USER, text="t")
    assert status == 429
    assert body == {"ok": False, "error_code": 429,
                    "description": "Too Many Requests: retry after 7",
                    "parameters": {"retry_after": 7}}
    status, _ = await call(http, stub, "sendMessage", chat_id=USER, text="t")
    assert status == 200

    stub.inject_error("sendmessage", 502, count=2)
    for _ in range(2):
        status, body = await call(http, stub, "sendMessage", chat_id=USER, text="t")
        assert (status, body) == (502, {"ok": False, "error_code": 502,
                                        "description": "Bad Gateway"})
    status, _ = await call(http, stub, "sendMessage", chat_id=USER, text="t")
    assert status == 200
    assert [(i["method"], i["status"]) for i in stub.injected] == [
        ("sendMessage", 429), ("sendMessage", 502), ("sendMessage", 502)]
    assert len(stub.sent) == 2  # failed sends are not recorded as sent


async def test_long_polling_offset_limit_timeout(stub, http):
    start = time.monotonic()
    _, body = await call(http, stub, "getUpdates", timeout=1)
    assert body["result"] == [] and 0.9 <= time.monotonic() - start < 2

    # an update enqueued during a long poll ends it immediately
    async def later():
        await asyncio.sleep(0.2)
        stub.user_message(USER, "/start@pathway_test_bot hello @pathway_test_bot")

    task = asyncio.create_task(later())
    start = time.monotonic()
    _, body = await call(http, stub, "getUpdates", timeout=5)
    await task
    assert time.monotonic() - start < 1.5
    [update] = body["result"]
    msg = update["message"]
    assert msg["entities"] == [{"type": "bot_command", "offset": 0, "length": 23},
                               {"type": "mention", "offset": 30, "length": 17}]

    stub.user_message(USER, "two")
    stub.user_message(USER, "three")
    _, body = await call(http, stub, "getUpdates", limit=2)
    texts = [u["message"]["text"] for u in body["result"]]
    assert len(texts) == 2 and texts[0].startswith("/start") and texts[1] == "two"
    first_id = body["result"][0]["update_id"]
    _, body = await call(http, stub, "getUpdates", offset=first_id + 1)
    assert [u["message"]["text"] for u in body["result"]] == ["two", "three"]
    _, body = await call(http, stub, "getUpdates", offset=first_id + 3, timeout=0)
    assert body["result"] == []


async def test_multipart_photo_and_document(stub, http):
    stub.user_message(USER, "chart please")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("caption", "<b>Salary</b> chart")
    form.add_field("parse_mode", "HTML")
    form.add_field("photo", PNG, filename="chart.png", content_type="image/png")
    async with http.post(f"{stub.base_url}{TOKEN}/sendPhoto", data=form) as resp:
        body = await resp.json()
    assert resp.status == 200, body
    assert body["result"]["caption"] == "Salary chart"
    assert body["result"]["photo"][-1]["width"] == 1
    rec = stub.sent[-1]
    assert (rec["method"], rec["photo"], rec["filename"]) == ("sendPhoto", PNG, "chart.png")
    assert rec["caption"] == "<b>Salary</b> chart"

    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("document", b"a,b\n1,2\n", filename="plan.csv", content_type="text/csv")
    async with http.post(f"{stub.base_url}{TOKEN}/sendDocument", data=form) as resp:
        body = await resp.json()
    assert body["result"]["document"]["file_name"] == "plan.csv"
    assert stub.sent[-1]["document"] == b"a,b\n1,2\n"

    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("photo", b"not an image", filename="x.png")
    async with http.post(f"{stub.base_url}{TOKEN}/sendPhoto", data=form) as resp:
        body = await resp.json()
    assert body["description"] == "Bad Request: IMAGE_PROCESS_FAILED"


async def test_wait_helpers_buttons_and_callback_answers(stub, http):
    stub.user_message(USER, "hi")
    stub.mark()
    with pytest.raises(StubTimeoutError, match="expected 1 record"):
        await stub.wait_for_messages(USER, timeout=0.1)
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"},
                                   {"text": "Docs", "url": "https://example.com"}]]}
    await call(http, stub, "sendMessage", chat_id=USER, text="Ready?", reply_markup=markup)
    [rec] = await stub.wait_for_messages(USER, timeout=1)
    with pytest.raises(AssertionError, match=r"no button 'Nope'.*'Yes'"):
        stub.press_button_text(USER, rec, "Nope")
    update = stub.press_button_text(USER, rec, "Yes")
    query = update["callback_query"]
    assert query["data"] == "y" and query["message"]["message_id"] == rec["message_id"]
    with pytest.raises(AssertionError, match="sent by the bot"):
        stub.press_button(USER, stub.messages(USER)[0], "x")

    status, _ = await call(http, stub, "answerCallbackQuery", callback_query_id=query["id"],
                           text="ok")
    assert status == 200 and stub.callback_answers[-1]["text"] == "ok"
    status, body = await call(http, stub, "answerCallbackQuery", callback_query_id="1")
    assert status == 400 and "query ID is invalid" in body["description"]
    with pytest.raises(StubTimeoutError, match="not idle"):
        await stub.wait_idle(USER, quiet=0.1, timeout=0.3)  # the updates were never fetched
    await call(http, stub, "getUpdates")
    assert await stub.wait_idle(USER, quiet=0.1, timeout=2) == [rec]


# --------------------------------------------------------------------------- real PTB


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_action("typing")
    await update.message.reply_text(f"echo: {update.message.text}")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="ans:yes"),
                                      InlineKeyboardButton("No", callback_data="ans:no")]])
    await update.message.reply_text("<b>Pick</b> one", parse_mode=ParseMode.HTML,
                                    reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    context.bot_data.setdefault("queries", []).append(query)
    await query.answer("noted")
    await query.edit_message_text(f"You chose {query.data.split(':')[1]}")


@pytest.fixture
async def app(stub):
    application: Application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(stub.base_url)
        .base_file_url(stub.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_ptb_echo_over_long_polling(stub, app):
    assert stub.seen_tokens == [TOKEN]
    stub.mark()
    stub.user_message(USER, "hello there")
    [rec] = await stub.wait_for_messages(USER, method="sendMessage", timeout=10)
    assert rec["text"] == "echo: hello there"
    assert rec["reply_to_message_id"] is None
    assert ("sendChatAction", {"chat_id": USER, "action": "typing"}) in stub.requests
    assert rec["update_id"] == stub.updates[-1]["update_id"]

    stub.mark()
    stub.user_message(-100777, "group hi", chat_type="supergroup", chat_id=-100777)
    rec = await stub.wait_for(lambda r: r["chat_id"] == -100777, timeout=10)
    assert rec["text"] == "echo: group hi"
    assert rec["message"]["chat"]["type"] == "supergroup"

    [latency_1, latency_2] = stub.latencies()
    assert 0 <= latency_1 < 5 and 0 <= latency_2 < 5
    assert await stub.wait_idle(USER, quiet=0.2, timeout=5) == []


async def test_ptb_callback_button(stub, app):
    stub.mark()
    stub.user_message(USER, "/menu")
    [menu_msg] = await stub.wait_for_messages(USER, timeout=10)
    assert menu_msg["plain_text"] == "Pick one"
    assert menu_msg["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "ans:no"

    stub.mark()
    stub.press_button_text(USER, menu_msg, "No")
    edit = await stub.wait_for(lambda r: r["method"] == "editMessageText", timeout=10)
    assert edit["message_id"] == menu_msg["message_id"] and edit["text"] == "You chose no"
    answer = await stub.wait_for_request("answerCallbackQuery", timeout=5)
    assert answer["text"] == "noted"
    [query] = app.bot_data["queries"]
    assert isinstance(query, CallbackQuery) and query.data == "ans:no"
    assert query.message.message_id == menu_msg["message_id"]
    assert query.from_user.id == USER
    # the edit without reply_markup removed the keyboard, so nothing is left to press
    assert "reply_markup" not in stub.messages(USER, bot_only=True)[-1]
    with pytest.raises(AssertionError, match="no button"):
        stub.press_button_text(USER, menu_msg, "Yes")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # int retry_after
async def test_ptb_bot_sees_telegram_errors(stub):
    stub.user_message(USER, "hi")
    async with Bot(TOKEN, base_url=stub.base_url, base_file_url=stub.base_file_url) as bot:
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(USER, "a < b", parse_mode=ParseMode.HTML)
        stub.inject_error("sendMessage", 429, retry_after=3)
        with pytest.raises(RetryAfter) as exc_info:
            await bot.send_message(USER, "x")
        retry_after = exc_info.value.retry_after
        assert getattr(retry_after, "total_seconds", lambda: retry_after)() == 3
        stub.block(USER)
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(USER, "x")
        stub.unblock(USER)
        msg = await bot.send_photo(USER, PNG, caption="chart", filename="c.png")
        assert msg.photo and msg.caption == "chart"
        assert stub.sent[-1]["photo"] == PNG
        assert await bot.set_my_commands([("start", "Start"), ("menu", "Menu")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "menu"]
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()


async def test_non_text_updates_deserialize_in_ptb(stub):
    first = stub.user_message(USER, "original", username="tess_t")
    updates = [
        stub.user_sticker(USER),
        stub.user_photo(USER, caption="my certificate"),
        stub.user_voice(USER),
        stub.edited_message(USER, "edited text"),
        stub.user_message(USER, "replying", reply_to_message_id=first["message"]["message_id"]),
        stub.block(USER),
    ]
    async with Bot(TOKEN, base_url=stub.base_url, base_file_url=stub.base_file_url) as bot:
        sticker, photo, voice, edited, reply, blocked = (Update.de_json(u, bot) for u in updates)
        assert sticker.message.sticker.emoji == "👍"
        assert photo.message.photo and photo.message.caption == "my certificate"
        assert voice.message.voice.mime_type == "audio/ogg"
        assert edited.edited_message.text == "edited text"
        assert edited.edited_message.message_id == first["message"]["message_id"]
        assert reply.message.reply_to_message.text == "edited text"  # the current version
        assert reply.message.reply_to_message.from_user.username == "tess_t"
        assert blocked.my_chat_member.new_chat_member.status == "kicked"
        # the bot can download what users send
        tg_file = await bot.get_file(voice.message.voice.file_id)
        assert (await tg_file.download_as_bytearray()).startswith(b"OggS")

