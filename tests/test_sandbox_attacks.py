"""Attacks on the sandbox, one per way a submission could reach what it must not: each scores 0,
leaks nothing into what the grader reports, and leaves nothing behind.

Every attack is the ex02 stub (an honest score of 0) with code that looks for something and
raises it into its check's message, where a leak would show. They need the full sandbox
(root with CAP_SYS_ADMIN, or user namespaces) and are skipped with the reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import hostile, solution_source, stub_source
from pttutor.grader import course
from pttutor.grader.authoring import mistakes
from pttutor.grader.sandbox import host, process
from pttutor.grader.sandbox.cgroups import cgroups

EX = "ex02-cost-surface"
FAST = {"budget": 20.0, "load_timeout": 8.0}
NEEDS_FULL = pytest.mark.skipif(host.available()["full"] is not None,
                                reason=f"no full sandbox here: {host.available()['full']}")


def everything(report) -> str:
    """All the text a report shows anyone: messages, notes, output, protections."""
    return "\n".join([*(c.message for c in report.checks), *report.notes, report.output, *report.protections])


def leak_probe(expressions: dict[str, str]) -> str:
    """A function body that evaluates each expression and raises what it could get."""
    lines = ["    found = {}"]
    for name, expr in expressions.items():
        lines += ["    try:", f"        found[{name!r}] = {expr}", "    except Exception as exc:",
                  f"        found[{name!r}] = type(exc).__name__"]
    lines.append("    raise RuntimeError(repr(found))")
    return "\n".join(lines)


@pytest.fixture
def fresh_server():
    """A fork server started after the test changed this process's environment."""
    if process._server is not None:
        process._server.close()
    yield
    if process._server is not None:
        process._server.close()


@NEEDS_FULL
def test_host_secrets_do_not_reach_the_worker(grade_source, tmp_path_factory, monkeypatch, fresh_server):
    token = f"sk-secret-{os.getpid()}-{time.time_ns()}"
    monkeypatch.setenv("GITHUB_TOKEN", token)
    private = tmp_path_factory.mktemp("home") / ".kaggle"
    private.mkdir()
    (private / "kaggle.json").write_text('{"key": "' + token + '"}')
    os.chmod(private, 0o700)
    body = leak_probe({
        "env": "[v for v in __import__('os').environ.values()]",
        "environ": "open('/proc/self/environ', 'rb').read()",
        "parent": "open(f'/proc/{__import__(\"os\").getppid()}/environ', 'rb').read()",
        "others": "[open(f'/proc/{p}/environ', 'rb').read() for p in __import__('os').listdir('/proc') if p.isdigit()]",
        "kaggle": f"open({str(private / 'kaggle.json')!r}).read()",
        "shadow": "open('/etc/shadow').read()[:80]",
        "root": "__import__('os').listdir('/root')",
    })
    report = grade_source(EX, hostile(body=body), **FAST)
    text = everything(report)
    assert report.score == 0
    assert token not in text
    assert "root:" not in text.split("'shadow':")[-1][:20]


@NEEDS_FULL
def test_copies_of_the_answers_elsewhere_on_disk_are_out_of_reach(grade_source, tmp_path_factory):
    other = tmp_path_factory.mktemp("other-checkout")
    os.chmod(other, 0o755)
    copy = other / "build" / "lib" / "solutions" / EX
    copy.mkdir(parents=True)
    (copy / "ex02_cost_surface.py").write_text(solution_source(EX))
    thief = (
        "import os\n"
        "_seen = 0\n"
        "for _top in ('/tmp', '/work', '/root', '/home', '/'):\n"
        "    for _dir, _subdirs, _files in os.walk(_top):\n"
        "        _subdirs[:] = [d for d in _subdirs if d not in ('proc', 'sys', 'dev', 'usr', '.pyenv', '.git')]\n"
        "        _seen += 1\n"
        "        if _seen > 20000:\n"
        "            break\n"
        "        for _f in _files:\n"
        "            if _f in ('ex02_cost_surface.py',) or (_f.endswith('.py') and 'mistake' in _dir):\n"
        "                try:\n"
        "                    _text = open(os.path.join(_dir, _f)).read()\n"
        "                except OSError:\n"
        "                    continue\n"
        "                if 'def plot_cost_surface' in _text and 'NotImplementedError' not in _text:\n"
        "                    try:\n"
        "                        exec(_text)\n"
        "                    except Exception:\n"
        "                        pass\n"
    )
    report = grade_source(EX, hostile(thief), budget=30.0, load_timeout=25.0)
    assert report.score == 0, [c.name for c in report.checks if c.passed]


