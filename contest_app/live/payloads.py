"""The shape of every Socket.IO payload, checked by pydantic before a handler uses it.

Ids are strict integers (a boolean is not an id, ``true`` is not judge 1) between 1 and
2^63 - 1, so nothing reaches the database that it cannot hold; flags are strict
booleans; a mark is a plain decimal number with a bounded number of digits, checked on
its text before any rounding ("-0", "1e1", "８", "9.99999999999999999999" are refused);
an idempotency key matches its pattern in full (``re.fullmatch``: "abcdefgh\\n" is
refused); no text carries NUL or control characters. ``parse`` turns a refusal into the
protocol's ``{"ok": false, "code", "message"}`` (Vietnamese) through ``ValidationError``.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt
from pydantic import ValidationError as PydanticError

from contest_app.services.errors import ValidationError
from contest_app.services.trust.inputs import decimal_text, has_control

MAX_ID = 2**63 - 1
BAD_REQUEST = "Yêu cầu không hợp lệ: thiếu hoặc sai thông tin (đội thi, phần thi, mã lần gửi)."
NOT_A_NUMBER = "Điểm phải là một số (ví dụ 8,5)."
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,80}")
SEGMENT_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


class _NotANumber(ValueError):
    """A mark that is not a plain bounded number."""


def _fullmatch(pattern: re.Pattern[str]):
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError("pattern")
        return value

    return check


def _no_control(value: str) -> str:
    if has_control(value):
        raise ValueError("control characters")
    return value


def _mark_value(value: Any) -> str:
    # Up to 4 integer digits (a segment's maximum is at most 100) and 4 decimals: a mark on any
    # grid fits, and a longer text can never be rounded into a valid mark.
    # A minus sign is let through to the service, which answers "below zero" in words;
    # a negative zero ("-0", "-0,0") is not a number anyone means and is refused here.
    negative = isinstance(value, str) and value.strip(" \t").startswith("-")
    if negative:
        value = value.strip(" \t")[1:]
        if value[:1] in (" ", "\t"):  # "- 5" is not a number anyone types
            raise _NotANumber("not a number")
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        negative, value = True, -value
    number = decimal_text(value, int_digits=4, places=4)
    if number is None or (negative and number == 0):
        raise _NotANumber("not a number")
    return ("-" if negative else "") + format(number, "f")


def _sent_at(value: Any) -> str | None:
    # The tablet's own clock, informative only: an unreadable one is dropped, never the mark.
    if isinstance(value, str) and len(value) <= 40 and re.fullmatch(r"[0-9T:.+\-Z ]+", value):
        return value
    return None


def _edition_ref(value: Any) -> int | str:
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int):
        if not 1 <= value <= MAX_ID:
            raise ValueError("out of range")
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value.strip(" ")):
        return value.strip(" ")
    raise ValueError("edition")


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
Number = Annotated[StrictInt, Field(ge=1, le=10_000)]
SegmentKey = Annotated[str, Field(max_length=40), AfterValidator(_fullmatch(SEGMENT_PATTERN))]
IdempotencyKey = Annotated[str, Field(max_length=80), AfterValidator(_fullmatch(KEY_PATTERN))]
MarkValue = Annotated[str, BeforeValidator(_mark_value)]
EditionRef = Annotated[int | str, BeforeValidator(_edition_ref)]
Token = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_control)]


class Payload(BaseModel):
    """Base of the payload models: unknown keys are ignored, nothing is coerced."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class Empty(Payload):
    """An event that carries nothing the server reads (get_state, get_desk, close_segment …)."""


class SubmitMark(Payload):
    """``submit_mark`` on /judge."""

    entry_id: Id
    segment_key: SegmentKey
    value: MarkValue
    idempotency_key: IdempotencyKey
    judge_id: Id | None = None
    sent_at: Annotated[str | None, BeforeValidator(_sent_at)] = None


class Heartbeat(Payload):
    """``heartbeat`` on /judge: how many marks the tablet still holds unsent."""

    unsent: Count | None = None


class JudgeAuth(Payload):
    """The ``auth`` of a /judge connection: a personal token, or nothing (the signed-in session)."""

    token: Token | None = None


class EditionAuth(Payload):
    """The ``auth`` of a /control, /board or /present connection (and ``get_snapshot``)."""

    edition: EditionRef | None = None
    edition_id: EditionRef | None = None


class SetStage(Payload):
    """``set_stage`` on /control: the team put on stage, or null for nobody."""

    entry_id: Id | None = None


class EntrySegment(Payload):
    """``open_segment`` on /control: a team and a segment."""

    entry_id: Id | None = None
    segment_key: SegmentKey | None = None


class RevealSegment(EntrySegment):
    """``reveal_segment`` on /control (``revealed: false`` hides it again)."""

    revealed: StrictBool = True


class CloseSegment(Payload):
    """``close_segment`` on /control (``confirm_missing: true`` closes with judges' marks missing)."""

    confirm_missing: StrictBool = False


class LateMarkDecision(Payload):
    """``accept_late_mark`` / ``reject_late_mark`` on /control."""

    late_mark_id: Id
    reason: Annotated[str, Field(max_length=2000), AfterValidator(_no_control)] | None = None


class RevealPrizes(Payload):
    """``reveal_prizes`` on /control."""

    revealed: StrictBool = True


class PresentEvent(EditionAuth):
    """Every presenter event on /present: the edition, optionally a team, a number, autostart, seconds."""

    entry_id: Id | None = None
    number: Number | None = None
    autostart: StrictBool | None = None
    seconds: Annotated[StrictInt, Field(ge=1, le=3600)] | None = None


M = TypeVar("M", bound=Payload)


def parse(model: type[M], data: Any, *, message: str = BAD_REQUEST) -> M:
    """``data`` checked against ``model``; a refusal is a ValidationError with a Vietnamese message.

    ``None`` counts as an empty payload. A mark that is not a plain number is refused with
    ``not_a_number``; any other mismatch with ``bad_request``.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(message, code="bad_request")
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        for error in exc.errors():
            if isinstance((error.get("ctx") or {}).get("error"), _NotANumber):
                raise ValidationError(NOT_A_NUMBER, code="not_a_number") from None
        raise ValidationError(message, code="bad_request") from None


def cleaned(model: type[Payload], data: Any) -> dict[str, Any]:
    """``parse`` then the payload as a dict of the keys that were sent (for handlers that read a dict)."""
    return parse(model, data).model_dump(exclude_unset=True)


__all__ = [
    "BAD_REQUEST", "CloseSegment", "Empty", "LateMarkDecision", "EditionAuth", "EntrySegment", "Heartbeat", "JudgeAuth", "MAX_ID",
    "PresentEvent", "RevealPrizes", "RevealSegment", "SetStage", "SubmitMark", "cleaned", "parse",
]
