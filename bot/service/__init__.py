"""Webhook mode: the Starlette webhook with its health, readiness and metrics routes (``web``)
and the durable per-chat update inbox shared by replicas (``inbox``).

May import :mod:`bot.telegram` and everything below it.
"""
