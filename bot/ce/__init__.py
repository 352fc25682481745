"""The CE domain, pure (no I/O, no clock): the types (``model``), the parsing of ``/ce`` input,
the renewal ``rules``, the credential data (``data/``, ``loader``, ``credentials``), when each
nudge is due (``timing``) and the status chart.

May import :mod:`bot.career` and :mod:`bot.content`; never storage, telegram or service.
"""
