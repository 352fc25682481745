"""The local Bot API, as the tests import it (``from botapi_stub import BotApiStub``). It lives
in the package now (:mod:`bot.local.botapi`); this is only its old name."""

from bot.local.botapi import *
from bot.local.botapi import __all__  # noqa: F401
