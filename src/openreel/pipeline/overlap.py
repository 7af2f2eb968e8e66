"""Render and encode at the same time: the work split across the machine's cores.

The calling thread draws frames (skia holds the GIL while it draws); one encoder thread turns
them into H.264 (PyAV releases the GIL inside swscale and libx264, and libx264 runs its own
frame threads). Frames travel through a bounded queue of ``depth`` preallocated buffers, so
memory stays at ``depth + 2`` frames whatever the length, and neither side runs ahead by more
than ``depth`` frames. The encoder's failure stops the renderer at its next frame and is
re-raised in the calling thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.uint8]
_POLL_S = 0.5


@dataclass(slots=True)
class StageTimes:
    """Seconds spent per stage (summed over frames) and the frames counted."""

    render_s: float = 0.0
    encode_s: float = 0.0
    wait_render_s: float = 0.0  # the renderer waiting for a free buffer (encoder behind)
    frames: int = 0


def run_overlapped(
    count: int,
    shape: tuple[int, int, int],
    draw: Callable[[int, Array], None],
    write: Callable[[Array], None],
    *,
    depth: int = 4,
    on_frame: Callable[[int], None] | None = None,
) -> StageTimes:
    """Call ``draw(i, buffer)`` for ``i`` in ``0..count-1`` here and ``write(buffer)`` for each,
    in order, on an encoder thread. Returns the stage times."""
    times = StageTimes()
    free: queue.Queue[Array] = queue.Queue()
    full: queue.Queue[Array | None] = queue.Queue(maxsize=depth)
    for _ in range(depth + 2):
        free.put(np.empty(shape, np.uint8))
    failure: list[BaseException] = []

    def encoder() -> None:
        try:
            while True:
                item = full.get()
                if item is None:
                    return
                t0 = time.perf_counter()
                write(item)
                times.encode_s += time.perf_counter() - t0
                free.put(item)
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    worker = threading.Thread(target=encoder, name="openreel-encode", daemon=True)
    worker.start()
    try:
        for i in range(count):
            t0 = time.perf_counter()
            buffer = _take(free, worker, failure)
            t1 = time.perf_counter()
            draw(i, buffer)
            times.render_s += time.perf_counter() - t1
            times.wait_render_s += t1 - t0
            _put(full, buffer, worker, failure)
            times.frames += 1
            if on_frame is not None:
                on_frame(i)
    finally:
        if worker.is_alive():
            _put(full, None, worker, failure, raise_failure=False)
        worker.join()
    if failure:
        raise failure[0]
    return times


def _take(
    free: queue.Queue[Array], worker: threading.Thread, failure: list[BaseException]
) -> Array:
    while True:
        if failure:
            raise failure[0]
        try:
            return free.get(timeout=_POLL_S)
        except queue.Empty:
            if not worker.is_alive():
                raise RuntimeError("the encoder thread stopped") from None


def _put(
    full: queue.Queue[Array | None],
    item: Array | None,
    worker: threading.Thread,
    failure: list[BaseException],
    *,
    raise_failure: bool = True,
) -> None:
    while True:
        if failure:
            if raise_failure:
                raise failure[0]
            return
        try:
            full.put(item, timeout=_POLL_S)
            return
        except queue.Full:
            if not worker.is_alive():
                return
