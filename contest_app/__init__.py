"""contest_app: contest management and live judging.

This module holds the application factory and nothing else.
"""
from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: Any = None) -> Flask:
    """Create and configure the application.

    ``config`` may be a mapping of settings or an object/class whose
    upper-case attributes are settings; it overrides what the environment says.
    """
    from pathlib import Path

    from contest_app.config import Config, check_keys

    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.from_object(Config())
    if config is not None:
        if isinstance(config, dict):
            app.config.from_mapping(config)
        else:
            app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'contest_app.sqlite'}"
        )
    check_keys(app.config, Path(app.instance_path))

    from contest_app.extensions import init_extensions

    init_extensions(app)
    from contest_app.services.trust.inputs import guard_lengths
    from contest_app.services.trust.audit import watch_marks

    guard_lengths()  # every text checked (length, control characters) before each flush
    watch_marks()  # every change of a mark is a chained audit record
    proxies = int(str(app.config.get("CONTEST_TRUSTED_PROXIES") or 0))
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address (rate limits, logs) is the one the trusted proxies forwarded.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from werkzeug.routing import IntegerConverter

    class BoundedInt(IntegerConverter):
        """``<int:…>`` up to 2^63 - 1: a longer number is no id (404), never an overflow in the database."""

        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", 2**63 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedInt

    from contest_app.views import register_blueprints

    register_blueprints(app)

    from contest_app.live import register_live

    register_live(app)

    from contest_app.cli import register_commands

    register_commands(app)
    return app
