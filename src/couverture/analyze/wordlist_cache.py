"""simplemma's word lists, kept ready on disk instead of decoded in every process.

simplemma (2.x) ships each language's word list lzma-compressed and front-coded; its
memory-frugal reader (``StreamMap``, what ``low_memory=True`` uses) decompresses the
list and walks every record once to build an index of restart points: 0.1 s for
English, 0.57 s for German, seconds for the handful of languages an ingest meets,
paid again by every process (each ingest, each story's first ``show``). The result
depends only on the installed list, so the first process keeps it in the cache folder
of ``encoder_cache`` (``COUVERTURE_CACHE_DIR``, ``off`` keeps nothing) and the next
ones read it back:

- ``<lang>.data``: the decompressed list, as simplemma reads it;
- ``<lang>.index``: the reader's header and restart points, as ``marshal`` data (plain
  tuples, bytes and ints: loading it can make no object of any other kind);
- ``<lang>.json``: the size and date of the shipped list it came from, and the SHA-256
  of the two files above. A file that does not match is not used: the list is decoded
  from the package again and the cache rewritten.

With another simplemma (1.x, or a 2.x whose reader changed) none of this applies and
the words are lemmatised as before, through simplemma's own ``lemmatize``.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import tempfile
from pathlib import Path

from .encoder_cache import cache_root

FORMAT = 1  # bump when what is kept, or how, changes

try:
    import simplemma
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries import stream_dictionary_factory as _stream
    from simplemma.strategies.dictionaries.dictionary_factory import DATA_FOLDER

    _READER_SLOTS = ("_data", "_pos", "_rev", "_count", "_firsts", "_blocks")
    _USABLE = tuple(getattr(_stream.StreamMap, "__slots__", ())) == _READER_SLOTS
except ImportError:  # simplemma 1.x: no such reader
    _USABLE = False


def _folder() -> Path | None:
    root = cache_root()
    if root is None:
        return None
    return root / f"simplemma-{simplemma.__version__}-format{FORMAT}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _source_facts(lang: str) -> list:
    stat = (DATA_FOLDER / f"{lang}.plzma").stat()
    return [stat.st_size, stat.st_mtime_ns]


def _load(folder: Path, lang: str):
    """The reader for ``lang`` from the cache, or None when the cache does not hold a
    matching, intact copy."""
    try:
        manifest = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
        if manifest.get("source") != _source_facts(lang):
            return None
        data_path, index_path = folder / f"{lang}.data", folder / f"{lang}.index"
        data, index = data_path.read_bytes(), index_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest.get("data") or \
                hashlib.sha256(index).hexdigest() != manifest.get("index"):
            return None
        pos, rev, count, firsts, blocks = marshal.loads(index)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    reader = _stream.StreamMap.__new__(_stream.StreamMap)
    for name, value in zip(_READER_SLOTS, (data, pos, rev, count, firsts, blocks)):
        setattr(reader, name, value)
    return reader


def _keep(folder: Path, lang: str, reader) -> None:
    """Write the cache files of ``lang`` beside their final names and move them in
    (another process may be writing the same ones: the last move wins, whole)."""
    staging = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{lang}-", dir=folder))
        (staging / "data").write_bytes(reader._data)
        index = marshal.dumps((reader._pos, reader._rev, reader._count, list(reader._firsts),
                               [tuple(block) for block in reader._blocks]))
        (staging / "index").write_bytes(index)
        manifest = {"source": _source_facts(lang), "data": _digest(staging / "data"),
                    "index": hashlib.sha256(index).hexdigest()}
        (staging / "json").write_text(json.dumps(manifest), encoding="utf-8")
        # The manifest goes last: until it is in place, the other two are not read.
        for suffix in ("data", "index", "json"):
            os.replace(staging / suffix, folder / f"{lang}.{suffix}")
    except (OSError, ValueError):
        pass  # a read-only home or a full disk: decode again next time
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


if _USABLE:
    class CachedWordLists(_stream.StreamDictionaryFactory):
        """simplemma's memory-frugal word lists, read from the cache folder when it
        holds them, else decoded from the package and kept there."""

        __slots__ = ()

        def _get_dictionary_uncached(self, lang: str):
            folder = _folder()
            if folder is not None:
                reader = _load(folder, lang)
                if reader is not None:
                    return reader
            reader = super()._get_dictionary_uncached(lang)  # raises ValueError for unknown languages
            if folder is not None:
                _keep(folder, lang, reader)
            return reader


def make_lemmatize():
    """A ``lemmatize(word, lang)`` with the lemmas of ``simplemma.lemmatize(word,
    lang=lang, low_memory=True)``, its word lists cached when this simplemma allows."""
    if not _USABLE:
        return lambda word, lang: simplemma.lemmatize(word, lang=lang, low_memory=True)
    lemmatizer = Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=CachedWordLists()))
    return lemmatizer.lemmatize
