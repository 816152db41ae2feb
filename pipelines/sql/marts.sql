-- Views read by `wagate metrics`, the dashboard and alerts. They read core and meta.params only;
-- parameters the definitions need (stale-sent threshold, newest receipt) are stored in meta.params
-- by each load, so the views stay plain SQL that any reader can run.

CREATE OR REPLACE VIEW marts.message_facts AS
WITH p AS (
    SELECT
        (SELECT TRY_CAST(value AS DOUBLE) FROM meta.params WHERE name = 'stale_sent_hours') AS stale_hours,
        (SELECT TRY_CAST(value AS TIMESTAMPTZ) FROM meta.params WHERE name = 'newest_receipt') AS newest
)
SELECT m.*,
       m.explicit_block
       OR (m.prev_delivered AND NOT m.holdout AND NOT m.delivered
           AND ((m.failed AND m.error_code = 131026)
                OR (m.max_rank = 1 AND NOT m.failed
                    AND m.last_status_at < p.newest - to_seconds(p.stale_hours * 3600))))
       AS blocked_est
FROM core.messages m, p;

CREATE OR REPLACE VIEW marts.attempt_facts AS
SELECT * FROM core.attempts;

CREATE OR REPLACE VIEW marts.suppression_list AS
SELECT contact_key, scope, status, channel, opted_out_at, arrived_at
FROM core.suppression
WHERE lifted_at IS NULL;

CREATE OR REPLACE VIEW marts.breaches AS
SELECT b.row_id, a.campaign, a.template, a.category, a.country, a.phone_number_id, a.day, b.contact_key,
       b.attempted_at, b.opted_out_at, b.scope, b.channel
FROM core.breaches b JOIN core.attempts a USING (row_id);

CREATE OR REPLACE VIEW marts.opt_out_to_suppression AS
SELECT timezone(coalesce((SELECT value FROM meta.params WHERE name = 'reporting_timezone'), 'UTC'), arrived_at)::DATE AS day,
       count(*) AS opt_outs,
       median(epoch(suppressed_at) - epoch(arrived_at)) AS median_seconds,
       max(epoch(suppressed_at) - epoch(arrived_at)) AS max_seconds
FROM core.consent_signals
WHERE kind = 'opt_out'
GROUP BY 1;

CREATE OR REPLACE VIEW marts.opt_outs AS
SELECT s.event_id, s.contact_key, s.kind, s.scope, s.channel, s.ts, s.arrived_at, s.language,
       timezone(coalesce((SELECT value FROM meta.params WHERE name = 'reporting_timezone'), 'UTC'), s.ts)::DATE AS day
FROM core.consent_signals s
WHERE s.kind IN ('opt_out', 'review');

-- Account and template signals, typed from the raw webhook values (history beyond Meta's 30 days).
CREATE OR REPLACE VIEW marts.template_events AS
SELECT event_id, field, ts, waba_id,
       coalesce(value->>'$.message_template_name', value->>'$.name') AS template,
       replace(value->>'$.message_template_language', '-', '_') AS language,
       value->>'$.message_template_id' AS template_id,
       value->>'$.event' AS event,
       value->>'$.reason' AS reason,
       value->>'$.other_info.title' AS pause_kind,
       value->>'$.message_template_category' AS category,
       value->>'$.previous_quality_score' AS previous_quality,
       value->>'$.new_quality_score' AS new_quality,
       value->>'$.previous_category' AS previous_category,
       value->>'$.new_category' AS new_category,
       value->>'$.correct_category' AS correct_category
FROM raw.business_events
WHERE field IN ('message_template_status_update', 'message_template_quality_update',
                'template_category_update', 'message_template_components_update');

CREATE OR REPLACE VIEW marts.phone_number_events AS
SELECT event_id, field, ts, waba_id,
       value->>'$.display_phone_number' AS display_phone_number,
       value->>'$.event' AS event,
       value->>'$.old_limit' AS old_limit,
       value->>'$.current_limit' AS current_limit,
       value->>'$.max_daily_conversations_per_business' AS max_daily_conversations,
       value->>'$.max_daily_conversation_per_phone' AS max_daily_conversations_per_phone
FROM raw.business_events
WHERE field IN ('phone_number_quality_update', 'business_capability_update', 'phone_number_name_update');

CREATE OR REPLACE VIEW marts.account_events AS
SELECT event_id, field, ts, waba_id,
       coalesce(value->>'$.event', value->>'$.alert_info.alert_type') AS event,
       value->>'$.alert_info.alert_severity' AS severity,
       value->>'$.alert_info.alert_status' AS status,
       coalesce(value->>'$.violation_info.violation_type', value->>'$.ban_info.waba_ban_state',
                value->>'$.alert_info.alert_description') AS detail,
       value->'$.restriction_info' AS restrictions
FROM raw.business_events
WHERE field IN ('account_update', 'account_alerts', 'account_review_update', 'security');

CREATE OR REPLACE VIEW marts.freshness AS
SELECT (SELECT max(ts) FROM raw.status_events) AS newest_status,
       (SELECT max(ts) FROM raw.inbound_messages) AS newest_inbound,
       (SELECT max(attempted_at) FROM raw.send_log) AS newest_send,
       (SELECT max(finished_at) FROM meta.runs) AS last_load;
