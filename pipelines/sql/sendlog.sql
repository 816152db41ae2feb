-- Send-log rows -> stg_send. Input: the temp view src_send(file_id, line, source_kind, raw_text,
-- and every send-log column as text). JSON lines and CSV exports meet here, so both are checked
-- by the same rules and quarantined with the same reasons.

-- name: rows
INSERT INTO stg_send BY NAME
WITH n AS (
    SELECT *,
           nullif(trim(attempted_at), '') AS at_text,
           -- only a number with non-ASCII characters can hold full-width digits to fold
           CASE WHEN strlen(coalesce("to", '')) = length(coalesce("to", '')) THEN coalesce("to", '')
                ELSE translate("to", '０１２３４５６７８９＋', '0123456789+') END AS to_folded,
           lower(nullif(trim(outcome), '')) AS outcome_text,
           lower(nullif(trim(category), '')) AS category_text,
           nullif(trim(error_code), '') AS error_code_text,
           nullif(trim(campaign), '') AS campaign_text,
           nullif(trim(template), '') AS template_text
    FROM src_send
),
t AS (
    SELECT *,
           TRY_CAST(at_text AS TIMESTAMPTZ) AS at_ts,
           regexp_matches(coalesce(at_text, ''), '(Z|z|[+-][0-9][0-9](:?[0-9][0-9])?)$') AS has_offset,
           regexp_replace(CASE WHEN ltrim(to_folded) LIKE '00%' THEN substr(ltrim(to_folded), 3) ELSE to_folded END,
                          '[^0-9]', '', 'g') AS to_digits,
           CASE outcome_text WHEN 'held_for_quality_assessment' THEN 'held' ELSE outcome_text END AS outcome_norm,
           coalesce(TRY_CAST(error_code_text AS BIGINT),
                    CASE WHEN TRY_CAST(error_code_text AS DOUBLE) = floor(TRY_CAST(error_code_text AS DOUBLE))
                         THEN TRY_CAST(TRY_CAST(error_code_text AS DOUBLE) AS BIGINT) END) AS code,
           nullif(trim(wamid), '') AS wamid_text
    FROM n
)
SELECT * REPLACE (CASE WHEN reason IS NOT NULL THEN raw_text END AS raw_text) FROM (
SELECT file_id, line, source_kind, raw_text,
       CASE
           WHEN at_text IS NULL THEN 'attempted_at is missing'
           WHEN at_ts IS NULL THEN 'attempted_at is not an ISO-8601 timestamp: ' || at_text
           WHEN NOT has_offset THEN 'attempted_at has no UTC offset: ' || at_text || ' (write e.g. 2026-10-01T08:00:00+08:00)'
           WHEN length(to_digits) NOT BETWEEN 7 AND 15 OR to_digits LIKE '0%'
               THEN 'to is not an international phone number: ' || coalesce("to", 'missing')
           WHEN outcome_norm IS NULL THEN 'outcome is missing'
           WHEN outcome_norm NOT IN ('accepted', 'held', 'rejected')
               THEN 'outcome must be accepted, held or rejected, not ' || outcome_text
           WHEN outcome_norm IN ('accepted', 'held') AND wamid_text IS NULL THEN 'an ' || outcome_norm || ' row needs a wamid'
           WHEN category_text IS NOT NULL AND category_text NOT IN ('marketing', 'utility', 'authentication', 'service')
               THEN 'category must be marketing, utility, authentication or service, not ' || category_text
           WHEN error_code_text IS NOT NULL AND code IS NULL THEN 'error_code is not an integer: ' || error_code_text
           WHEN nullif(trim(status), '') IS NOT NULL AND TRY_CAST(nullif(trim(status_at), '') AS TIMESTAMPTZ) IS NULL
                AND nullif(trim(status_at), '') IS NOT NULL
               THEN 'status_at is not an ISO-8601 timestamp: ' || status_at
       END AS reason,
       at_ts AS attempted_at,
       coalesce(campaign_text, '-') AS campaign,
       coalesce(template_text, '-') AS template,
       nullif(trim(language), '') AS language,
       coalesce(category_text, CASE WHEN template_text IS NULL OR template_text = '-' THEN 'service' ELSE '(unknown)' END) AS category,
       '+' || to_digits AS to_number,
       nullif(trim(phone_number_id), '') AS phone_number_id,
       outcome_norm AS outcome,
       wamid_text AS wamid,
       code AS error_code,
       nullif(trim(error_title), '') AS error_title,
       nullif(trim(idempotency_key), '') AS idempotency_key,
       nullif(trim(lint_report), '') AS lint_report,
       lower(trim(coalesce(complaint, ''))) IN ('true', '1', 'yes', 'y', '是') AS complaint,
       lower(trim(coalesce(blocked, ''))) IN ('true', '1', 'yes', 'y', '是') AS blocked,
       lower(nullif(trim(status), '')) AS status,
       coalesce(TRY_CAST(nullif(trim(status_at), '') AS TIMESTAMPTZ), at_ts) AS status_at,
       md5(concat_ws('|', epoch_us(at_ts)::VARCHAR, coalesce(campaign_text, '-'), coalesce(template_text, '-'),
                     coalesce(trim(language), ''), coalesce(category_text, ''), to_digits,
                     coalesce(trim(phone_number_id), ''), coalesce(outcome_norm, ''), coalesce(wamid_text, ''),
                     coalesce(code::VARCHAR, ''), coalesce(trim(idempotency_key), ''))) AS row_id
FROM t
-- the line's text is kept only where the quarantine needs it
);

-- name: quarantine
INSERT INTO stg_quarantine
SELECT file_id, line, source_kind, reason, raw_text FROM stg_send WHERE reason IS NOT NULL;

-- name: bsp_statuses
-- Exports that carry a per-message status (BSP reports) become status events of that message.
INSERT INTO stg_status BY NAME
SELECT file_id, line, NULL::TIMESTAMPTZ AS received_at, phone_number_id, wamid,
       CASE WHEN status IN ('seen', 'opened') THEN 'read' ELSE status END AS status,
       epoch(status_at)::BIGINT AS ts_unix, substr(to_number, 2) AS recipient_id,
       CASE WHEN status = 'failed' THEN error_code END AS error_code,
       CASE WHEN status = 'failed' THEN error_code::VARCHAR END AS error_codes,
       'send_log' AS source,
       md5(concat_ws('|', wamid, CASE WHEN status IN ('seen', 'opened') THEN 'read' ELSE status END,
                     epoch(status_at)::BIGINT::VARCHAR, CASE WHEN status = 'failed' THEN error_code::VARCHAR ELSE '' END,
                     substr(to_number, 2), 'send_log')) AS event_id,
       to_number AS ident
FROM stg_send
WHERE reason IS NULL AND status IS NOT NULL AND wamid IS NOT NULL AND outcome IN ('accepted', 'held');
