"""Ingest: read inputs (files, folders, JSON/JSONL) into RawDocuments."""
from .decode import decode_bytes
from .files import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, expand_paths, read_inputs, read_path

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_SUFFIXES", "decode_bytes", "expand_paths", "read_inputs", "read_path"]
