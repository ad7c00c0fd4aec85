"""Use cases: what a user can do, on top of the repositories and the questionnaire engine.

Knows nothing of Telegram. Each write runs in one `uow.write()` transaction and commits before
the caller talks to Telegram again.
"""
