"""``pttutor-grade watch``: re-grade the current exercise whenever its file is saved, and
move on to the next one when all its checks pass.

File-system events (watchdog) wake the loop at once; a poll of the file's modification time
and size every ``interval`` seconds catches what events miss (network drives, some editors,
systems where events do not work), so either way a save is seen. ``PTTUTOR_WATCH_POLL=1``
turns events off and polls only.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

SETTLE = 0.2  # seconds to let an editor finish writing before grading


def fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class Changes:
    """Waits for a file to change, by events where available and by polling always."""

    def __init__(self, folder: Path, interval: float) -> None:
        self.interval = interval
        self.wake = threading.Event()
        self.observer = None
        if not os.environ.get("PTTUTOR_WATCH_POLL"):  # set it to poll only
            try:
                from watchdog.events import FileSystemEventHandler
                from watchdog.observers import Observer
            except ImportError:
                return
            wake = self.wake

            class Handler(FileSystemEventHandler):
                def on_any_event(self, event) -> None:
                    wake.set()

            try:
                self.observer = Observer()
                self.observer.schedule(Handler(), str(folder), recursive=False)
                self.observer.daemon = True
                self.observer.start()
            except OSError:
                self.observer = None

    @property
    def mode(self) -> str:
        return "file events" if self.observer is not None else f"polling every {self.interval:g} s"

    def wait(self, path: Path, seen: tuple[int, int] | None, stop: Callable[[], bool] = lambda: False) -> None:
        """Return once ``path``'s fingerprint differs from ``seen`` (and has settled)."""
        while not stop():
            self.wake.wait(self.interval)
            self.wake.clear()
            now = fingerprint(path)
            if now is not None and now != seen:
                time.sleep(SETTLE)
                return

    def close(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=2)


def watch(workspace, current, grade: Callable, render: Callable, show: Callable[[str], None],
          clear: Callable[[], None], interval: float) -> None:
    """Grade ``current`` now and on every save; when it passes, go on with the next pending exercise.

    ``grade(exercise, path)`` returns a report, ``render(report)`` its text; ``show(text)``
    prints. Returns when every exercise is done; Ctrl-C (KeyboardInterrupt) goes to the caller.
    """
    changes = Changes(workspace.root, interval)
    try:
        while current is not None:
            path = workspace.file_for(current)
            seen = fingerprint(path)
            clear()
            if seen is None:
                show(f"Waiting for {path.name} to appear ...")
            else:
                report = grade(current, path)
                workspace.record(current.id, report.score, report.max_score, report.passed)
                show(render(report))
                if report.passed:
                    done = current
                    current = workspace.next_pending()
                    if current is None:
                        show(f"\nAll checks of {done.id} passed, and every exercise is done. Well done!")
                        return
                    show(f"\nAll checks of {done.id} passed. Next: {current.id} ({workspace.file_for(current).name})")
                    continue
            show(f"\nWatching {path.name} ({changes.mode}); save it to re-grade, Ctrl-C to stop.")
            changes.wait(path, seen)
    finally:
        changes.close()
