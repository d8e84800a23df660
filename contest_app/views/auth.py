"""Signing in and out with a password (Flask-Login)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from contest_app.extensions import db, login_manager
from contest_app.models import User
from contest_app.services.trust.accounts import authenticate
from contest_app.services.trust.ratelimit import begin_attempt

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(message="Vui lòng nhập tên đăng nhập."),
                                                         Length(max=80, message="Tên đăng nhập dài tối đa 80 ký tự.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired(message="Vui lòng nhập mật khẩu."),
                                                  Length(max=200, message="Mật khẩu dài tối đa 200 ký tự.")])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        # The attempt is counted before the password is checked (a burst cannot slip through),
        # per address AND username: an attacker elsewhere never locks this user out.
        attempt = begin_attempt(kind="login", target=(form.username.data or "").strip().lower()[:80])
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            attempt.failed()
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "danger")
            return render_template("auth/login.html", form=form), 401
        attempt.succeeded()
        login_user(user)
        flash(f"Xin chào {user.display_name}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign the user out."""
    logout_user()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("main.index"))
