"""Embedding in a separate process, so it runs beside the rest of the pipeline.

The sentence encoder is the most expensive stage and nearly all of it is numpy
arithmetic, but its tokenizer is pure Python: in a thread it would fight the
cleaning, clustering and storage code for the interpreter lock. In a worker
process it takes one core while the main process uses the other, so on two cores
the pipeline runs at the speed of its slower half instead of the sum of both.

The worker is a plain child process (``python -m couverture.analyze.embed_worker``)
speaking length-prefixed pickles over its stdin and stdout: it does not re-import
the parent's main script (as ``multiprocessing`` does), and it exits by itself when
the parent goes away and its stdin closes.

:class:`EmbeddingQueue` orders the work: articles are submitted as soon as they are
read, and once the processing order is known, batches not sent yet are re-queued
in that order, so the worker stays busy and the consumer waits as little as possible.
"""
from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, InvalidStateError
from pathlib import Path

import numpy as np

from ..models import Article
from .embed import Embedder

_HEADER = struct.Struct("<Q")
DEFAULT_FACTORY = "couverture.analyze.embed:USEEmbedder"


class WorkerError(RuntimeError):
    """The embedding worker could not start, or stopped."""


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _spec(factory: str | type) -> str:
    return factory if isinstance(factory, str) else f"{factory.__module__}:{factory.__qualname__}"


class ProcessEmbedder:
    """An :class:`Embedder` whose model lives in one worker process.

    ``submit(texts)`` returns a :class:`~concurrent.futures.Future`; at most
    ``in_flight`` batches are handed to the worker at a time, the others wait here
    and can still be cancelled (see :meth:`EmbeddingQueue.prioritise`). ``embed``
    waits for the result. The worker uses ``threads`` BLAS threads (one by
    default: the other core belongs to the main process). Close it, or use it as
    a context manager, to stop the worker.
    """

    def __init__(self, factory: str | type = DEFAULT_FACTORY, threads: int = 1, in_flight: int = 2, **options):
        self.in_flight = in_flight
        self.name = "embedder"
        self.dim = 0
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])  # the folder holding `couverture`
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(threads)
        if _spec(factory) == DEFAULT_FACTORY:
            options.setdefault("threads", threads)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "couverture.analyze.embed_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        self._lock = threading.Lock()
        self._pending: deque[tuple[list[str], Future]] = deque()
        self._sent: deque[Future] = deque()
        self._stderr: deque[str] = deque(maxlen=20)
        self._failure: WorkerError | None = None
        self._started: Future = Future()
        _send(self._process.stdin, (_spec(factory), options))
        threading.Thread(target=self._read_results, daemon=True, name="embed-worker-results").start()
        threading.Thread(target=self._read_errors, daemon=True, name="embed-worker-stderr").start()

    # --- public ---------------------------------------------------------------------
    def ready(self, timeout: float | None = None) -> bool:
        """Wait until the worker has loaded its model; False if it could not."""
        try:
            self._started.result(timeout)
            return True
        except WorkerError:
            return False

    @property
    def started(self) -> bool:
        """True once the worker has loaded its model (or failed to)."""
        return self._started.done()

    def submit(self, texts: Sequence[str]) -> Future:
        future: Future = Future()
        with self._lock:
            if self._failure is not None:
                future.set_exception(self._failure)
                return future
            self._pending.append((list(texts), future))
            self._pump()
        return future

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.submit(texts).result()

    def close(self, timeout: float = 10.0) -> None:
        with self._lock:
            for _, future in self._pending:
                future.cancel()
            self._pending.clear()
            if self._failure is None:
                self._failure = WorkerError("the embedding worker was closed")
        try:
            self._process.stdin.close()  # the worker exits at the end of its input
        except OSError:
            pass
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> "ProcessEmbedder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- plumbing -------------------------------------------------------------------
    def _pump(self) -> None:
        """Hand waiting batches to the worker while fewer than ``in_flight`` are there (lock held)."""
        while self._pending and len(self._sent) < self.in_flight and self._started.done():
            texts, future = self._pending.popleft()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while waiting
            try:
                _send(self._process.stdin, texts)
            except (OSError, ValueError) as exc:
                future.set_exception(WorkerError(f"the embedding worker stopped ({exc})"))
                continue
            self._sent.append(future)

    def _read_results(self) -> None:
        stream = self._process.stdout
        try:
            kind, *payload = _receive(stream)
            if kind != "ready":
                raise WorkerError(f"the embedding worker could not start: {payload[0]}")
            self.name, self.dim = payload
            self._started.set_result(True)
            with self._lock:
                self._pump()
            while True:
                kind, payload = _receive(stream)
                with self._lock:
                    future = self._sent.popleft()
                    self._pump()
                if kind == "ok":
                    future.set_result(payload)
                else:
                    future.set_exception(WorkerError(f"the embedding worker failed: {payload}"))
        except (EOFError, OSError, WorkerError, pickle.UnpicklingError) as exc:
            if isinstance(exc, WorkerError):
                failure = exc
            else:
                self._process.wait()
                tail = " | ".join(self._stderr) or "no message"
                failure = WorkerError(f"the embedding worker stopped (exit {self._process.returncode}): {tail}")
            with self._lock:
                if self._failure is None:
                    self._failure = failure
                waiting = list(self._sent) + [f for _, f in self._pending]
                self._sent.clear()
                self._pending.clear()
            if not self._started.done():
                self._started.set_exception(failure)
            for future in waiting:
                try:
                    future.set_exception(self._failure)
                except InvalidStateError:  # cancelled meanwhile
                    pass

    def _read_errors(self) -> None:
        for raw in self._process.stderr:
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())


