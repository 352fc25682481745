"""The handlers of the Telegram front end, one module per feature; ``bot.telegram.app``
registers them.

Part of :mod:`bot.telegram`: may import storage and everything below it, never service.
"""
