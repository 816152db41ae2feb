-- Privacy hooks run by every load (pipelines/privacy/hooks.py) and the erasure of one person
-- (pipelines/privacy/erase.py). `{key}` is replaced by the keyed-hash SQL of core.phones (bound
-- pads, no user input); every other value is a bound parameter.

-- name: drop_forgotten
-- Staged records of forgotten people never reach raw: an old file loaded again stays forgotten.
DELETE FROM stg_status WHERE ident IS NOT NULL AND {key_ident} IN (SELECT contact_key FROM privacy.forgotten);
DELETE FROM stg_inbound WHERE ident IS NOT NULL AND {key_ident} IN (SELECT contact_key FROM privacy.forgotten);
DELETE FROM stg_pref WHERE ident IS NOT NULL AND {key_ident} IN (SELECT contact_key FROM privacy.forgotten);
DELETE FROM stg_send WHERE to_number IS NOT NULL AND {key_to} IN (SELECT contact_key FROM privacy.forgotten);

-- name: tombstone_suppression
-- The opt-out proof of a forgotten person stays under their keyed pseudonym (so the sender never
-- messages them again); a recompute must not give their tombstone a second suppression entry.
DELETE FROM core.suppression WHERE contact_key IN (SELECT contact_key FROM privacy.tombstones);

-- name: move_suppression
-- Keep only the proof: keyed pseudonym, scope, channel and times, under a fresh id (no link to
-- the anonymised consent signals).
INSERT INTO core.suppression
SELECT 'erased:' || md5(random()::VARCHAR || event_id), contact_key, scope, status, channel,
       opted_out_at, arrived_at, lifted_at
FROM core.suppression WHERE contact_key = $key AND NOT starts_with(event_id, 'erased:');
DELETE FROM core.suppression WHERE contact_key = $key AND NOT starts_with(event_id, 'erased:');

-- name: tombstone_core
UPDATE core.contacts SET contact_key = $tomb WHERE contact_key = $key;
UPDATE core.attempts SET contact_key = $tomb WHERE contact_key = $key;
UPDATE core.messages SET contact_key = $tomb WHERE contact_key = $key;
UPDATE core.inbound SET contact_key = $tomb WHERE contact_key = $key;
UPDATE core.consent_signals SET contact_key = $tomb WHERE contact_key = $key;
UPDATE core.breaches SET contact_key = $tomb WHERE contact_key = $key;

-- name: tombstone_raw
-- Numbers, user ids and raw JSON go; an inbound text is replaced by the keyword it was classified
-- by (so a later recompute classifies it the same way), else removed.
UPDATE raw.status_events SET contact_key = $tomb, recipient_id = NULL, recipient_user_id = NULL,
       raw = NULL, biz_opaque_callback_data = NULL, error_details = NULL
WHERE contact_key = $key;
UPDATE raw.inbound_messages AS r SET contact_key = $tomb, from_number = NULL, from_user_id = NULL, raw = NULL,
       text = (SELECT max(i.keyword) FROM core.inbound i WHERE i.event_id = r.event_id)
WHERE r.contact_key = $key;
UPDATE raw.user_preferences SET contact_key = $tomb, wa_id = NULL, raw = NULL, detail = NULL
WHERE contact_key = $key;
UPDATE raw.send_log SET contact_key = $tomb, to_number = 'erased' WHERE contact_key = $key;

-- name: remember
INSERT OR REPLACE INTO privacy.forgotten VALUES ($key, $now::TIMESTAMPTZ);
INSERT OR IGNORE INTO privacy.tombstones VALUES ($tomb);
