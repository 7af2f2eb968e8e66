"""Run a decoder in a child process with memory, CPU-time and wall-clock limits.

RELIABILITY.md rule 6 and rows 6, 15, 16: untrusted uploads are decoded in a child that has
``RLIMIT_AS`` (address space) and ``RLIMIT_CPU`` set before the work starts, and that the
parent kills when the wall-clock timeout passes. Whatever the child does (hangs, exhausts
memory, crashes in C code), the parent survives and gets a :class:`MediaError`:

* the function's own ``MediaError`` is passed through (code and message);
* timeout, ``MemoryError``, or death by ``SIGXCPU``/``SIGKILL`` -> ``OR-E409``;
* any other exception or a crash by signal (``SIGSEGV``, ``SIGABRT``) -> ``OR-E407``.

Children are forked from multiprocessing's *forkserver* (a clean single-threaded process, so a
multi-threaded server is never forked), which preloads the decoder modules once: a sandboxed
call then costs a few milliseconds plus the work. The preload list is registered with
multiprocessing's forkserver before it first starts; if something else in the process started
the forkserver earlier, children import the modules themselves (slower, same behaviour).
The child gets no network *guarantee* from this module: the decoders it runs open nothing
(see :func:`openreel.media.probe.open_input`).
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

import av

from openreel.errors import MediaError
from openreel.media.image import Array, Order, decode_image
from openreel.media.limits import ImageLimits, MediaLimits
from openreel.media.probe import MediaInfo, open_input, probe_media

T = TypeVar("T")
GiB = 1 << 30
_PRELOAD = ["numpy", "PIL.Image", "av", "openreel.media.image", "openreel.media.sandbox"]
_preload_lock = threading.Lock()
_preload_done: list[bool] = []


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """Limits of one sandboxed call: address space, CPU seconds, wall-clock seconds."""

    memory_bytes: int = GiB
    cpu_seconds: int = 20
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.memory_bytes <= 0 or self.cpu_seconds <= 0 or self.timeout_s <= 0:
            raise ValueError("sandbox limits must be positive")


@dataclass(frozen=True, slots=True)
class SandboxRun(Generic[T]):
    """A sandboxed call's value, the child's peak resident memory and the wall time taken."""

    value: T
    peak_rss_bytes: int
    seconds: float


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    with _preload_lock:
        if not _preload_done:
            ctx.set_forkserver_preload(_PRELOAD)
            _preload_done.append(True)
    return ctx


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


@dataclass(frozen=True, slots=True)
class _Job:
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    memory: int
    cpu: int


def _child(conn: Connection, job: _Job) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (job.memory, job.memory))
    resource.setrlimit(resource.RLIMIT_CPU, (job.cpu, job.cpu + 1))
    func, args, kwargs = job.func, job.args, job.kwargs
    message: tuple[Any, ...]
    try:
        message = ("ok", func(*args, **kwargs))
    except MediaError as exc:
        message = ("media", exc.code, exc.message)
    except MemoryError:
        message = ("memory",)
    except Exception as exc:
        message = ("error", type(exc).__name__)
    try:
        conn.send((*message, _peak_rss()))
    except MemoryError:
        conn.send(("memory", _peak_rss()))
    conn.close()


def _died(exitcode: int | None, lim: SandboxLimits) -> MediaError:
    if exitcode is not None and -exitcode in (signal.SIGXCPU, signal.SIGKILL):
        return MediaError("OR-E409", f"decoding used more than {lim.cpu_seconds} s of CPU")
    return MediaError("OR-E407", "the decoder crashed")


def run_sandboxed(
    func: Callable[..., T], /, *args: Any, sandbox: SandboxLimits | None = None, **kwargs: Any
) -> SandboxRun[T]:
    """Call ``func(*args, **kwargs)`` in a limited child and return its value.

    ``func`` and its arguments must be picklable (module-level functions, builtins). Errors as
    in the module docstring.
    """
    lim = sandbox or SandboxLimits()
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_child,
        args=(sender, _Job(func, args, kwargs, lim.memory_bytes, lim.cpu_seconds)),
        daemon=True,
    )
    started = time.monotonic()
    process.start()
    sender.close()
    message: tuple[Any, ...] | None = None
    timed_out = False
    try:
        if receiver.poll(lim.timeout_s):
            message = receiver.recv()
        else:
            timed_out = True
    except (EOFError, OSError):
        message = None
    finally:
        if process.is_alive() and (timed_out or message is None):
            process.kill()
        process.join(5)
        receiver.close()
    elapsed = time.monotonic() - started
    if timed_out:
        raise MediaError("OR-E409", f"decoding took longer than {lim.timeout_s:g} s")
    if message is None:
        raise _died(process.exitcode, lim)
    kind, *rest = message
    if kind == "ok":
        return SandboxRun(rest[0], rest[1], elapsed)
    if kind == "media":
        raise MediaError(rest[0], rest[1])
    if kind == "memory":
        raise MediaError("OR-E409", f"decoding needed more than {lim.memory_bytes} bytes")
    raise MediaError("OR-E407", f"the decoder failed ({rest[0]})")


def decode_image_sandboxed(
    data: bytes,
    limits: ImageLimits | None = None,
    *,
    sandbox: SandboxLimits | None = None,
    name: str | None = None,
    order: Order = "BGRA",
) -> Array:
    """:func:`openreel.media.image.decode_image` in a sandboxed child."""
    run = run_sandboxed(decode_image, data, limits, name=name, order=order, sandbox=sandbox)
    return run.value


def validate_media(data: bytes, limits: MediaLimits | None = None) -> MediaInfo:
    """Probe ``data`` and decode every packet of every audio and video stream (no conversion).

    Proves an upload decodes end to end; meant to run in the sandbox
    (:func:`validate_media_sandboxed`). Decoder failures are ``OR-E407``.
    """
    lim = limits or MediaLimits()
    info = probe_media(data, lim)
    opened = open_input(data, info.demuxer)
    with opened.container as container:
        streams = [s for s in container.streams if s.type in ("audio", "video")]
        try:
            for packet in container.demux(streams):
                for frame in packet.decode():
                    time_s = getattr(frame, "time", None)
                    if time_s is not None and time_s > float(lim.max_duration_s) + 1:
                        raise MediaError("OR-E403", "the media plays longer than its header says")
        except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
            raise MediaError("OR-E407", "the media could not be decoded") from exc
    return info


def validate_media_sandboxed(
    data: bytes, limits: MediaLimits | None = None, *, sandbox: SandboxLimits | None = None
) -> MediaInfo:
    """:func:`validate_media` in a sandboxed child."""
    return run_sandboxed(validate_media, data, limits, sandbox=sandbox).value
