"""Use cases. Services flush and never commit: the caller (a view, a socket handler,
a CLI command) commits once, then broadcasts."""
