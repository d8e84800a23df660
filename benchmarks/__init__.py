"""Benchmarks of the live path against a bare python-socketio broadcast (``python -m benchmarks.run``)."""
