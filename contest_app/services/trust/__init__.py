"""Trust: accounts, audit trail, backups and rate limits."""
