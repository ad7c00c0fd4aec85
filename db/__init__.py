"""Persistence: SQLAlchemy models, repositories, unit of work, migrations. No Telegram here."""
