"""The bot token never reaches a log line or a printed traceback."""

from __future__ import annotations

import logging
import sys


class RedactToken(logging.Filter):
    """Never let the bot token reach a log line (URLs of Bot API calls contain it)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg, record.args = message.replace(self.token, "[token]"), ()
            if record.exc_info and not record.exc_text:  # tracebacks can quote request URLs
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text and self.token in record.exc_text:
                record.exc_text = record.exc_text.replace(self.token, "[token]")
        return True


#: Loggers that do not propagate to the root logger, with handlers of their own.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")

_redactor: RedactToken | None = None


def redact_loggers(*names: str) -> None:
    """Attach the installed redaction to these loggers and their handlers (for loggers that
    do not propagate, such as uvicorn's, configured when its server is made)."""
    if _redactor is None:
        return
    for name in names:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if _redactor not in target.filters:
                target.addFilter(_redactor)


def install_token_redaction(token: str) -> None:
    """Every log handler (uvicorn's too), and uncaught exceptions, print "[token]" for the
    token."""
    global _redactor
    redactor = _redactor = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    redact_loggers(*UVICORN_LOGGERS)
    if not token:
        return
    previous = sys.excepthook

    def redacting_hook(kind, value, tb) -> None:
        import traceback

        text = "".join(traceback.format_exception(kind, value, tb)).replace(token, "[token]")
        sys.stderr.write(text)

    if getattr(previous, "__name__", "") != "redacting_hook":
        sys.excepthook = redacting_hook
