"""The live protocol's names: namespaces, rooms, events. docs/live-protocol.md documents them.

Events sent by clients are imperative (``submit_mark``); events sent by the server are
past tense (``mark_recorded``).
"""
from __future__ import annotations

JUDGE_NS = "/judge"
BOARD_NS = "/board"
CONTROL_NS = "/control"
PRESENT_NS = "/present"

# client -> server
SUBMIT_MARK = "submit_mark"
HEARTBEAT = "heartbeat"
GET_STATE = "get_state"
GET_SNAPSHOT = "get_snapshot"
GET_SEQ = "get_seq"
GET_DESK = "get_desk"
SET_STAGE = "set_stage"
OPEN_SEGMENT = "open_segment"
CLOSE_SEGMENT = "close_segment"
REVEAL_SEGMENT = "reveal_segment"
REVEAL_PRIZES = "reveal_prizes"
ACCEPT_LATE_MARK = "accept_late_mark"
REJECT_LATE_MARK = "reject_late_mark"
CEREMONY_NEXT = "ceremony_next"
CEREMONY_PREVIOUS = "ceremony_previous"
CEREMONY_STOP = "ceremony_stop"

# server -> client
STATE_CHANGED = "state_changed"
SEGMENT_OPENED = "segment_opened"
SEGMENT_CLOSED = "segment_closed"
STAGE_CHANGED = "stage_changed"
BOARD_SNAPSHOT = "board_snapshot"
BOARD_UPDATED = "board_updated"
DESK_UPDATED = "desk_updated"
DESK_CHANGED = "desk_changed"
MARK_RECORDED = "mark_recorded"
JUDGE_SEEN = "judge_seen"
LATE_MARK_RECEIVED = "late_mark_received"
MARK_STATUS = "mark_status"

# /present: the projector screen and the desk's presenter buttons (see live/present.py)
# client (desk) -> server
SHOW_QUESTION = "show_question"
SHOW_NEXT = "show_next"
SHOW_PREVIOUS = "show_previous"
REVEAL_ANSWER = "reveal_answer"
START_COUNTDOWN = "start_countdown"
STOP_COUNTDOWN = "stop_countdown"
TOGGLE_COUNTDOWN = "toggle_countdown"
SHOW_SITUATION = "show_situation"
CLEAR_SCREEN = "clear_screen"
GET_PRESENT_STATE = "get_present_state"
# server -> screens and desks
PRESENT_STATE = "present_state"
QUESTION_SHOWN = "question_shown"
ANSWER_REVEALED = "answer_revealed"
SITUATION_SHOWN = "situation_shown"
COUNTDOWN_STARTED = "countdown_started"
COUNTDOWN_STOPPED = "countdown_stopped"
SCREEN_CLEARED = "screen_cleared"

READ_ONLY_MESSAGE = "Bảng điểm chỉ để xem: kênh này không nhận thao tác chấm điểm hay điều khiển."
DESK_DENIED = "Chỉ Bàn điều khiển, Ban Thư ký hoặc Ban Tổ chức được điều khiển phần thi. Vui lòng đăng nhập."
UNKNOWN_EDITION = "Không tìm thấy kỳ thi cần theo dõi."


def board_room(edition_id: int) -> str:
    return f"board:{edition_id}"


def judges_room(edition_id: int) -> str:
    return f"judges:{edition_id}"


def judge_room(judge_id: int) -> str:
    return f"judge:{judge_id}"


def control_room(edition_id: int) -> str:
    return f"control:{edition_id}"


def present_room(edition_id: int) -> str:
    return f"present:{edition_id}"
