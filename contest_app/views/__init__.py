"""HTTP blueprints, one module per audience. ``register_blueprints`` is the whole URL map."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint, the error handlers and the template helpers."""
    from contest_app.views import (
        auth,
        board,
        control,
        judge,
        judges_admin,
        main,
        organiser,
        prelim,
        present,
        secretariat,
        trust,
        unit,
    )
    from contest_app.views.helpers import register_helpers

    register_helpers(app)
    for module in (main, auth, organiser, unit, prelim, judge, control, board, judges_admin, present, secretariat):
        app.register_blueprint(module.bp)
    # trust pages, the results export and the sign-in rate limits
    trust.init_app(app)
