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
    from contest_app.views import present; app.register_blueprint(present.bp)  # noqa: E702
    from contest_app.views import secretariat; app.register_blueprint(secretariat.bp)  # noqa: E702
    from contest_app.views import organiser, prelim, unit; [app.register_blueprint(m.bp) for m in (organiser, unit, prelim)]  # noqa: E702
    from contest_app.views import board, control, judge, judges_admin; [app.register_blueprint(m.bp) for m in (judge, control, board, judges_admin)]  # noqa: E702
    from contest_app.views import trust  # trust pages, results export, sign-in rate limits

    trust.init_app(app)
