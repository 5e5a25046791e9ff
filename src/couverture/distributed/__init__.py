"""Ingest beyond one process: extraction, analysis and embedding on Dask workers; the
clustering on the driver as the single-process engine does it, or in time shards on the
workers stitched on the driver; the store writes on the driver (docs/distributed.md). Needs the ``distributed`` extra
(``pip install 'couverture[distributed]'``); this package imports without it."""
from .driver import (DistributedError, DistributedStats, PreparedAnalyzer, dask_client, ingest_distributed,
                     prepared_stream)
from .shards import ShardPlan, ShardedIngestion, cluster_shard
from .worker import prepare_batch

__all__ = ["DistributedError", "DistributedStats", "PreparedAnalyzer", "ShardPlan", "ShardedIngestion",
           "cluster_shard", "dask_client", "ingest_distributed", "prepare_batch", "prepared_stream"]
