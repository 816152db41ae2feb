-- Views that put every kind of input into the two shapes the parsers read:
-- src_lines(file_id, line, received_at, text) holds webhook bodies, src_send holds send-log rows.
-- Inputs: fast_lines / fast_send_lines (DuckDB reading clean NDJSON files), careful_lines,
-- landing_lines and careful_send_lines (read line by line with numbers), csv_rows.

-- name: webhook_lines
CREATE OR REPLACE TEMP VIEW src_lines AS
SELECT file_id, line, NULL::TIMESTAMPTZ AS received_at, text FROM fast_lines
UNION ALL
SELECT file_id, line, NULL::TIMESTAMPTZ, text FROM careful_lines WHERE json_valid(text)
UNION ALL
SELECT file_id, line, TRY_CAST(r.received_at AS TIMESTAMPTZ), r.body
FROM (
    SELECT file_id, line, from_json(text, '{"received_at":"VARCHAR","body":"VARCHAR"}') AS r
    FROM landing_lines WHERE json_valid(text)
)
WHERE r.body IS NOT NULL AND json_valid(r.body);

-- name: careful_problems
INSERT INTO stg_quarantine
SELECT file_id, line, 'webhooks', 'invalid JSON', text FROM careful_lines WHERE NOT json_valid(text);

-- name: landing_problems
INSERT INTO stg_quarantine
SELECT file_id, line, 'landing',
       CASE
           WHEN NOT json_valid(text) THEN 'torn or invalid landing record'
           WHEN r.body IS NULL THEN 'landing record has no body'
           ELSE 'webhook body is not valid JSON (landed as received)'
       END,
       text
FROM (
    SELECT file_id, line, text,
           CASE WHEN json_valid(text) THEN from_json(text, '{"body":"VARCHAR"}') END AS r
    FROM landing_lines
)
WHERE NOT json_valid(text) OR r.body IS NULL OR NOT json_valid(r.body);

-- name: send_lines
-- JSON send-log lines; CSV rows get their own view (send_csv_rows) and the same checks run on
-- each in turn: one UNION of both let DuckDB's optimizer apply from_json to CSV text.
CREATE OR REPLACE TEMP VIEW src_send AS
SELECT file_id, line, 'send_log' AS source_kind, text AS raw_text, j.*
FROM (
    SELECT file_id, line, text, from_json(text, '{send_struct}') AS j
    FROM (
        SELECT file_id, line, text FROM fast_send_lines
        UNION ALL
        SELECT file_id, line, text FROM careful_send_lines WHERE json_valid(text) AND json_type(text) = 'OBJECT'
    )
);

-- name: send_csv_rows
-- copied into DuckDB first: the checks ran ~20x slower per row straight off the Arrow scan
CREATE OR REPLACE TEMP TABLE csv_send AS SELECT * FROM csv_rows;
CREATE OR REPLACE TEMP VIEW src_send AS SELECT * FROM csv_send;

-- name: send_problems
INSERT INTO stg_quarantine
SELECT file_id, line, 'send_log',
       CASE WHEN json_valid(text) THEN 'send-log line is not a JSON object' ELSE 'invalid JSON' END, text
FROM careful_send_lines
WHERE NOT json_valid(text) OR json_type(text) <> 'OBJECT';
