"""Ingest beyond one process: extraction, analysis and embedding on Dask workers, the
clustering and the store writes on the driver, exactly as the single-process engine
does them (docs/distributed.md). Needs the ``distributed`` extra
(``pip install 'couverture[distributed]'``); this package imports without it."""
from .driver import (DistributedError, DistributedStats, PreparedAnalyzer, dask_client, ingest_distributed,
                     prepared_stream)
from .worker import prepare_batch

__all__ = ["DistributedError", "DistributedStats", "PreparedAnalyzer", "dask_client", "ingest_distributed",
           "prepare_batch", "prepared_stream"]
