"""The chat page in a real browser (Debian's headless Chromium through chromium-driver): the
real bot on the local Telegram, used the way a person would, checked by what the page shows.

``SCREENSHOT_TO_DOCS=1`` also writes the screenshot the README shows (docs/chat-page.png)."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from local_support import chromium, local_bot

pytest.importorskip("selenium")
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

T = 90  # seconds: the first answer of a fresh process warms the model


@pytest.fixture(scope="module")
def local(tmp_path_factory, store_settings, replier):
    runner = local_bot(tmp_path_factory.mktemp("local"), store_settings, replier)
    yield runner.server
    runner.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    driver = chromium(downloads)
    yield driver
    driver.quit()


# --------------------------------------------------------------------------- helpers


def wait(driver, condition, what: str, timeout: float = T):
    # a message edited while read is re-rendered: its old element goes stale, so look again
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,
                                             NoSuchElementException)).until(
        lambda d: condition(d), message=f"timed out waiting for {what}")


def bot_rows(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#messages .row.bot")


def row_text(row) -> str:
    return row.find_element(By.CSS_SELECTOR, ".text").text


def send(driver, text: str) -> int:
    """Type ``text`` and press Send, as a person does; returns how many bot messages there
    were before."""
    before = len(bot_rows(driver))
    box = driver.find_element(By.ID, "text")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()
    wait(driver, lambda d: d.find_element(By.ID, "text").get_attribute("value") == "",
         "the composer to clear after sending")
    return before


def new_bot_row(driver, before: int, has: str, what: str):
    """The first bot message after the first ``before`` whose text contains ``has``."""
    def find(d):
        for row in bot_rows(d)[before:]:
            try:
                if has in row.text:
                    return row
            except Exception:  # noqa: BLE001 - re-rendered while read: look again
                return None
        return None
    return wait(driver, find, what)


def by_id(driver, message_id: str):
    return driver.find_element(By.CSS_SELECTOR, f'.row[data-id="{message_id}"]')


def tap(driver, row, label: str) -> None:
    """Press the inline button labelled ``label`` and wait for the message to change."""
    message_id = row.get_attribute("data-id")
    before = row.text
    buttons = [b for b in row.find_elements(By.CSS_SELECTOR, ".kbtn") if b.text == label]
    assert buttons, f"no button {label!r} in: {row.text}"
    buttons[0].click()
    wait(driver, lambda d: by_id(d, message_id).text != before, f"the tap on {label!r}")


def api_state(server, chat_id: int) -> dict:
    request = urllib.request.Request(f"{server.page_url}api/state?chat={chat_id}",
                                     headers={"X-Local-Token": server.page_token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# --------------------------------------------------------------------------- the walk through


def test_a_person_tries_the_whole_bot_in_the_page(local, browser, downloads, replier, tmp_path):
    d = browser
    d.get(local.page_url)
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#persona option"), "the page to load")
    assert d.find_element(By.ID, "chat-title").text == "Pathway"

    # the command menu is the one setMyCommands registered
    d.find_element(By.ID, "menu-toggle").click()
    items = wait(d, lambda d: [i for i in d.find_elements(By.CSS_SELECTOR, ".menu-command")
                               if i.is_displayed()], "the command menu")
    assert [i.text for i in items][:3] == ["/start", "/path", "/state"]
    d.find_element(By.ID, "menu-toggle").click()

    # 1. /start and the onboarding, tapped through
    before = send(d, "/start")
    new_bot_row(d, before, "", "the welcome")
    onboarding = wait(d, lambda d: [r for r in bot_rows(d)[before:]
                                    if r.find_elements(By.CSS_SELECTOR, ".kbtn")],
                      "the onboarding buttons")[0]
    onboarding_id = onboarding.get_attribute("data-id")
    for label in ("Certified (CPhT)", "Hospital", "Sterile compounding (IV)", "TX"):
        tap(d, by_id(d, onboarding_id), label)
    assert wait(d, lambda d: d.find_element(By.ID, "toast").text, "the Saved toast") == "Saved"
    summary = by_id(d, onboarding_id).text
    assert "All set" in summary and "edited" in summary  # edited in place, not sent anew

    # 2. a question: the cited answer, its links going to the cited sources
    question = "how do I get into sterile compounding?"
    expected = replier.answer(question)
    assert expected.kind == "answer" and expected.sources
    before = send(d, question)
    answer_id = new_bot_row(d, before, "Sources", "the answer").get_attribute("data-id")
    d.implicitly_wait(0)
    answer = wait(d, lambda d: by_id(d, answer_id) if by_id(d, answer_id).find_elements(
        By.CSS_SELECTOR, ".kbtn") else None, "the answer's buttons")
    hrefs = {a.get_attribute("href") for a in answer.find_elements(By.CSS_SELECTOR, ".text a")}
    assert {s.url for s in expected.sources} <= hrefs, (hrefs, expected.sources)
    first_line = row_text(answer).splitlines()[0]
    assert first_line == expected.to_text().splitlines()[0]
    for link in answer.find_elements(By.CSS_SELECTOR, ".text a"):
        assert link.get_attribute("target") == "_blank"

    # 3. a follow-up button
    followups = [b for b in answer.find_elements(By.CSS_SELECTOR, ".kbtn")
                 if b.text not in ("👍", "👎")]
    assert followups, row_text(answer)
    label = followups[0].text
    before = len(bot_rows(d))
    followups[0].click()
    new_bot_row(d, before, "Sources", f"the answer to the follow-up {label!r}")

    # 4. /path and /state texas
    before = send(d, "/path")
    roadmap = new_bot_row(d, before, "Your roadmap", "the roadmap")
    assert "Certification" in roadmap.text
    before = send(d, "/state texas")
    new_bot_row(d, before, "Texas", "the Texas rules")

    # 5. two CE entries
    expires = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    before = send(d, f"/ce set ptcb-cpht {expires}")
    new_bot_row(d, before, "", "the credential set")
    for entry in ('/ce add 2 law "Federal pharmacy law update"',
                  '/ce add 1.5 general "IV room refresher"'):
        before = send(d, entry)
        new_bot_row(d, before, "", f"{entry} acknowledged")

    # 6. /ce status: the chart has loaded
    before = send(d, "/ce status")
    chart = wait(d, lambda d: [i for r in bot_rows(d)[before:]
                               for i in r.find_elements(By.CSS_SELECTOR, "img.photo")],
                 "the chart")[0]
    wait(d, lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", chart),
         "the chart image to load")
    d.execute_script("arguments[0].scrollIntoView({block: 'end'})", chart)
    shot = tmp_path / "chat-page.png"
    d.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("SCREENSHOT_TO_DOCS"):
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "chat-page.png").write_bytes(shot.read_bytes())

    # 7. /ce export: the CSV downloads with both entries
    before = send(d, "/ce export")
    link = wait(d, lambda d: [a for r in bot_rows(d)[before:]
                              for a in r.find_elements(By.CSS_SELECTOR, "a.document")],
                "the CSV")[0]
    assert link.get_attribute("download").endswith(".csv")
    link.click()
    csv_file = wait(d, lambda d: [p for p in downloads.glob("*.csv")
                                  if p.stat().st_size > 0], "the download")[0]
    time.sleep(0.3)
    content = csv_file.read_text("utf-8")
    assert "Federal pharmacy law update" in content and "IV room refresher" in content

    # 8. a crisis message: 988 first
    before = send(d, "i cant do this anymore i want to kill myself")
    crisis = new_bot_row(d, before, "988", "the crisis reply")
    assert "988" in row_text(crisis).split("\n\n")[0]
    assert "Sources" not in crisis.text


def test_hostile_text_is_shown_as_text_and_never_runs(local, browser):
    d = browser
    d.get(local.page_url)
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#persona option"), "the page to load")
    Select = pytest.importorskip("selenium.webdriver.support.select").Select
    Select(d.find_element(By.ID, "persona")).select_by_value("sam")
    payload = ('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
               '<b onclick="window.__pwned = 3">bold?</b> &amp; \u202eRTL txet\u202c '
               'مرحبا שלום 🧪👩\u200d⚕️ zero\u200bwidth\u200d\ufeff ')
    too_long = payload + "x" * (5000 - len(payload))
    box = d.find_element(By.ID, "text")
    # 5,000 characters: refused with a clear message, and the text stays in the box
    d.execute_script("arguments[0].value = arguments[1]", box, too_long)
    d.find_element(By.ID, "send").click()
    toast = wait(d, lambda d: d.find_element(By.ID, "toast").text, "the refusal")
    assert "too long" in toast and "4096" in toast
    assert box.get_attribute("value") == too_long
    # the same payload at a length Telegram takes: shown exactly as typed
    text = payload + "y" * (4000 - len(payload))
    before = len(bot_rows(d))
    d.execute_script("arguments[0].value = arguments[1]", box, text)
    d.find_element(By.ID, "send").click()
    mine = wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .row.me .text"),
                "the message shown")[-1]
    assert d.execute_script("return arguments[0].textContent", mine) == text
    wait(d, lambda d: len(bot_rows(d)) > before, "the bot's reply")
    time.sleep(1)
    assert d.execute_script("return window.__pwned") is None
    assert d.find_elements(By.CSS_SELECTOR, "#messages script, #messages img:not(.photo), "
                                            "#messages [onclick], #messages [onerror]") == []
    mine.find_element(By.XPATH, "..").click()  # clicking the text runs nothing either
    assert d.execute_script("return window.__pwned") is None


def test_the_time_control_brings_a_renewal_reminder_into_the_chat(local, browser):
    d = browser
    d.get(local.page_url)
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#persona option"), "the page to load")
    Select = pytest.importorskip("selenium.webdriver.support.select").Select
    Select(d.find_element(By.ID, "persona")).select_by_value("sam")
    expires = dt.date.today() + dt.timedelta(days=120)
    before = send(d, f"/ce set ptcb-cpht {expires.isoformat()}")
    new_bot_row(d, before, "", "the credential set")
    d.find_element(By.ID, "clock-toggle").click()
    when = d.find_element(By.ID, "clock-at")
    # 60 days before expiration, 15:00 UTC (daytime in New York, the default time zone)
    d.execute_script("arguments[0].value = arguments[1]", when,
                     f"{expires - dt.timedelta(days=60):%Y-%m-%d}T15:00")
    before = len(bot_rows(d))
    d.find_element(By.ID, "clock-go").click()
    result = wait(d, lambda d: "sent" in d.find_element(By.ID, "clock-result").text and
                  d.find_element(By.ID, "clock-result").text, "the clock's result")
    assert "1 sent" in result, result
    reminder = new_bot_row(d, before, "", "the renewal reminder")
    assert expires.strftime("%B") in reminder.text, reminder.text
    # the same instant again sends nothing twice
    d.find_element(By.ID, "clock-go").click()
    wait(d, lambda d: "0 sent" in d.find_element(By.ID, "clock-result").text
         or "no reminder" in d.find_element(By.ID, "clock-result").text, "the second run")
    assert len(bot_rows(d)) == before + 1


def test_in_the_group_the_bot_answers_a_mention_or_a_reply_only(local, browser):
    d = browser
    d.get(local.page_url)
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#persona option"), "the page to load")
    Select = pytest.importorskip("selenium.webdriver.support.select").Select
    Select(d.find_element(By.ID, "persona")).select_by_value("group-tess")
    assert d.find_element(By.ID, "chat-title").text == "Pharmacy team"
    assert d.find_element(By.ID, "group-hint").is_displayed()
    send(d, "how do i renew my cpht")  # not addressed to the bot: silence
    before = len(bot_rows(d))
    d.find_element(By.ID, "mention").click()  # "@pathway_test_bot " into the composer
    box = d.find_element(By.ID, "text")
    box.send_keys("how do i renew my cpht")
    d.find_element(By.ID, "send").click()
    answer = new_bot_row(d, before, "Sources", "the answer to the mention")
    assert len(bot_rows(d)) == before + 1  # the unaddressed message got nothing
    assert "how do i renew my cpht" in answer.find_element(By.CSS_SELECTOR, ".quote").text

    # Sam replies to the bot's answer, without a mention: answered too
    Select(d.find_element(By.ID, "persona")).select_by_value("group-sam")
    rows = wait(d, lambda d: bot_rows(d), "the group's messages")
    rows[-1].find_element(By.CSS_SELECTOR, ".reply-to").click()
    assert "Replying to Pathway" in d.find_element(By.ID, "replying-text").text
    before = send(d, "how long does that take")
    reply = new_bot_row(d, before, "", "the answer to the reply")
    assert "Sam" in reply.find_element(By.CSS_SELECTOR, ".quote").text


class _Evil(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>another site</title><p>hello"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_request_from_another_origin_is_refused(local, browser):
    # even a page elsewhere that somehow knew the page token gets nothing through
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        d = browser
        d.get(f"http://127.0.0.1:{evil.server_address[1]}/")
        outcome = d.execute_async_script("""
            const [url, token, done] = arguments;
            fetch(url + "api/send", {method: "POST", mode: "no-cors",
                headers: {"Content-Type": "text/plain", "X-Local-Token": token},
                body: JSON.stringify({persona: "tess", text: "sent from another site"})})
              .then(() => done("sent"), (e) => done("blocked: " + e));
            """, local.page_url, local.page_token)
        assert outcome  # the browser sent it (no-cors) or refused to
        time.sleep(1)
    finally:
        evil.shutdown()
    texts = [m.get("text") for m in api_state(local, 1001)["messages"]]
    assert "sent from another site" not in texts
    # the same request straight over HTTP, with a foreign Origin: 403
    request = urllib.request.Request(
        f"{local.page_url}api/send", method="POST",
        data=json.dumps({"persona": "tess", "text": "sent from another site"}).encode(),
        headers={"X-Local-Token": local.page_token, "Content-Type": "application/json",
                 "Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    # and with a wrong Host (DNS rebinding): 403
    request = urllib.request.Request(f"{local.page_url}", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as rebound:
        urllib.request.urlopen(request, timeout=10)
    assert rebound.value.code == 403
