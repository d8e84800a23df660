"""HTTP blueprints, one module per audience. ``register_blueprints`` is the whole URL map."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint, the error handlers and the template helpers."""
    from contest_app.views import auth, main
    from contest_app.views.helpers import register_helpers

    register_helpers(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    from contest_app.views import trust  # trust pages, results export, sign-in rate limits

    trust.init_app(app)
