"""The serving process's garbage-collector tuning (contest_app.server.tune_gc), in a fresh interpreter."""
from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import gc; from contest_app.server import tune_gc; before = gc.get_freeze_count(); tune_gc(); "
    "print(gc.get_threshold()[0], gc.get_freeze_count() > before)"
)


def _probe(**env: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, check=True)
    return done.stdout.strip()


def test_serving_freezes_the_start_up_objects_and_collects_the_young_generation_less_often():
    assert _probe() == "50000 True"


def test_the_tuning_can_be_turned_off():
    assert _probe(CONTEST_GC_TUNING="0") == "700 False"
