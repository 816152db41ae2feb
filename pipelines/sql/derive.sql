-- raw -> core for the contacts in the temp table `affected`. Everything a person's numbers depend
-- on (their messages, replies, opt-outs, earlier deliveries) belongs to that person, so deleting
-- and recomputing their rows gives the same result as rebuilding everything, in any load order.
-- Parameters: $tz (reporting time zone), $window_hours (attribution window), $now (load time).
-- Temp tables cls_text(text, ...) and cls_button(payload, text, ...) hold the classifier's verdicts.

-- name: attempts
DELETE FROM core.attempts WHERE contact_key IN (SELECT contact_key FROM affected);
INSERT INTO core.attempts BY NAME
SELECT l.row_id, l.contact_key, l.attempted_at, timezone($tz, l.attempted_at)::DATE AS day, l.campaign,
       l.template, l.category, coalesce(c.region, 'ZZ') AS country, l.phone_number_id, l.outcome, l.wamid, l.error_code
FROM raw.send_log l
LEFT JOIN core.contacts c USING (contact_key)
WHERE l.contact_key IN (SELECT contact_key FROM affected);

-- name: status_summary
CREATE OR REPLACE TEMP TABLE d_status AS
SELECT wamid,
       min(contact_key) AS status_contact,
       max(CASE status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'played' THEN 4 ELSE 0 END) AS max_rank,
       bool_or(status = 'failed') AS has_failed,
       -- the latest failure; equal times fall to the larger code so arrival order never matters
       max({'ts': ts, 'code': error_code}) FILTER (WHERE status = 'failed') AS last_failure,
       min(ts) AS first_ts,
       max(ts) AS last_ts,
       min(ts) FILTER (WHERE status IN ('delivered', 'read', 'played')) AS delivered_at,
       min(ts) FILTER (WHERE status IN ('read', 'played')) AS read_at,
       min(lower(pricing_category)) AS pricing_category,
       min(phone_number_id) AS phone_number_id
FROM raw.status_events
WHERE contact_key IN (SELECT contact_key FROM affected)
   OR wamid IN (SELECT wamid FROM raw.send_log WHERE wamid IS NOT NULL AND contact_key IN (SELECT contact_key FROM affected))
GROUP BY wamid;

