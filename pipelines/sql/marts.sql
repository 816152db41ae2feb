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
