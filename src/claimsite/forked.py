"""Work a build hands to a forked child process while it goes on itself.

A 10,000-claim build is Python on one core for most of its time; a forked child has everything the
build holds already (the checked catalog, MkDocs' files, navigation and templates: the parent's
memory, shared copy-on-write), so it costs no loading and sees exactly what the parent sees. The data
package (claimsite.outputs.export) and a share of the pages (claimsite.pagefork) are made that way.

`ForkedCall` runs one function in a child and hands its JSON answer back through a pipe. Start it while
the process runs no other thread (fork copies only the calling one): `can_fork` says whether the system
allows it at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn


class ChildFailed(Exception):
    """The child's work raised, or the child stopped without answering; the message says which."""


def can_fork() -> bool:
    """Whether a child can be forked here: a system with fork() that is safe to use (not macOS, where
    system libraries may not survive a fork; not Windows, which has none), from a process that runs
    no other thread."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def describe(error: BaseException) -> str:
    """A failure in one line, for a message of the parent."""
    return f"{type(error).__name__}: {error}"


class ForkedCall:
    """`work()` run by a forked child; `result()` is what it returned (JSON types only)."""

    def __init__(self, work: Callable[[], dict[str, Any]], explain: Callable[[BaseException], str] = describe) -> None:
        read, write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(write, work, explain, parent)
        os.close(write)
        self._pid, self._read = pid, read
        self._reaped = False
        self._reply: dict[str, Any] | None = None

    def result(self) -> dict[str, Any]:
        """Wait for the child and return its answer; raises ChildFailed when it failed."""
        if self._reply is None:
            with os.fdopen(self._read, "rb") as pipe:
                message = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._reaped = True
            reply: dict[str, Any] = (
                json.loads(message) if message else {"error": f"it stopped ({_status_text(status)})"}
            )
            if "error" in reply:
                raise ChildFailed(reply["error"])
            self._reply = reply["result"]
        return self._reply

    def stop(self) -> None:
        """End the child now (the build failed) and reap it."""
        if self._reaped:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        os.close(self._read)
        self._reaped = True


def _child(
    pipe: int, work: Callable[[], dict[str, Any]], explain: Callable[[BaseException], str], parent: int
) -> NoReturn:
    code = 0
    try:
        _end_with(parent)
        reply: dict[str, Any] = {"result": work()}
    except BaseException as error:  # anything, said in one line by the parent
        reply, code = {"error": explain(error)}, 1
    try:
        with os.fdopen(pipe, "wb") as out:
            out.write(json.dumps(reply).encode())
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


PR_SET_PDEATHSIG = 1
"""Linux's prctl(2) option: a signal the calling process gets when its parent ends."""


def _end_with(parent: int) -> None:
    """Have this child killed when the build that forked it is (Linux): it holds the build's lock
    and writes into its folders, and must not outlive it. Elsewhere it ends by itself when its work
    is done."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above took effect
        os._exit(1)


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
