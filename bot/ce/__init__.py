"""The CE domain: credential rules as data, pure functions over them, and the /ce handlers.

* :mod:`bot.ce.rules` — the rule types and the pure functions (parsing, cycles, status);
* :mod:`bot.ce.loader` — reads ``bot/ce/data/*.yaml`` and checks them against the knowledge base;
* :mod:`bot.ce.credentials` — every credential the tracker knows (the files, and the states);
* :mod:`bot.ce.timing` — when each renewal nudge is due (pure, the clock passed in);
* :mod:`bot.telegram.nudges` — the nudge dispatcher (due rows only, claimed, then sent);
* :mod:`bot.ce.chart` — the /ce status chart; :mod:`bot.telegram.handlers.ce` — the /ce Telegram handlers.

Nothing here imports :mod:`bot.telegram.app`: the handlers send through :mod:`bot.telegram.sending`.
This file imports nothing, so importing ``bot.ce.rules`` (as storage does) stays light.
"""
