-- Staging -> raw, inside the load's transaction. Each insert appends only the rows raw does not
-- have yet (deterministic ids, so a body delivered three times or a file loaded twice adds
-- nothing), stamped loaded_at = $now, the load's own time: that stamp is how the rest of the load
-- finds what is new without keeping a second copy of it. `{contact_key}` is replaced by the
-- keyed-hash SQL of core.phones (bound pads, no user input).

-- name: numbers
CREATE OR REPLACE TEMP TABLE stg_numbers AS
SELECT DISTINCT ident FROM (
    SELECT ident FROM stg_status WHERE reason IS NULL
    UNION ALL SELECT ident FROM stg_inbound WHERE reason IS NULL
    UNION ALL SELECT ident FROM stg_pref WHERE reason IS NULL
    UNION ALL SELECT to_number FROM stg_send WHERE reason IS NULL
) WHERE ident IS NOT NULL;

-- name: keys
CREATE OR REPLACE TEMP TABLE stg_keys AS
SELECT ident, {contact_key} AS contact_key FROM stg_numbers;

-- name: unknown_contacts
-- New people, placed by calling code (codes are prefix-free, so at most one join matches).
-- Codes shared by several regions (+1, +7, +44, ...) leave region NULL for core.phones to resolve.
CREATE OR REPLACE TEMP TABLE new_contacts AS
SELECT k.ident, k.contact_key,
       coalesce(c1.code, c2.code, c3.code) AS calling_code,
       coalesce(c1.region, c2.region, c3.region) AS region
FROM (SELECT DISTINCT ident, contact_key FROM stg_keys
      WHERE contact_key NOT IN (SELECT contact_key FROM core.contacts)) k
LEFT JOIN calling_codes c1 ON k.ident[1] = '+' AND c1.prefix = k.ident[2:2]
LEFT JOIN calling_codes c2 ON k.ident[1] = '+' AND c2.prefix = k.ident[2:3]
LEFT JOIN calling_codes c3 ON k.ident[1] = '+' AND c3.prefix = k.ident[2:4];

-- name: shared_code_contacts
SELECT ident FROM new_contacts WHERE region IS NULL AND calling_code IS NOT NULL;

-- name: insert_contacts
INSERT INTO core.contacts BY NAME
SELECT n.contact_key, coalesce(n.region, r.region, 'ZZ') AS region, n.calling_code
FROM new_contacts n LEFT JOIN shared_regions r ON r.ident = n.ident;

-- name: status_duplicates
CREATE OR REPLACE TEMP TABLE stg_status_dup AS
SELECT event_id FROM stg_status WHERE reason IS NULL GROUP BY event_id HAVING count(*) > 1;

-- name: insert_status
-- Duplicates inside the batch are rare: only their event ids go through the (costly) window.
INSERT INTO raw.status_events BY NAME
WITH s AS (
    SELECT * FROM stg_status WHERE reason IS NULL AND event_id NOT IN (SELECT event_id FROM stg_status_dup)
    UNION ALL
    SELECT * FROM (SELECT * FROM stg_status WHERE reason IS NULL AND event_id IN (SELECT event_id FROM stg_status_dup))
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY file_id, line) = 1
)
SELECT s.event_id, s.wamid, s.status, to_timestamp(s.ts_unix) AS ts, s.recipient_id, s.recipient_user_id,
       k.contact_key, s.phone_number_id, s.display_phone_number, s.waba_id, s.error_code, s.error_title,
       s.error_details, s.pricing_category, s.pricing_type, s.pricing_model, s.billable, s.conversation_id,
       s.conversation_origin, s.biz_opaque_callback_data, s.source, s.received_at, s.raw,
       f.path AS source_file, s.line, $now::TIMESTAMPTZ AS loaded_at
FROM s
LEFT JOIN stg_keys k ON k.ident = s.ident
LEFT JOIN stg_files f ON f.file_id = s.file_id
WHERE s.event_id NOT IN (SELECT event_id FROM raw.status_events);

