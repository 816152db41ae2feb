-- Webhook bodies -> staging tables. Input: the temp view src_lines(file_id, line, received_at, text),
-- one webhook body per row. Each body is parsed once into a typed struct (stg_body); statuses and
-- messages keep their raw JSON text so that fields wagate does not model are never lost.

-- name: bodies
CREATE OR REPLACE TEMP TABLE stg_body AS
WITH b AS (
    SELECT file_id, line, received_at, text,
           from_json(text, '{"object":"VARCHAR","entry":[{"id":"VARCHAR","time":"VARCHAR","changes":[{"field":"VARCHAR","value":{"metadata":{"phone_number_id":"VARCHAR","display_phone_number":"VARCHAR"},"statuses":["JSON"],"messages":["JSON"],"user_preferences":["JSON"],"errors":"JSON"}}]}]}') AS env
    FROM src_lines
)
SELECT file_id, line, received_at, env,
       CASE
           WHEN env.object IS NULL AND env.entry IS NULL THEN 'not a WhatsApp webhook body (no object/entry)'
           WHEN env.object IS DISTINCT FROM 'whatsapp_business_account'
               THEN 'object is ' || coalesce('"' || env.object || '"', 'missing') || ', expected "whatsapp_business_account"'
           WHEN env.entry IS NULL THEN 'entry is missing or not an array'
       END AS reason,
       -- the body text is kept only where it is needed again: bad bodies (for the quarantine) and
       -- bodies with fields other than messages/user_preferences (stored whole, parsed again)
       CASE
           WHEN env.object IS DISTINCT FROM 'whatsapp_business_account' OR env.entry IS NULL THEN text
           -- the common shape (one entry, one messages change with statuses) skips the list scans
           WHEN len(env.entry) = 1 AND len(env.entry[1].changes) = 1 AND env.entry[1].changes[1].field = 'messages'
                AND env.entry[1].changes[1].value.statuses IS NOT NULL THEN NULL
           WHEN list_bool_or(list_transform(flatten(list_transform(env.entry, lambda e: list_transform(e.changes, lambda c: c.field))),
                                            lambda f: f IS NULL OR f NOT IN ('messages', 'user_preferences'))) THEN text
           WHEN list_bool_or(list_transform(flatten(list_transform(env.entry, lambda e: list_transform(e.changes, lambda c: c.value.statuses IS NULL AND c.value.messages IS NULL AND c.value.errors IS NULL AND c.value.user_preferences IS NULL))),
                                            lambda x: x)) THEN text
       END AS text
FROM b;

-- name: changes
-- A view, not a table: the unnest is cheap and a copy of every status would cost memory.
CREATE OR REPLACE TEMP VIEW stg_change AS
WITH e AS (
    SELECT file_id, line, received_at, unnest(env.entry) AS e FROM stg_body WHERE reason IS NULL
)
SELECT file_id, line, received_at, e.id AS waba_id, TRY_CAST(e.time AS BIGINT) AS entry_time,
       unnest(e.changes) AS c
FROM e
WHERE e.changes IS NOT NULL;

-- name: body_quarantine
INSERT INTO stg_quarantine
SELECT file_id, line, 'webhooks', reason, text FROM stg_body WHERE reason IS NOT NULL;

