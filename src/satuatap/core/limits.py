"""Bounds on numbers clients send, so that no value reaches the database outside its column's range."""

# Pagination offsets: far beyond any real list, well inside PostgreSQL's bigint (and int) range.
MAX_OFFSET = 1_000_000_000