-- name: messages
DELETE FROM core.messages WHERE contact_key IN (SELECT contact_key FROM affected);
INSERT INTO core.messages BY NAME
-- read twice below; scanning the log again is cheaper than DuckDB materialising the rows
WITH sent AS NOT MATERIALIZED (
    SELECT * FROM raw.send_log
    WHERE contact_key IN (SELECT contact_key FROM affected) AND outcome IN ('accepted', 'held') AND wamid IS NOT NULL
),
-- one pass over the log per wamid: how often it was sent (a wamid logged twice keeps its first
-- row; only those few go through a window) and whether any row marks it blocked
marks AS (
    SELECT wamid, count(*) FILTER (WHERE outcome IN ('accepted', 'held')) AS times_sent, bool_or(blocked) AS blocked
    FROM raw.send_log
    WHERE contact_key IN (SELECT contact_key FROM affected) AND wamid IS NOT NULL
    GROUP BY wamid
),
twice AS (SELECT wamid FROM marks WHERE times_sent > 1),
logged AS (
    SELECT * FROM sent WHERE wamid NOT IN (SELECT wamid FROM twice)
    UNION ALL
    SELECT * FROM (SELECT * FROM sent WHERE wamid IN (SELECT wamid FROM twice))
    QUALIFY row_number() OVER (PARTITION BY wamid ORDER BY attempted_at, row_id) = 1
),
base AS (
    SELECT coalesce(l.wamid, s.wamid) AS wamid,
           coalesce(l.contact_key, s.status_contact) AS contact_key,
           coalesce(l.attempted_at, s.first_ts) AS sent_at,
           coalesce(l.campaign, '(unattributed)') AS campaign,
           coalesce(l.template, '(unattributed)') AS template,
           coalesce(l.category, s.pricing_category, '(unattributed)') AS category,
           l.language,
           coalesce(l.phone_number_id, s.phone_number_id) AS phone_number_id,
           coalesce(l.outcome, 'unattributed') AS outcome,
           coalesce(s.max_rank, 0) AS max_rank,
           coalesce(s.has_failed, false) AS has_failed,
           s.last_failure.code AS failure_code,
           s.delivered_at, s.read_at, s.last_ts AS last_status_at,
           coalesce(m.blocked, false) AS explicit_block,
           l.idempotency_key, l.lint_report
    FROM logged l
    FULL OUTER JOIN d_status s ON s.wamid = l.wamid
    LEFT JOIN marks m ON m.wamid = coalesce(l.wamid, s.wamid)
    WHERE l.wamid IS NOT NULL
       OR s.wamid NOT IN (SELECT wamid FROM raw.send_log WHERE wamid IS NOT NULL AND outcome IN ('accepted', 'held'))
),
states AS (
    SELECT *,
           max_rank >= 2 AS delivered,
           max_rank >= 3 AS read,
           has_failed AND max_rank < 2 AS failed
    FROM base
    WHERE contact_key IS NOT NULL
),
-- earliest send that reached the person: a later message that fails or stalls follows a delivery
-- (an aggregate and a join: a window partitioned by a million people costs several times more)
first_reach AS (
    SELECT contact_key, min(sent_at) FILTER (WHERE delivered) AS first_delivered_send
    FROM states GROUP BY contact_key
)
SELECT s.wamid, s.contact_key, s.sent_at, timezone($tz, s.sent_at)::DATE AS day, s.campaign, s.template,
       s.category, s.language, coalesce(c.region, 'ZZ') AS country, s.phone_number_id, s.outcome, s.max_rank,
       s.delivered, s.read, s.failed,
       CASE WHEN s.failed THEN s.failure_code END AS error_code,
       s.failed AND s.failure_code = 130472 AS holdout,
       s.delivered_at, s.read_at, s.last_status_at,
       coalesce(r.first_delivered_send < s.sent_at, false) AS prev_delivered,
       false AS responded, false AS opted_out, false AS complained, s.explicit_block,
       s.idempotency_key, s.lint_report
FROM states s
JOIN first_reach r ON r.contact_key = s.contact_key
LEFT JOIN core.contacts c ON c.contact_key = s.contact_key;

-- name: inbound
DELETE FROM core.inbound WHERE contact_key IN (SELECT contact_key FROM affected);
INSERT INTO core.inbound BY NAME
WITH i AS (
    SELECT r.*,
           r.type IN ('text', 'button', 'interactive', 'image', 'video', 'audio', 'document', 'sticker',
                      'location', 'contacts', 'order', 'unsupported')
           OR (r.type = 'reaction' AND coalesce(r.reaction_emoji, '') <> '') AS is_response,
           r.type IN ('button', 'interactive') AS via_button
    FROM raw.inbound_messages r
    WHERE r.contact_key IN (SELECT contact_key FROM affected)
),
classified AS (
    SELECT i.*,
           coalesce(b.opt_out, t.opt_out, false) AS opt_out,
           coalesce(b.review, t.review, false) AS review,
           coalesce(b.complaint, t.complaint, false) AS complaint,
           coalesce(b.opt_in, t.opt_in, false) AS opt_in,
           coalesce(b.help, t.help, false) AS help,
           coalesce(b.scope, t.scope) AS scope,
           coalesce(b.language, t.language) AS language,
           coalesce(b.keyword, t.keyword) AS keyword,
           coalesce(b.tier, t.tier) AS tier
    FROM i
    LEFT JOIN cls_button b ON i.via_button
         AND b.payload IS NOT DISTINCT FROM coalesce(i.button_payload, i.interactive_id)
         AND b.text IS NOT DISTINCT FROM coalesce(i.button_text, i.text)
    LEFT JOIN cls_text t ON NOT i.via_button AND t.text = i.text
),
by_context AS (
    SELECT c.event_id, m.wamid
    FROM classified c JOIN core.messages m ON m.wamid = c.context_id
    WHERE c.context_id IS NOT NULL
),
by_window AS (
    SELECT c.event_id, m.wamid
    FROM (SELECT * FROM classified WHERE context_id IS NULL) c
    ASOF JOIN (SELECT contact_key, sent_at, wamid FROM core.messages
               WHERE NOT holdout AND contact_key IN (SELECT contact_key FROM affected)) m
         ON c.contact_key = m.contact_key AND c.ts >= m.sent_at
    WHERE c.ts - m.sent_at <= to_seconds(($window_hours * 3600)::BIGINT)
)
SELECT c.event_id, c.contact_key, c.ts, timezone($tz, c.ts)::DATE AS day, c.type, c.is_response,
       c.opt_out, c.review AND NOT c.opt_out AS review, c.complaint, c.opt_in, c.help, c.scope, c.language,
       c.keyword, c.tier,
       CASE WHEN c.opt_out OR c.review THEN CASE WHEN c.via_button THEN 'button' ELSE 'keyword' END END AS channel,
       coalesce(x.wamid, w.wamid) AS attributed_wamid,
       CASE WHEN x.wamid IS NOT NULL THEN 'context' WHEN w.wamid IS NOT NULL THEN 'window' ELSE 'none' END AS attribution
