"""Facts about the deployment kept with the data: today the fingerprint of the secret key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from contest_app.extensions import db
from contest_app.models.types import utcnow


class DeploymentSetting(db.Model):
    """One named value of the deployment (never a secret: fingerprints, not keys)."""

    __tablename__ = "deployment_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
