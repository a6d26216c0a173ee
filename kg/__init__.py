"""The knowledge-graph core: store backends, records, change log, ingest and projections."""
