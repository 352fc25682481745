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


def install_token_redaction(token: str) -> None:
    """Every log handler, and uncaught exceptions too, print "[token]" for the token."""
    redactor = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    if not token:
        return
    previous = sys.excepthook

    def redacting_hook(kind, value, tb) -> None:
        import traceback

        text = "".join(traceback.format_exception(kind, value, tb)).replace(token, "[token]")
        sys.stderr.write(text)

    if getattr(previous, "__name__", "") != "redacting_hook":
        sys.excepthook = redacting_hook
