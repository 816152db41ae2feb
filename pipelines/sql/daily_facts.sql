-- Materialised marts for the aggregate reads (`wagate metrics`, the dashboard's slices and filter
-- lists): at 10 M messages a scan of marts.message_facts per query is too slow for a page. They
-- hold nothing the views do not, and are rebuilt whole (pipelines.schema.rebuild_facts) inside the
-- transaction of every load that changed anything and of every other rewrite of core (privacy
-- forget): blocked_est depends on meta.params 'newest_receipt', which each load moves.
--
-- Placeholders, filled by pipelines/schema.py from core.queries (fixed names, no user input):
-- {group_keys} the GROUP_KEYS expressions named by their key, {key_names} those names,
-- {message_counts} the count_if of every MESSAGE_COUNTS condition (docs/metrics.md), {sums} the
-- sum of every count column.

-- name: rebuild
-- The sends after an opt-out with their attempt's dimensions: joining core.breaches to the whole
-- of core.attempts costs a full scan of the attempts, so it is done once per load.
CREATE OR REPLACE TABLE marts.breach_facts AS
SELECT * FROM marts.breaches;

-- One row per day x campaign x template x category x country x sending number that has a
-- message, a send attempt or a breach. `messages` counts every message row (holdouts too), as
-- the filter lists do; the other columns are the counts of docs/metrics.md.
CREATE OR REPLACE TABLE marts.daily_facts AS
WITH m AS (
    SELECT {group_keys}, count(*) AS messages, {message_counts}
    FROM marts.message_facts GROUP BY ALL
),
a AS (
    SELECT {group_keys}, count(*) AS attempted, count_if(outcome = 'rejected') AS rejected
    FROM marts.attempt_facts GROUP BY ALL
),
b AS (
    SELECT {group_keys}, count(*) AS sends_after_opt_out
    FROM marts.breach_facts GROUP BY ALL
)
SELECT {key_names}, {sums}
FROM (SELECT * FROM m UNION ALL BY NAME SELECT * FROM a UNION ALL BY NAME SELECT * FROM b)
GROUP BY ALL
ORDER BY day;
