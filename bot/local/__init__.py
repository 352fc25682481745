"""The local Telegram: a Bot API server the real Application talks to, and the chat page and
terminal chat on top of it (``make run`` without a token). May import telegram and below."""