-- name: statuses
INSERT INTO stg_status BY NAME
WITH s AS (
    SELECT file_id, line, received_at, waba_id, c.value.metadata.phone_number_id AS phone_number_id,
           c.value.metadata.display_phone_number AS display_phone_number, unnest(c.value.statuses) AS raw
    FROM stg_change
    WHERE c.field = 'messages' AND c.value.statuses IS NOT NULL
),
p AS (
    SELECT *, CASE WHEN s.errors IS NOT NULL THEN array_to_string(list_transform(s.errors, lambda x: x.code::VARCHAR), ',') END AS error_codes
    FROM (
        SELECT *, from_json(raw, '{"id":"VARCHAR","status":"VARCHAR","timestamp":"VARCHAR","recipient_id":"VARCHAR","recipient_user_id":"VARCHAR","biz_opaque_callback_data":"VARCHAR","pricing":{"category":"VARCHAR","type":"VARCHAR","pricing_model":"VARCHAR","billable":"BOOLEAN"},"conversation":{"id":"VARCHAR","origin":{"type":"VARCHAR"}},"errors":[{"code":"BIGINT","title":"VARCHAR","message":"VARCHAR","error_data":{"details":"VARCHAR"}}]}') AS s
        FROM s
    )
)
SELECT file_id, line, received_at, waba_id, phone_number_id, display_phone_number, raw,
       s.id AS wamid, lower(s.status) AS status, TRY_CAST(s.timestamp AS BIGINT) AS ts_unix,
       s.recipient_id, s.recipient_user_id, s.biz_opaque_callback_data,
       s.pricing.category AS pricing_category, s.pricing.type AS pricing_type,
       s.pricing.pricing_model AS pricing_model, s.pricing.billable AS billable,
       s.conversation.id AS conversation_id, s.conversation.origin.type AS conversation_origin,
       s.errors[1].code AS error_code, coalesce(s.errors[1].title, s.errors[1].message) AS error_title,
       s.errors[1].error_data.details AS error_details,
       error_codes,
       md5(concat_ws('|', s.id, lower(s.status), s.timestamp, error_codes,
                     coalesce(s.recipient_id, s.recipient_user_id, ''), 'webhook')) AS event_id,
       -- recipient_id is plain digits from Meta: only anything else pays for a regex
       CASE WHEN TRY_CAST(s.recipient_id AS UBIGINT) IS NOT NULL THEN '+' || s.recipient_id
            WHEN s.recipient_id IS NOT NULL THEN '+' || regexp_replace(s.recipient_id, '[^0-9]', '', 'g')
            WHEN s.recipient_user_id IS NOT NULL THEN 'bsuid:' || s.recipient_user_id END AS ident,
       CASE
           -- raw is minified JSON written by the parser: an object is exactly what starts with '{'
           WHEN NOT starts_with(raw, '{') THEN 'status is not a JSON object'
           WHEN s.id IS NULL OR s.id = '' THEN 'status has no id (wamid)'
           WHEN s.status IS NULL OR s.status = '' THEN 'status has no status value'
           WHEN TRY_CAST(s.timestamp AS BIGINT) IS NULL THEN 'status timestamp is not unix seconds: ' || coalesce(s.timestamp, 'missing')
       END AS reason
FROM p;

-- name: status_quarantine
INSERT INTO stg_quarantine
SELECT file_id, line, 'webhooks', reason, raw::VARCHAR FROM stg_status WHERE reason IS NOT NULL AND source = 'webhook';

-- name: inbound
INSERT INTO stg_inbound BY NAME
WITH m AS (
    SELECT file_id, line, received_at, waba_id, c.value.metadata.phone_number_id AS phone_number_id,
           unnest(c.value.messages) AS raw
    FROM stg_change
    WHERE c.field = 'messages' AND c.value.messages IS NOT NULL
),
p AS (
    SELECT *, from_json(raw, '{"id":"VARCHAR","from":"VARCHAR","from_user_id":"VARCHAR","timestamp":"VARCHAR","type":"VARCHAR","text":{"body":"VARCHAR"},"button":{"payload":"VARCHAR","text":"VARCHAR"},"interactive":{"type":"VARCHAR","button_reply":{"id":"VARCHAR","title":"VARCHAR"},"list_reply":{"id":"VARCHAR","title":"VARCHAR"}},"reaction":{"message_id":"VARCHAR","emoji":"VARCHAR"},"context":{"id":"VARCHAR"},"image":{"caption":"VARCHAR"},"video":{"caption":"VARCHAR"},"document":{"caption":"VARCHAR"},"system":{"type":"VARCHAR"},"errors":[{"code":"BIGINT"}]}') AS m
    FROM m
)
SELECT file_id, line, received_at, waba_id, phone_number_id, raw,
       m.id AS message_id, m."from" AS from_number, m.from_user_id, TRY_CAST(m.timestamp AS BIGINT) AS ts_unix,
       lower(m.type) AS type,
       coalesce(m.text.body, m.image.caption, m.video.caption, m.document.caption,
                m.interactive.button_reply.title, m.interactive.list_reply.title) AS text,
       m.button.payload AS button_payload, m.button.text AS button_text,
       m.interactive.type AS interactive_type,
       coalesce(m.interactive.button_reply.id, m.interactive.list_reply.id) AS interactive_id,
       m.reaction.emoji AS reaction_emoji, m.reaction.message_id AS reaction_to,
       m.context.id AS context_id, m.system.type AS system_type, m.errors[1].code AS error_code,
       md5('in|' || m.id) AS event_id,
       CASE WHEN m."from" IS NOT NULL THEN '+' || regexp_replace(m."from", '[^0-9]', '', 'g')
            WHEN m.from_user_id IS NOT NULL THEN 'bsuid:' || m.from_user_id END AS ident,
       CASE
           WHEN json_type(raw) <> 'OBJECT' THEN 'message is not a JSON object'
           WHEN m.id IS NULL OR m.id = '' THEN 'inbound message has no id'
           WHEN TRY_CAST(m.timestamp AS BIGINT) IS NULL THEN 'inbound message timestamp is not unix seconds: ' || coalesce(m.timestamp, 'missing')
           WHEN m."from" IS NULL AND m.from_user_id IS NULL THEN 'inbound message has neither from nor from_user_id'
       END AS reason
