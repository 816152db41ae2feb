-- Staging tables for one load, private to the connection (TEMP): filled from the inputs, checked,
-- then merged into raw in the load's transaction. Columns are VARCHAR/BIGINT as parsed; raw keeps
-- the final types.

CREATE OR REPLACE TEMP TABLE stg_quarantine (
    file_id INTEGER, line BIGINT, source_kind VARCHAR, reason VARCHAR, raw_text VARCHAR
);

CREATE OR REPLACE TEMP TABLE stg_status (
    file_id INTEGER, line BIGINT, received_at TIMESTAMPTZ, waba_id VARCHAR, phone_number_id VARCHAR,
    display_phone_number VARCHAR, raw JSON, wamid VARCHAR, status VARCHAR, ts_unix BIGINT,
    recipient_id VARCHAR, recipient_user_id VARCHAR, biz_opaque_callback_data VARCHAR,
    pricing_category VARCHAR, pricing_type VARCHAR, pricing_model VARCHAR, billable BOOLEAN,
    conversation_id VARCHAR, conversation_origin VARCHAR, error_code BIGINT, error_title VARCHAR,
    error_details VARCHAR, error_codes VARCHAR, reason VARCHAR, source VARCHAR DEFAULT 'webhook',
    event_id VARCHAR, ident VARCHAR
);

CREATE OR REPLACE TEMP TABLE stg_inbound (
    file_id INTEGER, line BIGINT, received_at TIMESTAMPTZ, waba_id VARCHAR, phone_number_id VARCHAR,
    raw JSON, message_id VARCHAR, from_number VARCHAR, from_user_id VARCHAR, ts_unix BIGINT,
    type VARCHAR, text VARCHAR, button_payload VARCHAR, button_text VARCHAR, interactive_type VARCHAR,
    interactive_id VARCHAR, reaction_emoji VARCHAR, reaction_to VARCHAR, context_id VARCHAR,
    system_type VARCHAR, error_code BIGINT, reason VARCHAR, event_id VARCHAR, ident VARCHAR
);

CREATE OR REPLACE TEMP TABLE stg_pref (
    file_id INTEGER, line BIGINT, received_at TIMESTAMPTZ, phone_number_id VARCHAR, raw JSON,
    wa_id VARCHAR, detail VARCHAR, category VARCHAR, value VARCHAR, ts_unix BIGINT, reason VARCHAR,
    event_id VARCHAR, ident VARCHAR
);

CREATE OR REPLACE TEMP TABLE stg_business (
    file_id INTEGER, line BIGINT, received_at TIMESTAMPTZ, waba_id VARCHAR, entry_time BIGINT,
    field VARCHAR, value JSON, event_id VARCHAR
);

CREATE OR REPLACE TEMP TABLE stg_send (
    file_id INTEGER, line BIGINT, source_kind VARCHAR, raw_text VARCHAR, reason VARCHAR,
    attempted_at TIMESTAMPTZ, campaign VARCHAR, template VARCHAR, language VARCHAR, category VARCHAR,
    to_number VARCHAR, phone_number_id VARCHAR, outcome VARCHAR, wamid VARCHAR, error_code BIGINT,
    error_title VARCHAR, idempotency_key VARCHAR, lint_report VARCHAR, complaint BOOLEAN,
    blocked BOOLEAN, status VARCHAR, status_at TIMESTAMPTZ, row_id VARCHAR
);
