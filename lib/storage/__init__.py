"""The stores' shared base: databases (SQLite or PostgreSQL), migrations with Alembic, transactions."""
