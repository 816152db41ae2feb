-- Reading a `wagate export parquet` folder back: rows go into the staging tables with their
-- exported event ids, so the ordinary merge skips what the warehouse already has. Contact keys
-- are recomputed from the numbers with this workspace's key. `{dir}` is an escaped SQL literal.

-- name: status_events
INSERT INTO stg_status BY NAME
SELECT $file_id::INTEGER AS file_id, line, received_at, waba_id, phone_number_id, display_phone_number, raw::JSON AS raw,
       wamid, status, epoch(ts)::BIGINT AS ts_unix, recipient_id, recipient_user_id, biz_opaque_callback_data,
       pricing_category, pricing_type, pricing_model, billable, conversation_id, conversation_origin, error_code,
       error_title, error_details, NULL AS reason, source, event_id,
       CASE WHEN recipient_id IS NOT NULL THEN '+' || regexp_replace(recipient_id, '[^0-9]', '', 'g')
            WHEN recipient_user_id IS NOT NULL THEN 'bsuid:' || recipient_user_id END AS ident
FROM read_parquet({dir} || '/status_events/*/*.parquet', hive_partitioning = true);

-- name: inbound_messages
INSERT INTO stg_inbound BY NAME
SELECT $file_id::INTEGER AS file_id, line, received_at, waba_id, phone_number_id, raw::JSON AS raw, message_id,
       from_number, from_user_id, epoch(ts)::BIGINT AS ts_unix, type, text, button_payload, button_text,
       interactive_type, interactive_id, reaction_emoji, reaction_to, context_id, system_type, error_code,
       NULL AS reason, event_id,
       CASE WHEN from_number IS NOT NULL THEN '+' || regexp_replace(from_number, '[^0-9]', '', 'g')
            WHEN from_user_id IS NOT NULL THEN 'bsuid:' || from_user_id END AS ident
FROM read_parquet({dir} || '/inbound_messages/*/*.parquet', hive_partitioning = true);

-- name: user_preferences
INSERT INTO stg_pref BY NAME
SELECT $file_id::INTEGER AS file_id, line, received_at, phone_number_id, raw::JSON AS raw, wa_id, detail, category,
       value, epoch(ts)::BIGINT AS ts_unix, NULL AS reason, event_id,
       '+' || regexp_replace(wa_id, '[^0-9]', '', 'g') AS ident
FROM read_parquet({dir} || '/user_preferences/*/*.parquet', hive_partitioning = true);

-- name: business_events
INSERT INTO stg_business BY NAME
SELECT $file_id::INTEGER AS file_id, line, received_at, waba_id, epoch(ts)::BIGINT AS entry_time, field,
       value::JSON AS value, event_id
FROM read_parquet({dir} || '/business_events/*/*.parquet', hive_partitioning = true);

-- name: send_log
INSERT INTO stg_send BY NAME
SELECT $file_id::INTEGER AS file_id, line, source_kind, NULL AS raw_text, NULL AS reason, attempted_at, campaign,
       template, language, category, to_number, phone_number_id, outcome, wamid, error_code, error_title,
       idempotency_key, lint_report, complaint, blocked, NULL AS status, NULL AS status_at, row_id
FROM read_parquet({dir} || '/send_log/*/*.parquet', hive_partitioning = true);