FROM p;

-- name: inbound_quarantine
INSERT INTO stg_quarantine
SELECT file_id, line, 'webhooks', reason, raw::VARCHAR FROM stg_inbound WHERE reason IS NOT NULL;

-- name: preferences
INSERT INTO stg_pref BY NAME
WITH u AS (
    SELECT file_id, line, received_at, c.value.metadata.phone_number_id AS phone_number_id,
           unnest(c.value.user_preferences) AS raw
    FROM stg_change
    WHERE c.field = 'user_preferences' AND c.value.user_preferences IS NOT NULL
),
p AS (
    SELECT *, from_json(raw, '{"wa_id":"VARCHAR","detail":"VARCHAR","category":"VARCHAR","value":"VARCHAR","timestamp":"VARCHAR"}') AS u FROM u
)
SELECT file_id, line, received_at, phone_number_id, raw, u.wa_id, u.detail, u.category,
       lower(u.value) AS value, TRY_CAST(u.timestamp AS BIGINT) AS ts_unix,
       md5(concat_ws('|', 'pref', u.wa_id, coalesce(phone_number_id, ''), coalesce(u.category, ''), lower(u.value), u.timestamp)) AS event_id,
       '+' || regexp_replace(u.wa_id, '[^0-9]', '', 'g') AS ident,
       CASE
           WHEN json_type(raw) <> 'OBJECT' THEN 'user_preferences item is not a JSON object'
           WHEN u.wa_id IS NULL THEN 'user_preferences item has no wa_id'
           WHEN u.value IS NULL THEN 'user_preferences item has no value'
           WHEN TRY_CAST(u.timestamp AS BIGINT) IS NULL THEN 'user_preferences timestamp is not unix seconds'
       END AS reason
FROM p;

-- name: preference_quarantine
INSERT INTO stg_quarantine
SELECT file_id, line, 'webhooks', reason, raw::VARCHAR FROM stg_pref WHERE reason IS NOT NULL;

-- name: business
-- Every other field (templates, quality, account signals, unknown fields), system-level errors[]
-- of the messages field, and messages changes carrying nothing wagate models: kept as landed.
INSERT INTO stg_business BY NAME
WITH e AS (
    SELECT file_id, line, received_at,
           unnest(from_json(text, '{"entry":[{"id":"VARCHAR","time":"VARCHAR","changes":[{"field":"VARCHAR","value":"JSON"}]}]}').entry) AS e
    FROM stg_body
    WHERE reason IS NULL AND text IS NOT NULL
),
c AS (
    SELECT file_id, line, received_at, e.id AS waba_id, TRY_CAST(e.time AS BIGINT) AS entry_time, unnest(e.changes) AS c
    FROM e WHERE e.changes IS NOT NULL
)
SELECT file_id, line, received_at, waba_id, entry_time, c.field AS field, c.value AS value
FROM c
WHERE c.field IS NOT NULL AND c.value IS NOT NULL
  AND (c.field NOT IN ('messages', 'user_preferences')
       OR json_type(c.value, '$.statuses') IS NULL AND json_type(c.value, '$.messages') IS NULL
          AND json_type(c.value, '$.errors') IS NULL AND json_type(c.value, '$.user_preferences') IS NULL)
UNION ALL
SELECT file_id, line, received_at, waba_id, entry_time, 'messages.errors', c.value.errors
FROM stg_change
WHERE c.field = 'messages' AND c.value.errors IS NOT NULL;

-- name: change_quarantine
INSERT INTO stg_quarantine
SELECT file_id, line, 'webhooks', 'entry.changes[] item has no field', NULL
FROM stg_change WHERE c.field IS NULL;

-- name: release
-- The bodies are parsed into the staging tables: free their memory before the merge.
DROP VIEW stg_change;
DROP TABLE stg_body;
