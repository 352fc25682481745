"""What the bot knows: the document contract (``documents``), the state records (``states``)
and the figures the documents state (``figures``).

Imports nothing of ours but :mod:`bot.settings`.
"""
