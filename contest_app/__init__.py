"""contest_app: contest management and live judging.

This module holds the application factory and nothing else.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported inside create_app: ``python -m contest_app`` patches gevent first
    from flask import Flask


def create_app(config: Any = None) -> Flask:
    """Create and configure the application.

    ``config`` may be a mapping of settings or an object/class whose
    upper-case attributes are settings; it overrides what the environment says.
    """
    import os
    from pathlib import Path

    from flask import Flask

    from contest_app import paths
    from contest_app.config import Config, check_keys

    # CONTEST_INSTANCE_PATH (a deployment's state folder) if set; else a checkout keeps its
    # instance folder beside the package (instance/), an installed package Flask's default,
    # <venv>/var/contest_app-instance.
    instance_path = os.environ.get("CONTEST_INSTANCE_PATH") or (
        str(paths.CHECKOUT_DIR / "instance") if paths.is_checkout() else None
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(paths.TEMPLATES_DIR),
        static_folder=str(paths.STATIC_DIR),
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
    if not app.config.get("SECRET_KEY"):
        # Only the demo and the tests generate a key in the instance folder (check_keys refuses a
        # missing key in production); the commands that print credentials refuse such a key on a
        # shared database.
        app.config["SECRET_KEY_FROM_INSTANCE"] = True
    if not app.config.get("CONTEST_JUDGE_KEY"):
        app.config["JUDGE_KEY_FROM_INSTANCE"] = True
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
