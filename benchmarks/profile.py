"""Summarise a py-spy collapsed-stack profile: ``python -m benchmarks.profile FILE [--top 25]``.

Prints the share of samples in which each function is on the stack (inclusive) and at the
top of the stack (self), for the functions of contest_app, the Socket.IO stack and the rest.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^():]+)(?::\d+)?\)$")


def _name(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    for marker in ("site-packages/", "python3.11/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match.group('func')} ({path})"


def summarise(path: Path, top: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_name(f) for f in stack.split(";")]
        for name in set(frames):
            inclusive[name] += n
        self_time[frames[-1]] += n
    if not total:
        return f"{path}: no samples"
    lines = [f"{path.name}: {total} samples", "", "inclusive (on the stack)"]
    lines += [f"{100 * c / total:6.1f}%  {name}" for name, c in inclusive.most_common(top)]
    lines += ["", "self (top of the stack)"]
    lines += [f"{100 * c / total:6.1f}%  {name}" for name, c in self_time.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(summarise(args.file, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
