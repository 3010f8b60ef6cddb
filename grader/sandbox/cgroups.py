"""Control groups for workers: memory (including what they share and their children's) and
processes, made as children of the grader's own groups, on cgroup v1 or v2; nothing where the
machine offers no writable group."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

CGROUP_PREFIX = "pttutor-"


class _CGroups:
    """Control groups for workers: memory (including what they share and their children's) and
    processes, as children of this process's own groups; cgroup v1 and v2."""

    root = Path("/sys/fs/cgroup")

    def _own(self) -> dict[str, Path]:
        """Where this process's cgroups are, per controller we use, if we may write there."""
        found: dict[str, Path] = {}
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return found
        v2 = (self.root / "cgroup.controllers").is_file()
        for line in lines:
            _, controllers, rel = line.split(":", 2)
            rel = rel.lstrip("/")
            if v2 and controllers == "":
                base = self.root / rel
                wanted = {"memory", "pids"} & set((base / "cgroup.controllers").read_text().split()) \
                    if (base / "cgroup.controllers").is_file() else set()
                for name in wanted:
                    found[name] = base
            for name in controllers.split(","):
                if name in ("memory", "pids") and not v2:
                    found[name] = self.root / name / rel
        return {k: v for k, v in found.items() if os.access(v, os.W_OK)}

    def create(self, name: str, memory_mb: int, pids: int) -> list[str]:
        """New groups called ``name`` with the limits set; their folders (empty where none can be
        made). A group whose limit cannot be set is removed again, not handed out without it."""
        made = []
        for controller, base in self._own().items():
            folder = base / name
            if str(folder) not in made:  # on cgroup v2 one folder holds both controllers
                try:
                    if folder.exists():  # left over: it would carry its old limits and processes
                        self.remove([str(folder)])
                    folder.mkdir()
                except OSError:
                    continue
            try:
                if controller == "memory" and memory_mb:
                    limit = str(memory_mb * 1024 * 1024)
                    for file in ("memory.max", "memory.limit_in_bytes", "memory.swap.max",
                                 "memory.memsw.limit_in_bytes"):
                        if (folder / file).exists():
                            (folder / file).write_text("0" if file == "memory.swap.max" else limit)
                if controller == "pids":
                    (folder / "pids.max").write_text(str(pids))
            except OSError:
                self.remove([str(folder)])
                if str(folder) in made:
                    made.remove(str(folder))
                continue
            if str(folder) not in made:
                made.append(str(folder))
        return made

    @staticmethod
    def remove(folders: list[str]) -> None:
        for folder in folders:
            for _ in range(100):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        break
                    threading.Event().wait(0.02)

    def clean_stale(self, alive: Callable[[int], bool]) -> None:
        """Remove empty groups left by graders that are gone (``alive(pid)`` says which are not)."""
        for base in set(self._own().values()):
            for folder in base.glob(CGROUP_PREFIX + "*"):
                try:
                    pid = int(folder.name[len(CGROUP_PREFIX):].split("-")[0])
                except ValueError:
                    continue
                if not alive(pid):
                    self.remove([str(folder)])


cgroups = _CGroups()
