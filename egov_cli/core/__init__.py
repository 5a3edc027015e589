"""Core: configuration, the error family, the tables, the change history, the column schema, safe file writing."""