FROM classified c
LEFT JOIN by_context x ON x.event_id = c.event_id
LEFT JOIN by_window w ON w.event_id = c.event_id;

-- name: preference_attribution
CREATE OR REPLACE TEMP TABLE d_pref AS
SELECT p.event_id, p.contact_key, p.ts, p.value, p.received_at,
       CASE WHEN p.ts - m.sent_at <= to_seconds(($window_hours * 3600)::BIGINT) THEN m.wamid END AS attributed_wamid
FROM (SELECT * FROM raw.user_preferences WHERE contact_key IN (SELECT contact_key FROM affected)) p
ASOF LEFT JOIN (SELECT contact_key, sent_at, wamid FROM core.messages
                WHERE NOT holdout AND contact_key IN (SELECT contact_key FROM affected)) m
     ON p.contact_key = m.contact_key AND p.ts >= m.sent_at;

-- name: message_flags
UPDATE core.messages AS m
SET responded = f.responded, opted_out = f.opted_out, complained = f.complained OR m.complained
FROM (
    SELECT wamid, bool_or(responded) AS responded, bool_or(opted_out) AS opted_out, bool_or(complained) AS complained
    FROM (
        SELECT attributed_wamid AS wamid, is_response AND NOT opt_out AND NOT complaint AS responded,
               opt_out AS opted_out, complaint AS complained
        FROM core.inbound WHERE attributed_wamid IS NOT NULL
        UNION ALL
        SELECT attributed_wamid, false, value = 'stop', false FROM d_pref WHERE attributed_wamid IS NOT NULL
    )
    GROUP BY wamid
) f
WHERE m.wamid = f.wamid AND m.contact_key IN (SELECT contact_key FROM affected);
UPDATE core.messages AS m
SET complained = true
FROM (SELECT DISTINCT wamid FROM raw.send_log
      WHERE complaint AND wamid IS NOT NULL AND contact_key IN (SELECT contact_key FROM affected)) c
WHERE m.wamid = c.wamid;