@NEEDS_FULL
def test_a_classmate_next_door_is_out_of_reach(tmp_path):
    """``check --path class/mallory/file.py``: mallory cannot read ../alice."""
    from pttutor.grader.grading import engine

    alice, mallory = tmp_path / "class" / "alice", tmp_path / "class" / "mallory"
    alice.mkdir(parents=True)
    mallory.mkdir()
    (alice / "ex02_cost_surface.py").write_text(solution_source(EX))
    thief = ("import os\n"
             "try:\n"
             "    exec(open(os.path.join(os.path.dirname(os.getcwd()), 'alice', 'ex02_cost_surface.py')).read())\n"
             "except OSError:\n"
             "    pass\n")
    (mallory / "ex02_cost_surface.py").write_text(hostile(thief))
    report = engine.grade(course.default().get(EX), mallory / "ex02_cost_surface.py", hidden=True, **FAST)
    assert report.score == 0


SHM_WRITER = (
    "import ctypes, os\n"
    "open('/dev/shm/pttutor-drop-{token}', 'w').write('from student A')\n"
    "open('/tmp/pttutor-drop-{token}', 'w').write('from student A')\n"
    "_libc = ctypes.CDLL(None)\n"
    "_libc.shmget.restype = ctypes.c_int\n"
    "_id = _libc.shmget({key}, 4096, 0o1666)\n"  # IPC_CREAT | 0666
)
SHM_READER = leak_probe({
    "shm": "open('/dev/shm/pttutor-drop-{token}').read()",
    "tmp": "open('/tmp/pttutor-drop-{token}').read()",
    "sysv": "__import__('ctypes').CDLL(None).shmget({key}, 0, 0)",
})


@NEEDS_FULL
def test_shared_memory_and_temporary_files_are_not_shared(grade_source):
    token, key = f"{os.getpid()}{time.time_ns()}", 0x5EC0000 + os.getpid() % 65536
    fill = {"{token}": token, "{key}": str(key)}
    writer, reader = SHM_WRITER, SHM_READER
    for mark, value in fill.items():
        writer, reader = writer.replace(mark, value), reader.replace(mark, value)
    grade_source(EX, hostile(writer), **FAST)
    report = grade_source(EX, hostile(body=reader), **FAST)
    text = everything(report)
    assert "from student A" not in text
    assert "'sysv': -1" in text, text[:500]  # shmget found no segment with that key
    assert not Path(f"/dev/shm/pttutor-drop-{token}").exists()
    assert not Path(f"/tmp/pttutor-drop-{token}").exists()


KERNEL_FILES = ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches", "/proc/sys/vm/overcommit_memory",
                "/proc/sysrq-trigger", "/sys/kernel/mm/transparent_hugepage/enabled", "/dev/kmsg", "/dev/kvm",
                "/sys/fs/cgroup/memory/memory.limit_in_bytes"]


@NEEDS_FULL
def test_kernel_settings_cannot_be_opened_for_writing(grade_source):
    # Opening for writing is the attack (nothing is written, even where it would succeed).
    body = "\n".join(["    import os", "    opened = []", f"    for path in {KERNEL_FILES!r}:", "        try:",
                      "            os.close(os.open(path, os.O_WRONLY))", "            opened.append(path)",
                      "        except OSError:", "            pass", "    raise RuntimeError(f'opened {opened}')"])
    report = grade_source(EX, hostile(body=body), **FAST)
    assert report.score == 0
    assert all("opened []" in c.message for c in report.checks), [c.message for c in report.checks][:2]


