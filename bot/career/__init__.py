"""The career model: stages, credential paths and their sources as YAML (``data/``, read and
checked by ``loader``), eligibility and the roadmap as pure functions (``model``).

May import :mod:`bot.content` and :mod:`bot.settings`; never storage, telegram or service.
"""