-- name: consent_signals
CREATE OR REPLACE TEMP TABLE d_signals AS
WITH inbound AS (
    SELECT i.*, r.received_at FROM core.inbound i JOIN raw.inbound_messages r USING (event_id)
    WHERE i.contact_key IN (SELECT contact_key FROM affected)
),
signals AS (
    SELECT event_id AS source_id, contact_key, 'opt_out' AS kind, coalesce(scope, 'all') AS scope, channel, ts,
           coalesce(received_at, ts) AS arrived_at, language
    FROM inbound WHERE opt_out
    UNION ALL
    SELECT event_id, contact_key, 'review', 'marketing', 'keyword', ts, coalesce(received_at, ts), language
    FROM inbound WHERE review
    UNION ALL
    SELECT event_id, contact_key, 'review', 'marketing', 'complaint', ts, coalesce(received_at, ts), language
    FROM inbound WHERE complaint AND NOT opt_out
    UNION ALL
    -- only a reply that is nothing but an opt-in word ("START", "YES" to a re-subscribe prompt)
    -- lifts a suppression; "yes please" in a conversation is not a new consent
    SELECT event_id, contact_key, 'opt_in', 'all', 'keyword', ts, coalesce(received_at, ts), language
    FROM inbound WHERE opt_in AND tier = 'exact'
    UNION ALL
    SELECT event_id, contact_key, CASE value WHEN 'stop' THEN 'opt_out' ELSE 'opt_in' END, 'marketing',
           'user_preferences', ts, coalesce(received_at, ts), NULL
    FROM d_pref WHERE value IN ('stop', 'resume')
    UNION ALL
    SELECT s.event_id, m.contact_key, 'opt_out', 'marketing', 'error_131050', s.ts, coalesce(s.received_at, s.ts), NULL
    FROM raw.status_events s JOIN core.messages m ON m.wamid = s.wamid
    WHERE s.status = 'failed' AND s.error_code = 131050 AND m.category = 'marketing'
      AND m.contact_key IN (SELECT contact_key FROM affected)
)
SELECT md5(s.source_id || '|' || s.channel || '|' || s.kind) AS event_id, s.contact_key, s.kind, s.scope, s.channel,
       s.ts, s.arrived_at, s.language, coalesce(old.suppressed_at, $now::TIMESTAMPTZ) AS suppressed_at
FROM signals s
LEFT JOIN core.consent_signals old ON old.event_id = md5(s.source_id || '|' || s.channel || '|' || s.kind);
DELETE FROM core.consent_signals WHERE contact_key IN (SELECT contact_key FROM affected);
INSERT INTO core.consent_signals BY NAME SELECT * FROM d_signals;

-- name: suppression
DELETE FROM core.suppression WHERE contact_key IN (SELECT contact_key FROM affected);
INSERT INTO core.suppression BY NAME
SELECT o.event_id, o.contact_key, o.scope, CASE o.kind WHEN 'opt_out' THEN 'active' ELSE 'review' END AS status,
       o.channel, o.ts AS opted_out_at, o.arrived_at,
       (SELECT min(i.ts) FROM d_signals i
        WHERE i.kind = 'opt_in' AND i.contact_key = o.contact_key AND i.ts > o.ts
          AND (i.scope = 'all' OR i.scope = o.scope)) AS lifted_at
FROM d_signals o
WHERE o.kind IN ('opt_out', 'review');

-- name: breaches
DELETE FROM core.breaches WHERE contact_key IN (SELECT contact_key FROM affected);
INSERT INTO core.breaches BY NAME
SELECT a.row_id, a.contact_key, a.attempted_at, arg_min(s.event_id, s.arrived_at) AS opt_out_event_id,
       min(s.arrived_at) AS opted_out_at, arg_min(s.scope, s.arrived_at) AS scope, arg_min(s.channel, s.arrived_at) AS channel
FROM core.attempts a
JOIN core.suppression s ON s.contact_key = a.contact_key
WHERE a.contact_key IN (SELECT contact_key FROM affected)
  AND a.outcome IN ('accepted', 'held')
  AND s.status = 'active'
  AND a.attempted_at > s.arrived_at
  AND (s.lifted_at IS NULL OR a.attempted_at < s.lifted_at)
  AND ((s.scope = 'all' AND a.category IN ('marketing', 'utility', 'authentication'))
       OR (s.scope = 'marketing' AND a.category = 'marketing'))
GROUP BY a.row_id, a.contact_key, a.attempted_at;
