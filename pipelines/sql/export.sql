-- The scale-out path: raw event tables as Hive-partitioned Parquet by day, with portable types
-- (timestamps as UTC instants, JSON as text, no DuckDB-only types) and the stable event ids, so
-- ClickHouse, Trino, Spark or BigQuery read them as they are, and `wagate ingest DIR` reads them
-- back without duplicates. `{dir}` is an escaped SQL literal of the target folder.

-- name: status_events
COPY (SELECT * REPLACE (raw::VARCHAR AS raw), strftime(ts, '%Y-%m-%d') AS day FROM raw.status_events)
TO {dir} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part_{i}');

-- name: inbound_messages
COPY (SELECT * REPLACE (raw::VARCHAR AS raw), strftime(ts, '%Y-%m-%d') AS day FROM raw.inbound_messages)
TO {dir} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part_{i}');

-- name: user_preferences
COPY (SELECT * REPLACE (raw::VARCHAR AS raw), strftime(ts, '%Y-%m-%d') AS day FROM raw.user_preferences)
TO {dir} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part_{i}');

-- name: business_events
COPY (SELECT * REPLACE (value::VARCHAR AS value), strftime(ts, '%Y-%m-%d') AS day FROM raw.business_events)
TO {dir} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part_{i}');

-- name: send_log
COPY (SELECT *, strftime(attempted_at, '%Y-%m-%d') AS day FROM raw.send_log)
TO {dir} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part_{i}');
