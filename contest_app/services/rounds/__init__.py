"""Rounds before the final: registration, import, qualifying and preliminary rounds, dossiers."""
