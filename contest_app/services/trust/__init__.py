"""Trust: accounts, audit trail, locked results, backups and rate limits."""