class EmbeddingQueue:
    """Embeddings of articles, computed ahead of the moment they are needed.

    With an embedder that has ``submit`` (a :class:`ProcessEmbedder`), articles
    given to :meth:`add` are sent in batches of ``batch``, and :meth:`prioritise`
    re-queues the batches the worker has not received yet in the order the
    articles will be asked for. With a plain embedder nothing is computed ahead:
    :meth:`vectors` embeds the articles it is asked for, in one call.

    ``local()`` gives an embedder in this process (made on first need). When the
    consumer would otherwise wait for the worker, it embeds the next batch the
    worker has not received yet itself, so both cores embed whenever the rest of
    the pipeline leaves one idle; and if the worker fails, the local embedder
    finishes the job alone. Loading a second model takes a couple of seconds, so
    this process starts helping only while at least ``help_from`` articles are
    still to be embedded.
    """

    def __init__(self, embedder: Embedder, text: Callable[[Article], str], batch: int = 32,
                 local: Callable[[], Embedder] | None = None, help_from: int = 1500):
        self.embedder = embedder
        self.text = text
        self.batch = batch
        self.background = hasattr(embedder, "submit")
        self.helped = 0  # batches this process embedded itself while the worker was busy
        self._local_factory = local
        self._local: Embedder | None = None
        self.help_from = help_from
        self._waiting: list[Article] = []  # added, not yet submitted
        self._jobs: dict[int, tuple[Future, list[Article]]] = {}  # job number -> (future, its articles)
        self._where: dict[int, tuple[int, int]] = {}  # id(article) -> (job number, row)
        self._left: dict[int, int] = {}  # job number -> articles not yet taken
        self._next_job = 0

    def add(self, articles: Sequence[Article]) -> None:
        if not self.background:
            return
        self._waiting.extend(articles)
        while len(self._waiting) >= self.batch:
            self._submit(self._waiting[: self.batch])
            del self._waiting[: self.batch]

    def flush(self) -> None:
        if self._waiting:
            self._submit(self._waiting)
            self._waiting = []

    def _submit(self, articles: list[Article]) -> None:
        number = self._next_job
        self._next_job += 1
        self._jobs[number] = (self.embedder.submit([self.text(a) for a in articles]), articles)
        self._left[number] = len(articles)
        for row, article in enumerate(articles):
            self._where[id(article)] = (number, row)

    def prioritise(self, order: Sequence[Article]) -> None:
        """Re-queue what the worker has not received, in ``order`` (the order of the coming requests)."""
        if not self.background:
            return
        self.flush()
        requeue: set[int] = set()
        for number, (future, articles) in list(self._jobs.items()):
            if future.cancel():
                requeue.update(id(a) for a in articles)
                del self._jobs[number], self._left[number]
        pending = [a for a in order if id(a) in requeue]
        for article in pending:
            del self._where[id(article)]
        for start in range(0, len(pending), self.batch):
            self._submit(pending[start : start + self.batch])

    def vectors(self, articles: Sequence[Article]) -> np.ndarray:
        """Embeddings of ``articles`` (rows in their order); waits for the worker if needed."""
        if self.background:
            try:
                return self._collect(articles)
            except WorkerError:
                if self._local_factory is None:
                    raise
                self.background = False  # finish in this process
                self._jobs.clear()
                self._where.clear()
                self._left.clear()
                return self._local_embedder().embed([self.text(a) for a in articles])
        return self.embedder.embed([self.text(a) for a in articles])

    def vector(self, article: Article) -> np.ndarray:
        """The embedding of one article (see :meth:`vectors`)."""
        return self.vectors([article])[0]

    def _local_embedder(self) -> Embedder:
        if self._local is None:
            assert self._local_factory is not None
            self._local = self._local_factory()
        return self._local

    def _collect(self, articles: Sequence[Article]) -> np.ndarray:
        missing = [a for a in articles if id(a) not in self._where]
        if missing:
            self.add(missing)
            self.flush()
        rows = []
        for article in articles:
            number, row = self._where[id(article)]
            if not self._jobs[number][0].done() and self._worth_helping():
                self._help(number)
            del self._where[id(article)]
            rows.append(self._jobs[number][0].result()[row])
            self._left[number] -= 1
            if not self._left[number]:  # every article of the job taken: drop its result
                del self._jobs[number], self._left[number]
        return np.asarray(rows, dtype=np.float32).reshape(len(articles), -1)

    def _worth_helping(self) -> bool:
        if self._local_factory is None or not getattr(self.embedder, "started", True):
            return False  # (while the worker loads its model, loading a second one here does not pay)
        return self._local is not None or len(self._where) >= self.help_from

    def _help(self, needed: int) -> None:
        """Embed here, one batch at a time, until job ``needed`` is done.

        The needed job itself if the worker has not received it; otherwise the
        next jobs after it that the worker has not received (they would be the
        next to wait for).
        """
        for number in [needed] + [n for n in self._jobs if n > needed]:
            if self._jobs[needed][0].done():
                return
            future, articles = self._jobs[number]
            if not future.cancel():  # at the worker already, or done
                continue
            done: Future = Future()
            done.set_result(self._local_embedder().embed([self.text(a) for a in articles]))
            self._jobs[number] = (done, articles)
            self.helped += 1


def serve(stdin=None, stdout=None) -> None:
    """The worker's loop: a factory spec and options, then batches of texts until EOF."""
    import importlib
    import traceback

    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol
    spec, options = _receive(stdin)
    try:
        module, _, name = spec.partition(":")
        factory = importlib.import_module(module)
        for part in name.split("."):
            factory = getattr(factory, part)
        embedder = factory(**options)
        embedder.embed(["."])  # load the model before saying ready
    except Exception:
        _send(stdout, ("error", traceback.format_exc(limit=3)))
        return
    _send(stdout, ("ready", getattr(embedder, "name", spec), getattr(embedder, "dim", 0)))
    while True:
        try:
            texts = _receive(stdin)
        except EOFError:
            return
        try:
            _send(stdout, ("ok", np.asarray(embedder.embed(texts), dtype=np.float32)))
        except Exception as exc:  # report and keep serving: one bad batch is not a dead worker
            _send(stdout, ("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    serve()