@NEEDS_FULL
def test_writing_to_its_own_folder_stops_at_the_cap(grade_source):
    body = ("    import os\n    written = 0\n    chunk = b'x' * (64 << 20)\n    try:\n"
            "        for i in range(40):\n"
            "            with open(os.path.join(os.environ['HOME'], f'fill{i}'), 'wb') as f:\n"
            "                f.write(chunk)\n"
            "            written += len(chunk)\n"
            "    except OSError as exc:\n        pass\n"
            "    raise RuntimeError(f'wrote {written >> 20} MiB')")
    report = grade_source(EX, hostile(body=body), **FAST)
    sizes = [int(c.message.split("wrote ")[1].split(" MiB")[0]) for c in report.checks if "wrote " in c.message]
    assert sizes and max(sizes) <= process.Limits().folder_mb, sizes


@NEEDS_FULL
def test_a_shared_mapping_does_not_escape_the_memory_cap(grade_source):
    body = ("    import mmap\n    m = mmap.mmap(-1, 1536 << 20, flags=mmap.MAP_SHARED)\n"
            "    for i in range(0, len(m), 4096):\n        m[i] = 1\n"
            "    raise RuntimeError('WROTE all of it')")
    report = grade_source(EX, hostile(body=body), memory_mb=1024, **FAST)
    assert report.score == 0
    assert "WROTE all of it" not in everything(report)


def _cgroup_available() -> bool:
    """Whether this machine lets the grader make a memory control group."""
    return "memory" in cgroups._own()


@NEEDS_FULL
@pytest.mark.skipif(not _cgroup_available(), reason="no writable memory control group here")
def test_children_share_one_memory_cap(grade_source, tmp_path):
    # Each call marks its children's files with a token of its own: the worker (PID 1 of its
    # namespace) runs several checks, and files of an earlier call must not count.
    body = ("    import os, time\n    pids = []\n    token = os.urandom(6).hex()\n    for i in range(2):\n"
            "        pid = os.fork()\n"
            "        if pid == 0:\n            hog = bytearray(1200 << 20)\n"
            "            for j in range(0, len(hog), 4096):\n                hog[j] = 1\n"
            "            open(os.path.join(os.environ['HOME'], f'held-{token}-{i}'), 'w').write('y')\n"
            "            time.sleep(3)\n            os._exit(0)\n        pids.append(pid)\n"
            "    results = [os.waitpid(p, 0)[1] for p in pids]\n"
            "    held = [n for n in os.listdir(os.environ['HOME']) if n.startswith(f'held-{token}-')]\n"
            "    raise RuntimeError(f'held {len(held)}')")
    report = grade_source(EX, hostile(body=body), memory_mb=2048, **FAST)
    counts = [int(c.message.split("held ")[1][0]) for c in report.checks if "held " in c.message]
    assert counts and max(counts) < 2, [c.message for c in report.checks][:2]


@NEEDS_FULL
def test_processes_are_capped(grade_source):
    body = ("    import os, time\n    started = 0\n    try:\n        for i in range(400):\n"
            "            if os.fork() == 0:\n                time.sleep(30)\n                os._exit(0)\n"
            "            started += 1\n    except OSError:\n        pass\n"
            "    raise RuntimeError(f'started {started}')")
    report = grade_source(EX, hostile(body=body), **FAST)
    counts = [int(c.message.split("started ")[1].split()[0]) for c in report.checks if "started " in c.message]
    assert counts and max(counts) < process.Limits().processes, counts


