"""``python -m bot ...``: the commands (``main``), polling mode with its status server
(``polling``), the console chat, the evaluation and the benchmarks.

Sits above every other package and may import any of them.
"""
