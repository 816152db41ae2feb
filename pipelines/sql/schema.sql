-- The warehouse schema. raw: as landed, append-only, keyed by deterministic event ids.
-- Keys are unique by construction (every load anti-joins on them) rather than by PRIMARY KEY
-- constraints: DuckDB's indexes roughly halve bulk-load speed and are not needed for reads.
-- Raw JSON columns are zstd-compressed: with DuckDB's default string compression the JSON texts
-- took about 40 % of a bulk insert's time; zstd is faster on them and stores them smaller.
-- core: derived per contact, recomputed for the contacts a load touches. meta: bookkeeping.
-- Plain phone numbers live only in raw (needed for sending and erasure); core and marts carry
-- the keyed contact_key.

CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS meta.schema_version (version INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS meta.params (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS meta.files (
    path        VARCHAR PRIMARY KEY,   -- absolute path as given
    kind        VARCHAR NOT NULL,      -- webhooks | landing | send_log | csv:<mapping> | parquet_export
    size        BIGINT NOT NULL,
    mtime_ns    BIGINT NOT NULL,
    head_sha256 VARCHAR NOT NULL,      -- hash of the first 64 KiB: tells an append from a rewrite
    bytes_done  BIGINT NOT NULL,       -- bytes loaded so far (append-only files resume here)
    lines_done  BIGINT NOT NULL,       -- lines loaded so far (line numbers continue from here)
    run_id      VARCHAR NOT NULL,
    loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS meta.runs (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    report      JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS meta.quarantine (
    run_id         VARCHAR NOT NULL,
    source_file    VARCHAR NOT NULL,
    line           BIGINT,            -- 1-based line (or array element) in the file
    source_kind    VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    raw_text       VARCHAR,
    quarantined_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.status_events (
    event_id           VARCHAR NOT NULL,     -- md5(wamid|status|timestamp|error codes|recipient|source)
    wamid              VARCHAR NOT NULL,
    status             VARCHAR NOT NULL,
    ts                 TIMESTAMPTZ NOT NULL,
    recipient_id       VARCHAR,
    recipient_user_id  VARCHAR,
    contact_key        VARCHAR,
    phone_number_id    VARCHAR,
    display_phone_number VARCHAR,
    waba_id            VARCHAR,
    error_code         BIGINT,
    error_title        VARCHAR,
    error_details      VARCHAR,
    pricing_category   VARCHAR,
    pricing_type       VARCHAR,
    pricing_model      VARCHAR,
    billable           BOOLEAN,
    conversation_id    VARCHAR,
    conversation_origin VARCHAR,
    biz_opaque_callback_data VARCHAR,
    source             VARCHAR NOT NULL,     -- webhook | send_log (BSP status columns)
    received_at        TIMESTAMPTZ,
    raw                JSON USING COMPRESSION zstd,
    source_file        VARCHAR,
    line               BIGINT,
    loaded_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.inbound_messages (
    event_id        VARCHAR NOT NULL,        -- md5('in|' || message id)
    message_id      VARCHAR NOT NULL,
    ts              TIMESTAMPTZ NOT NULL,
    from_number     VARCHAR,
    from_user_id    VARCHAR,
    contact_key     VARCHAR,
    phone_number_id VARCHAR,
    waba_id         VARCHAR,
    type            VARCHAR,
    text            VARCHAR,                 -- text body, caption, or button/interactive title
    button_payload  VARCHAR,
    button_text     VARCHAR,
    interactive_type VARCHAR,
    interactive_id  VARCHAR,
    reaction_emoji  VARCHAR,
    reaction_to     VARCHAR,
    context_id      VARCHAR,
    system_type     VARCHAR,
    error_code      BIGINT,
    received_at     TIMESTAMPTZ,
    raw             JSON USING COMPRESSION zstd,
    source_file     VARCHAR,
    line            BIGINT,
    loaded_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.user_preferences (
    event_id        VARCHAR NOT NULL,
    wa_id           VARCHAR,
    contact_key     VARCHAR,
    phone_number_id VARCHAR,
    category        VARCHAR,
    value           VARCHAR,
    detail          VARCHAR,
    ts              TIMESTAMPTZ NOT NULL,
    received_at     TIMESTAMPTZ,
    raw             JSON USING COMPRESSION zstd,
    source_file     VARCHAR,
    line            BIGINT,
    loaded_at       TIMESTAMPTZ NOT NULL
);

-- Every other webhook field (template, quality, account signals, unknown fields) as landed.
CREATE TABLE IF NOT EXISTS raw.business_events (
    event_id        VARCHAR NOT NULL,        -- md5(field|waba|entry time|value)
    field           VARCHAR NOT NULL,
    waba_id         VARCHAR,
    ts              TIMESTAMPTZ,             -- entry.time, else the time it was received or loaded
    value           JSON USING COMPRESSION zstd,
    received_at     TIMESTAMPTZ,
    source_file     VARCHAR,
    line            BIGINT,
    loaded_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.send_log (
    row_id          VARCHAR NOT NULL,        -- md5 of the normalised row
    attempted_at    TIMESTAMPTZ NOT NULL,
    campaign        VARCHAR NOT NULL,
    template        VARCHAR NOT NULL,
    language        VARCHAR,
    category        VARCHAR NOT NULL,
    to_number       VARCHAR NOT NULL,        -- E.164
    contact_key     VARCHAR NOT NULL,
    phone_number_id VARCHAR,
    outcome         VARCHAR NOT NULL,        -- accepted | held | rejected
    wamid           VARCHAR,
    error_code      BIGINT,
    error_title     VARCHAR,
    idempotency_key VARCHAR,
    lint_report     VARCHAR,
    complaint       BOOLEAN NOT NULL,
    blocked         BOOLEAN NOT NULL,
    source_kind     VARCHAR NOT NULL,
    source_file     VARCHAR,
    line            BIGINT,
    loaded_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.contacts (
    contact_key  VARCHAR NOT NULL,
    region       VARCHAR NOT NULL,
    calling_code INTEGER
);

CREATE TABLE IF NOT EXISTS core.attempts (
    row_id          VARCHAR NOT NULL,
    contact_key     VARCHAR NOT NULL,
    attempted_at    TIMESTAMPTZ NOT NULL,
    day             DATE NOT NULL,
    campaign        VARCHAR NOT NULL,
    template        VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    country         VARCHAR NOT NULL,
    phone_number_id VARCHAR,
    outcome         VARCHAR NOT NULL,
    wamid           VARCHAR,
    error_code      BIGINT
);

CREATE TABLE IF NOT EXISTS core.messages (
    wamid           VARCHAR NOT NULL,
    contact_key     VARCHAR NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL,
    day             DATE NOT NULL,
    campaign        VARCHAR NOT NULL,
    template        VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    language        VARCHAR,
    country         VARCHAR NOT NULL,
    phone_number_id VARCHAR,
    outcome         VARCHAR NOT NULL,        -- accepted | held | unattributed
    max_rank        TINYINT NOT NULL,        -- 0 none, 1 sent, 2 delivered, 3 read, 4 played
    delivered       BOOLEAN NOT NULL,
    read            BOOLEAN NOT NULL,
    failed          BOOLEAN NOT NULL,
    error_code      BIGINT,
    holdout         BOOLEAN NOT NULL,
    delivered_at    TIMESTAMPTZ,
    read_at         TIMESTAMPTZ,
    last_status_at  TIMESTAMPTZ,
    prev_delivered  BOOLEAN NOT NULL,        -- an earlier message to this person was delivered
    responded       BOOLEAN NOT NULL,
    opted_out       BOOLEAN NOT NULL,
    complained      BOOLEAN NOT NULL,
    explicit_block  BOOLEAN NOT NULL,
    idempotency_key VARCHAR,
    lint_report     VARCHAR
);

CREATE TABLE IF NOT EXISTS core.inbound (
    event_id         VARCHAR NOT NULL,
    contact_key      VARCHAR NOT NULL,
    ts               TIMESTAMPTZ NOT NULL,
    day              DATE NOT NULL,
    type             VARCHAR,
    is_response      BOOLEAN NOT NULL,
    opt_out          BOOLEAN NOT NULL,
    review           BOOLEAN NOT NULL,
    complaint        BOOLEAN NOT NULL,
    opt_in           BOOLEAN NOT NULL,
    help             BOOLEAN NOT NULL,
    scope            VARCHAR,
    language         VARCHAR,
    keyword          VARCHAR,
    tier             VARCHAR,
    channel          VARCHAR,                -- keyword | button | (null)
    attributed_wamid VARCHAR,
    attribution      VARCHAR                 -- context | window | none
);

-- Opt-outs, review flags and opt-ins: the events the suppression list is made of.
CREATE TABLE IF NOT EXISTS core.consent_signals (
    event_id      VARCHAR PRIMARY KEY,
    contact_key   VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,          -- opt_out | review | opt_in
    scope         VARCHAR NOT NULL,          -- all | marketing
    channel       VARCHAR NOT NULL,          -- keyword | button | user_preferences | error_131050 | complaint
    ts            TIMESTAMPTZ NOT NULL,      -- when it happened
    arrived_at    TIMESTAMPTZ NOT NULL,      -- when it reached us (received_at, else ts)
    language      VARCHAR,
    suppressed_at TIMESTAMPTZ NOT NULL       -- when a load first put it on the list (kept across recomputes)
);

-- One row per opt-out (or review flag): the period during which the person is suppressed.
CREATE TABLE IF NOT EXISTS core.suppression (
    event_id     VARCHAR PRIMARY KEY,
    contact_key  VARCHAR NOT NULL,
    scope        VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,           -- active | review
    channel      VARCHAR NOT NULL,
    opted_out_at TIMESTAMPTZ NOT NULL,           -- when the person opted out
    arrived_at   TIMESTAMPTZ NOT NULL,           -- when it reached us: sends after this are breaches
    lifted_at    TIMESTAMPTZ                     -- a later opt-in for the scope
);

CREATE TABLE IF NOT EXISTS core.breaches (
    row_id       VARCHAR PRIMARY KEY,        -- the send-log row sent during a suppression
    contact_key  VARCHAR NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    opt_out_event_id VARCHAR NOT NULL,
    opted_out_at TIMESTAMPTZ NOT NULL,
    scope        VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL
);

-- Privacy (pipelines/privacy, docs/privacy.md): the keyed pseudonyms of people who asked to be
-- forgotten (ingest drops their records, so re-loading an old file never brings them back), and
-- the irreversible tombstone keys their anonymised rows were moved to.
CREATE SCHEMA IF NOT EXISTS privacy;

CREATE TABLE IF NOT EXISTS privacy.forgotten (
    contact_key  VARCHAR PRIMARY KEY,
    forgotten_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS privacy.tombstones (contact_key VARCHAR PRIMARY KEY);

-- The audit trail (core/audit.py) as loaded by each ingest; the JSON-lines file stays the original.
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE IF NOT EXISTS audit.log (
    seq      BIGINT NOT NULL,
    "at"     TIMESTAMPTZ NOT NULL,
    action   VARCHAR NOT NULL,
    operator VARCHAR NOT NULL,
    details  JSON,
    prev     VARCHAR NOT NULL,
    hash     VARCHAR PRIMARY KEY
);