-- name: insert_inbound
INSERT INTO raw.inbound_messages BY NAME
WITH s AS (
    SELECT * FROM stg_inbound WHERE reason IS NULL
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY file_id, line) = 1
)
SELECT s.event_id, s.message_id, to_timestamp(s.ts_unix) AS ts, s.from_number, s.from_user_id, k.contact_key,
       s.phone_number_id, s.waba_id, s.type, s.text, s.button_payload, s.button_text, s.interactive_type,
       s.interactive_id, s.reaction_emoji, s.reaction_to, s.context_id, s.system_type, s.error_code,
       s.received_at, s.raw, f.path AS source_file, s.line, $now::TIMESTAMPTZ AS loaded_at
FROM s
LEFT JOIN stg_keys k ON k.ident = s.ident
LEFT JOIN stg_files f ON f.file_id = s.file_id
WHERE s.event_id NOT IN (SELECT event_id FROM raw.inbound_messages);

-- name: insert_pref
INSERT INTO raw.user_preferences BY NAME
WITH s AS (
    SELECT * FROM stg_pref WHERE reason IS NULL
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY file_id, line) = 1
)
SELECT s.event_id, s.wa_id, k.contact_key, s.phone_number_id, s.category, s.value, s.detail,
       to_timestamp(s.ts_unix) AS ts, s.received_at, s.raw, f.path AS source_file, s.line,
       $now::TIMESTAMPTZ AS loaded_at
FROM s
LEFT JOIN stg_keys k ON k.ident = s.ident
LEFT JOIN stg_files f ON f.file_id = s.file_id
WHERE s.event_id NOT IN (SELECT event_id FROM raw.user_preferences);

-- name: insert_business
INSERT INTO raw.business_events BY NAME
WITH ids AS (
    SELECT * REPLACE (coalesce(event_id, md5(concat_ws('|', field, coalesce(waba_id, ''),
                                                    coalesce(entry_time::VARCHAR, ''), value::VARCHAR))) AS event_id)
    FROM stg_business
),
s AS (
    SELECT * FROM ids
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY file_id, line) = 1
)
SELECT s.event_id, s.field, s.waba_id,
       coalesce(to_timestamp(s.entry_time), s.received_at, $now::TIMESTAMPTZ) AS ts,
       s.value, s.received_at, f.path AS source_file, s.line, $now::TIMESTAMPTZ AS loaded_at
FROM s
LEFT JOIN stg_files f ON f.file_id = s.file_id
WHERE s.event_id NOT IN (SELECT event_id FROM raw.business_events);

-- name: insert_send
-- (NOT MATERIALIZED here and below: a CTE read more than once is otherwise copied whole, which
-- costs more than scanning its source again)
INSERT INTO raw.send_log BY NAME
WITH ok AS NOT MATERIALIZED (SELECT * FROM stg_send WHERE reason IS NULL),
dup AS (SELECT row_id FROM ok GROUP BY row_id HAVING count(*) > 1),
s AS (
    SELECT * FROM ok WHERE row_id NOT IN (SELECT row_id FROM dup)
    UNION ALL
    SELECT * FROM (SELECT * FROM ok WHERE row_id IN (SELECT row_id FROM dup))
    QUALIFY row_number() OVER (PARTITION BY row_id ORDER BY file_id, line) = 1
)
SELECT s.row_id, s.attempted_at, s.campaign, s.template, s.language, s.category, s.to_number, k.contact_key,
       s.phone_number_id, s.outcome, s.wamid, s.error_code, s.error_title, s.idempotency_key, s.lint_report,
       s.complaint, s.blocked, s.source_kind, f.path AS source_file, s.line, $now::TIMESTAMPTZ AS loaded_at
FROM s
JOIN stg_keys k ON k.ident = s.to_number
LEFT JOIN stg_files f ON f.file_id = s.file_id
WHERE s.row_id NOT IN (SELECT row_id FROM raw.send_log);