@NEEDS_FULL
def test_nothing_is_left_behind_by_a_killed_grader(tmp_path):
    """SIGKILL a grader mid-check: its run folder is removed at the next start, no mount stays."""
    import signal
    import subprocess
    import sys

    source = stub_source(EX).replace('    raise NotImplementedError("forward")',
                                     "    open(__import__('os').environ['HOME'] + '/started', 'w').close()\n"
                                     "    while True:\n        pass")
    (tmp_path / "ex02_cost_surface.py").write_text(source)
    code = ("from pathlib import Path\nfrom pttutor.grader import course\nfrom pttutor.grader.grading import engine\n"
            f"engine.grade(course.default().get({EX!r}), Path({str(tmp_path / 'ex02_cost_surface.py')!r}))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = Path(__import__("tempfile").gettempdir())
    deadline = time.monotonic() + 120
    # The workers' folders are mounts in the grader's own mount namespace: look through its eyes.
    through = Path(f"/proc/{proc.pid}/root") / parent.relative_to("/")
    while time.monotonic() < deadline and not list(through.glob(f"{host.RUN_PREFIX}{proc.pid}-*/w*/home/started")):
        time.sleep(0.2)
    run_dirs = list(parent.glob(f"{host.RUN_PREFIX}{proc.pid}-*"))
    assert run_dirs, "the grader never started its worker"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    host.clean_stale(parent)
    assert not any(d.exists() for d in run_dirs)
    assert str(run_dirs[0]) not in Path("/proc/self/mountinfo").read_text()


def test_escape_sequences_never_reach_the_terminal(grade_source):
    from pttutor.grader.report import render

    evil = "\x1b[2J\x1b[32mPASS 10/10\x1b[0m\x1b]52;c;cm0gLXJmIH4=\x07\r\u202e"
    body = f"    print({evil!r})\n    raise RuntimeError({evil!r})"
    report = grade_source(EX, hostile(body=body), **FAST)
    text = render(report, color=False, show_output=True)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\u202e" not in text
    # The text is kept, harmless without its escapes; the clipboard write (OSC 52) goes with its sequence.
    assert "raised RuntimeError: PASS 10/10\n" in text


def test_fail_closed_where_the_full_sandbox_cannot_be_built(monkeypatch):
    monkeypatch.setattr(host, "available", lambda: {"full": "no namespaces here", "container": None, "process": None})
    with pytest.raises(host.SandboxUnavailable, match="--sandbox container"):
        host.choose("auto", has_secrets=True)
    assert host.choose("auto", has_secrets=False) == "container"
    assert host.choose("container", has_secrets=True) == "container"


CONTAINER = ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_in_a_container_without_cap_sys_admin(tmp_path):
    """As root without CAP_SYS_ADMIN (a default Docker container): grading refuses to start unless the
    instructor accepts the container mode, in which the submission reads no answer and no hidden check."""
    import json
    import subprocess
    import sys

    ex = course.default().get(EX)
    secret = [line for line in ex.solution_path.read_text().splitlines() if "errors = forward" in line][0].strip()
    hidden = "def test_cost_surface_not_transposed"
    thief = leak_probe({"solution": f"open({str(ex.solution_path)!r}).read()",
                        "hidden": f"open({str(ex.private_dir / 'hidden.py')!r}).read()",
                        "listing": f"__import__('os').listdir({str(ex.private_root)!r})"})
    (tmp_path / ex.file).write_text(hostile(body=thief))
    command = [*CONTAINER, sys.executable, "-c", "from pttutor.grader.cli import main; main()", "check", "--hidden",
               "--json", "--path", str(tmp_path / ex.file), EX]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "--sandbox container" in refused.stderr, refused.stderr
    done = subprocess.run([*command, "--sandbox", "container"], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    text = json.dumps(report)
    assert report["sandbox"] == "container"
    assert report["score"] == 0
    assert secret not in text and hidden not in text
    assert "PermissionError" in text


def test_a_fake_figure_named_like_matplotlibs_earns_nothing(grade_source):
    """The worker says what its objects are called; only what they hold is judged."""
    fake = mistakes.read(course.default().get(EX).mistakes_dir / "fake_figure.py")  # also a recorded mistake
    report = grade_source(EX, hostile(fake.source), **FAST)
    assert report.score == 0, [c.name for c in report.checks if c.passed]
