"""A counsellor's override, as the engine must remember it. Pure: no I/O.

The service stores the override on the conversation row; this keeps the triage state in
step, so the person's next message does not undo it: a lowered urgent flag stays lowered
until NEW signs of danger arrive (safety first), and an overridden level or referral is
pinned (`TriageState.overridden`) for the service to show instead of the rules' verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.reasons import reason
from triage.state import TriageState

# Evidence that made the conversation urgent; the danger lists find it afresh in any
# later message that shows danger again.
DANGER_SIGNALS = ("danger_self", "danger_other")
WARNING = "warning_"  # warning signs (see triage/evidence.py) add up to danger
PINNED = ("level", "refer_to")


def apply_override(state: TriageState, changes: Mapping[str, Any]) -> TriageState:
    """The state after a counsellor set `level`, `urgent` and/or `refer_to` (any subset).

    A later override replaces the pins it names and keeps the others."""
    st = state.copy()
    pins = dict(st.overridden)
    for key in PINNED:
        if key in changes:
            pins[key] = changes[key]
            setattr(st, key, changes[key])  # the engine's "never goes down" starts here
    st.overridden = pins
    if "urgent" in changes:
        if changes["urgent"]:
            st.urgent = True
        else:
            st.urgent = False
            st.signals = [
                s for s in st.signals if s not in DANGER_SIGNALS and not s.startswith(WARNING)
            ]
            # New danger later is a new crisis: the person gets the crisis contacts again.
            st.crisis_sent = False
            st.add_reason(reason("urgent_lowered"))
    return st


def shown(state: TriageState, level: str, refer_to: str | None) -> tuple[str, str | None]:
    """The level and referral to show: the counsellor's pins over the rules' verdict.

    A referral belongs to face_to_face only, so a pinned lower level drops the rules'
    referral unless the counsellor pinned one too."""
    pins = state.overridden
    shown_level = str(pins.get("level") or level)
    if "refer_to" in pins:
        return shown_level, pins["refer_to"]
    return shown_level, refer_to if shown_level == "face_to_face" else None


def release_on_new_danger(state: TriageState) -> bool:
    """New signs of danger outweigh an override made before them: the pins go, and the
    rules' urgent verdict is shown. True when there were pins to release."""
    if not state.overridden:
        return False
    state.overridden = {}
    state.add_reason(reason("override_released"))
    return True
