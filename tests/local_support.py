"""The local Telegram with the real bot polling it, and a headless Chromium to look at it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import make_settings

from bot.cli.polling import LocalThread
from bot.local.server import LocalTelegram


def local_bot(tmp: Path, store_settings, replier) -> LocalThread:
    """The real Application polling a LocalTelegram on a free port (in its own thread)."""
    settings = make_settings(tmp, chroma_path=store_settings.chroma_path, local_chat_port=0)
    return LocalThread(settings, replier, LocalTelegram(port=0)).start()


def chromium(download_dir: Path):
    """Debian's chromium, headless, through Debian's chromium-driver (skipped where missing)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        if os.environ.get("REQUIRE_CHROMIUM"):  # CI: .ci/run installed them
            pytest.fail("chromium or chromedriver is missing and REQUIRE_CHROMIUM is set")
        pytest.skip("chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=820,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir), "download.prompt_for_download": False,
        "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    return driver