-- name: quarantine
INSERT INTO meta.quarantine BY NAME
SELECT $run_id AS run_id, coalesce(f.path, '?') AS source_file, q.line, q.source_kind, q.reason,
       left(q.raw_text, 100000) AS raw_text, $now::TIMESTAMPTZ AS quarantined_at
FROM stg_quarantine q LEFT JOIN stg_files f ON f.file_id = q.file_id;

-- name: affected
-- Everyone whose derived rows may change: the people in new rows, and the people behind the
-- wamids those rows mention (a status can name a message logged for another number format).
CREATE OR REPLACE TEMP TABLE affected AS
WITH new_status AS NOT MATERIALIZED (SELECT wamid, contact_key FROM raw.status_events WHERE loaded_at = $now),
new_send AS NOT MATERIALIZED (SELECT wamid, contact_key FROM raw.send_log WHERE loaded_at = $now)
SELECT DISTINCT contact_key FROM (
    SELECT contact_key FROM new_status
    UNION ALL SELECT contact_key FROM raw.inbound_messages WHERE loaded_at = $now
    UNION ALL SELECT contact_key FROM raw.user_preferences WHERE loaded_at = $now
    UNION ALL SELECT contact_key FROM new_send
    UNION ALL SELECT l.contact_key FROM raw.send_log l
              WHERE l.wamid IN (SELECT wamid FROM new_status) AND l.loaded_at <> $now
    UNION ALL SELECT s.contact_key FROM raw.status_events s
              WHERE s.wamid IN (SELECT wamid FROM new_send WHERE wamid IS NOT NULL) AND s.loaded_at <> $now
) WHERE contact_key IS NOT NULL;

-- name: new_counts
SELECT 'status_events', count(*) FROM raw.status_events WHERE loaded_at = $now
UNION ALL SELECT 'inbound_messages', count(*) FROM raw.inbound_messages WHERE loaded_at = $now
UNION ALL SELECT 'user_preferences', count(*) FROM raw.user_preferences WHERE loaded_at = $now
UNION ALL SELECT 'business_events', count(*) FROM raw.business_events WHERE loaded_at = $now
UNION ALL SELECT 'send_log', count(*) FROM raw.send_log WHERE loaded_at = $now;

-- name: per_file
WITH staged AS (
    SELECT file_id FROM stg_status WHERE reason IS NULL
    UNION ALL SELECT file_id FROM stg_inbound WHERE reason IS NULL
    UNION ALL SELECT file_id FROM stg_pref WHERE reason IS NULL
    UNION ALL SELECT file_id FROM stg_business
    UNION ALL SELECT file_id FROM stg_send WHERE reason IS NULL
),
fresh AS (
    SELECT source_file FROM raw.status_events WHERE loaded_at = $now
    UNION ALL SELECT source_file FROM raw.inbound_messages WHERE loaded_at = $now
    UNION ALL SELECT source_file FROM raw.user_preferences WHERE loaded_at = $now
    UNION ALL SELECT source_file FROM raw.business_events WHERE loaded_at = $now
    UNION ALL SELECT source_file FROM raw.send_log WHERE loaded_at = $now
),
s AS (SELECT file_id, count(*) AS n FROM staged GROUP BY 1),
n AS (SELECT source_file, count(*) AS n FROM fresh GROUP BY 1),
q AS (SELECT file_id, count(*) AS n FROM stg_quarantine GROUP BY 1)
SELECT f.file_id, coalesce(s.n, 0), coalesce(n.n, 0), coalesce(q.n, 0)
FROM stg_files f
LEFT JOIN s ON s.file_id = f.file_id
LEFT JOIN n ON n.source_file = f.path
LEFT JOIN q ON q.file_id = f.file_id;

-- name: release
DROP TABLE stg_status;
DROP TABLE stg_inbound;
DROP TABLE stg_pref;
DROP TABLE stg_business;
DROP TABLE stg_send;
