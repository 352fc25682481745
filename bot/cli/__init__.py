"""``python -m bot ...``: the commands (``main``), polling mode with its status server
(``polling``, which also runs the bot on the local Telegram), the evaluation and the benchmarks.

Sits above every other package and may import any of them.
"""
