"""The local Telegram's server without the bot: where it binds, what it refuses, and the Bot API
methods the page relies on, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys

import aiohttp
import pytest
from conftest import ROOT

from bot.local.server import BindRefused, LocalTelegram, check_bind_address

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
async def local():
    server = LocalTelegram(port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def test_only_the_loopback_unless_a_setting_says_so():
    assert check_bind_address("127.0.0.1", False) is None
    with pytest.raises(BindRefused, match="no login"):
        check_bind_address("0.0.0.0", False)
    warning = check_bind_address("0.0.0.0", True)
    assert "WARNING" in warning and "no login" in warning


def test_make_run_refuses_0_0_0_0_and_says_why(tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "LOCAL_CHAT_HOST": "0.0.0.0",
           "BOT_MODE": "polling", "CHROMA_PATH": str(tmp_path / "none"),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "0.0.0.0" in done.stderr and "LOCAL_CHAT_ALLOW_REMOTE" in done.stderr
    assert "Traceback" not in done.stderr


async def bot_call(http, server, method, token=None, **params):
    url = f"{server.base_url}{token or server.bot_token}/{method}"
    async with http.post(url, json=params) as response:
        return response.status, await response.json()


async def page_call(http, server, method, path, **kwargs):
    headers = {"X-Local-Token": server.page_token, **kwargs.pop("headers", {})}
    async with http.request(method, server.page_url + path.lstrip("/"), headers=headers,
                            **kwargs) as response:
        return response.status, await response.json()


async def test_the_bot_api_answers_in_telegrams_shape(local):
    async with aiohttp.ClientSession() as http:
        assert await bot_call(http, local, "getMe", token="1000:guessed") == (
            401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        status, body = await bot_call(http, local, "sendSticker", chat_id=1001)
        assert status == 404 and body["ok"] is False and body["error_code"] == 404
        status, body = await bot_call(http, local, "getMe")
        assert status == 200 and body["result"]["is_bot"]


async def test_what_the_bot_sends_is_what_the_page_gets(local):
    async with aiohttp.ClientSession() as http:
        _, sent = await bot_call(http, local, "sendMessage", chat_id=1001, parse_mode="HTML",
                                 text='<b>hi</b> <a href="https://ptcb.org/">PTCB</a>')
        message_id = sent["result"]["message_id"]
        await bot_call(http, local, "sendChatAction", chat_id=1001, action="typing")
        _, view = await page_call(http, local, "GET", "/api/state?chat=1001")
        assert view["typing"] > 0
        (shown,) = view["messages"]
        assert shown["text"] == "hi PTCB"
        assert {"type": "text_link", "offset": 3, "length": 4,
                "url": "https://ptcb.org/"} in shown["entities"]
        await bot_call(http, local, "editMessageText", chat_id=1001, message_id=message_id,
                       text="edited")
        _, view = await page_call(http, local, "GET", "/api/state?chat=1001")
        assert view["typing"] == 0  # a message ends "typing…"
        assert view["messages"][0]["text"] == "edited" and view["messages"][0]["edit_date"]

        form = aiohttp.FormData()
        form.add_field("chat_id", "1001")
        form.add_field("document", b"date,hours\n2026-01-02,2\n", filename="ce-log.csv",
                       content_type="text/csv")
        async with http.post(f"{local.base_url}{local.bot_token}/sendDocument",
                             data=form) as response:
            document = (await response.json())["result"]["document"]
        form = aiohttp.FormData()
        form.add_field("chat_id", "1001")
        form.add_field("photo", PNG, filename="chart.png", content_type="image/png")
        async with http.post(f"{local.base_url}{local.bot_token}/sendPhoto", data=form) as r:
            photo = (await r.json())["result"]["photo"][-1]
        files = f"{local.page_url}api/files/"
        async with http.get(files + document["file_id"],
                            params={"token": local.page_token}) as response:
            assert response.status == 200 and await response.read() == b"date,hours\n2026-01-02,2\n"
            assert response.headers["Content-Disposition"] == 'attachment; filename="ce-log.csv"'
        async with http.get(files + photo["file_id"], params={"token": local.page_token}) as r:
            assert r.status == 200 and await r.read() == PNG and r.content_type == "image/png"
        async with http.get(files + photo["file_id"]) as response:
            assert response.status == 403  # not without the page's token

        assert (await bot_call(http, local, "deleteMessage", chat_id=1001,
                               message_id=message_id))[0] == 200
        _, view = await page_call(http, local, "GET", "/api/state?chat=1001")
        assert message_id not in [m["message_id"] for m in view["messages"]]
        status, body = await bot_call(http, local, "deleteMessage", chat_id=1001,
                                      message_id=message_id)
        assert status == 400 and "not found" in body["description"]
        _, view = await page_call(http, local, "GET", "/api/config")
        assert [p["key"] for p in view["personas"]] == ["tess", "sam", "group-tess", "group-sam"]


@pytest.mark.parametrize(("body", "says"), [
    ({"persona": "mallory", "text": "hi"}, "unknown persona"),
    ({"persona": "tess", "text": "   "}, "empty"),
    ({"persona": "tess", "text": "x" * 4097}, "too long"),
    ({"persona": "tess", "text": "hi", "reply_to": 999}, "not in this chat"),
])
async def test_bad_input_from_the_page_gets_a_clear_message(local, body, says):
    async with aiohttp.ClientSession() as http:
        status, answer = await page_call(http, local, "POST", "/api/send", json=body)
        assert status == 400 and says in answer["description"]
        status, answer = await page_call(http, local, "POST", "/api/press",
                                         json={"persona": "tess", "message_id": 1, "data": "x"})
        assert status == 400 and "gone" in answer["description"]
        status, answer = await page_call(http, local, "POST", "/api/clock", json={"now": "x"})
        assert status == 400  # no bot attached here
        _, view = await page_call(http, local, "GET", "/api/state?chat=1001")
        assert view["messages"] == []  # nothing half-sent


async def test_requests_from_elsewhere_are_refused(local):
    async with aiohttp.ClientSession() as http:
        status, body = await page_call(http, local, "POST", "/api/send",
                                       json={"persona": "tess", "text": "hi"},
                                       headers={"Origin": "http://evil.example"})
        assert status == 403 and "cross-origin" in body["description"]
        status, body = await page_call(http, local, "POST", "/api/send",
                                       json={"persona": "tess", "text": "hi"},
                                       headers={"X-Local-Token": "guessed"})
        assert status == 403 and "token" in body["description"]
        status, _ = await page_call(http, local, "GET", "/", headers={"Host": "evil.example"})
        assert status == 403
        async with http.get(local.page_url) as response:  # the page itself: own script only
            assert response.status == 200
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        status, _ = await page_call(http, local, "POST", "/api/send",
                                    json={"persona": "tess", "text": "hi"},
                                    headers={"Origin": local.page_url.rstrip("/")})
        assert status == 200


async def test_a_file_from_the_page_reaches_the_chat_as_a_document(local):
    async with aiohttp.ClientSession() as http:
        form = aiohttp.FormData()
        form.add_field("persona", "sam")
        form.add_field("file", b"my notes", filename="notes.txt", content_type="text/plain")
        status, body = await page_call(http, local, "POST", "/api/upload", data=form)
        assert status == 200, body
        empty = aiohttp.FormData()
        empty.add_field("persona", "sam")
        empty.add_field("file", b"", filename="empty.txt", content_type="text/plain")
        status, refused = await page_call(http, local, "POST", "/api/upload", data=empty)
        assert status == 400 and "empty" in refused["description"]
        _, view = await page_call(http, local, "GET", "/api/state?chat=1002")
    (message,) = view["messages"]
    assert message["message_id"] == body["message_id"]
    assert message["document"]["file_name"] == "notes.txt"
    assert message["from"]["first_name"] == "Sam"
    (update,) = [u for u in local.updates if "message" in u]
    assert update["message"]["document"]["file_name"] == "notes.txt"  # what the bot gets
