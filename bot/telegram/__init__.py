"""The Telegram front end: ``build_application`` and its wiring (``app``), the handlers by
feature (``handlers/``), sending, formatting, rate limits and the renewal-nudge dispatcher.

May import :mod:`bot.storage` and everything below it; never :mod:`bot.service`.
"""
