"""Storage: opening a catalogue (SQLite or PostgreSQL), migrations, backups, dumps, copies, what it holds."""
