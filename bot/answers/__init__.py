"""From a question to a reply: the safety reading and the language of a message, embedding,
retrieval over the store, the reply built from whole sections (``compose``) with its fixed
texts (``templates``), batching, and the engine's loader.

May import :mod:`bot.content` and :mod:`bot.settings`.
"""
