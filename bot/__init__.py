"""The pathway bot; ``python -m bot`` runs it. Packages by concern, each importing only those
below it: cli; service; telegram; storage; ce; career and answers; content. ``settings`` and
``text`` may be imported from anywhere (the table is in ``tests/test_layering.py``).
"""
