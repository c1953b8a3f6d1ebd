-- Confirming a regional cohort's invitations fast enough to use (200,000 in a few seconds):
-- measured on the bench region, the confirmation spent its time on two things other than
-- choosing whom to invite.
--
-- 1. Each invitation's person and batch were checked by row-level foreign keys: 200,000 lookups
--    each, and the person's locks every one of 200,000 person rows (FOR KEY SHARE writes each
--    row's header, so every page of the register the cohort touches is written). They are now
--    checked once per statement, by one anti-join over the inserted rows; deleting a person or a
--    batch is checked against the invitations the same way, and both sides take one advisory
--    lock (shared by inserts, exclusive for deletions) so that neither misses the other's
--    uncommitted rows. Outside READ COMMITTED, where a transaction's snapshot could predate a
--    deletion, the insert's check locks the rows as the foreign keys did. The references never
--    change once written (a trigger refuses it).
--
-- 2. Each invitation's message (a pending INVITATION communication) was made at confirmation,
--    for every wave at once. Messages are now made when their wave is released: by the daily
--    run (`ims run-reminders`, the screen's "Run reminders"), and by an export of messages due
--    by a date, which releases the waves planned up to that date first. A wave released weeks
--    after confirmation is written to by the channel the person's details allow on that day, and
--    people who died, booked or were vaccinated in the meantime are not written to at all.

ALTER TABLE ims.invitation DROP CONSTRAINT invitation_person_id_fkey;
ALTER TABLE ims.invitation DROP CONSTRAINT invitation_batch_id_campaign_id_fkey;
-- Nothing reads invitations by batch and wave: the batch's waves are in its result.
DROP INDEX ims.invitation_batch_idx;

-- The advisory lock both sides take (one number, so that they meet).
CREATE FUNCTION ims.invitation_reference_lock() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT 7315020260034 $$;

CREATE FUNCTION ims.invitation_references_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- Waits for a deletion in progress to commit; the fresh snapshot of the next statement sees it.
  PERFORM pg_advisory_xact_lock_shared(ims.invitation_reference_lock());
  IF current_setting('transaction_isolation') = 'read committed' THEN
    PERFORM 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM ims.person p WHERE p.id = n.person_id) LIMIT 1;
  ELSE
    PERFORM 1 FROM new_rows n LEFT JOIN LATERAL (SELECT p.id FROM ims.person p WHERE p.id = n.person_id FOR KEY SHARE) p ON true
    WHERE p.id IS NULL LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'An invitation names a person who is not on the register.'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'invitation_person_id_fkey';
  END IF;
  -- Batches are few (one per confirmation): each distinct one is looked up, and locked.
  PERFORM 1 FROM (SELECT DISTINCT n.batch_id, n.campaign_id FROM new_rows n) n
  LEFT JOIN LATERAL (SELECT b.id FROM ims.invitation_batch b WHERE b.id = n.batch_id AND b.campaign_id = n.campaign_id FOR KEY SHARE) b
    ON true
  WHERE b.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'An invitation names a batch that is not one of its campaign''s.'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'invitation_batch_id_campaign_id_fkey';
  END IF;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.invitation_references_exist() FROM PUBLIC;
CREATE TRIGGER invitation_references_exist AFTER INSERT ON ims.invitation REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.invitation_references_exist();

-- An invitation's person, campaign and batch never change (transition tables cannot watch
-- chosen columns, so this is a row trigger; nothing updates them in bulk).
CREATE FUNCTION ims.invitation_references_fixed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (NEW.person_id, NEW.campaign_id, NEW.batch_id) IS DISTINCT FROM (OLD.person_id, OLD.campaign_id, OLD.batch_id) THEN
    RAISE EXCEPTION 'An invitation''s person, campaign and batch never change.'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'invitation_person_id_fkey';
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.invitation_references_fixed() FROM PUBLIC;
CREATE TRIGGER invitation_references_fixed BEFORE UPDATE OF person_id, campaign_id, batch_id ON ims.invitation
  FOR EACH ROW EXECUTE FUNCTION ims.invitation_references_fixed();

-- Deleting persons or batches that invitations name is refused. TG_ARGV[0] is the invitation's
-- column holding the deleted rows' id (a fixed name from the trigger definitions below).
CREATE FUNCTION ims.invitations_keep_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_named boolean;
BEGIN
  -- Waits for inserts in progress to commit; the fresh snapshot of the next statement sees them.
  PERFORM pg_advisory_xact_lock(ims.invitation_reference_lock());
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM old_rows o JOIN ims.invitation i ON i.%I = o.id)', TG_ARGV[0]) INTO v_named;
  IF v_named THEN
    RAISE EXCEPTION 'Invitations name the % being deleted; they are kept, so it is too.', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = format('invitation_%s_fkey', TG_ARGV[0]);
  END IF;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.invitations_keep_references() FROM PUBLIC;
CREATE TRIGGER invitations_keep_person AFTER DELETE ON ims.person REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.invitations_keep_references('person_id');
CREATE TRIGGER invitations_keep_batch AFTER DELETE ON ims.invitation_batch REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.invitations_keep_references('batch_id');

-- A person's id and a batch's id and campaign are never changed (identity columns).
CREATE FUNCTION ims.invitation_targets_fixed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'The % keys invitations name never change.', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END
$$;
REVOKE EXECUTE ON FUNCTION ims.invitation_targets_fixed() FROM PUBLIC;
CREATE TRIGGER invitation_targets_fixed BEFORE UPDATE OF id ON ims.person
  FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION ims.invitation_targets_fixed();
CREATE TRIGGER invitation_targets_fixed BEFORE UPDATE OF id, campaign_id ON ims.invitation_batch
  FOR EACH ROW WHEN ((NEW.id, NEW.campaign_id) IS DISTINCT FROM (OLD.id, OLD.campaign_id)) EXECUTE FUNCTION ims.invitation_targets_fixed();

-- ---------------------------------------------------------------------------------------
-- The confirmation, as 0032's without the messages (the rest unchanged).

CREATE OR REPLACE FUNCTION api.invitation_batch_confirm(p_batch_id bigint, p_mode text, p_cap integer, p_start date, p_lead_days integer,
                                             p_priority text, p_practice_order text[])
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- The cohort function is planned as 1,000 rows; for a cohort of 200,000 that picks a nested loop
-- of index probes per person, where hash joins over the register take a fraction of the time.
SET enable_nestloop = off SET work_mem = '64MB' AS $$
DECLARE
  b ims.invitation_batch := ims.invitation_batch_for(p_batch_id, true);
  c ims.campaign := (SELECT k FROM ims.campaign k WHERE k.id = b.campaign_id);
  v_step integer := CASE p_mode WHEN 'per-day' THEN 1 WHEN 'per-week' THEN 7 END;
  v_lead integer := coalesce(p_lead_days, 0);
  v_days date[];
  v_lows bigint[];
  v_total bigint;
  v_result jsonb;
BEGIN
  IF b.status = 'CONFIRMED' THEN
    RETURN b.result || jsonb_build_object('repeated', true);
  END IF;
  IF p_mode IS NULL OR p_mode NOT IN ('per-day', 'per-week', 'clinic') OR p_start IS NULL
     OR (p_mode <> 'clinic' AND (p_cap IS NULL OR p_cap NOT BETWEEN 1 AND 1000000))
     OR v_lead NOT BETWEEN 0 AND 60
     OR p_priority IS NULL OR p_priority NOT IN ('oldest', 'most-deprived', 'practice-order')
     OR cardinality(p_practice_order) > 2000 THEN
    PERFORM ims.refuse_bad_request('Release per day, per week (with a cap of 1 to 1,000,000) or sized to clinics (0 to 60 days ahead), oldest, most deprived or in practice order first.');
  END IF;
  PERFORM ims.cohort_check_definition(b.definition);
  IF p_mode = 'clinic' THEN
    -- The clinic days, and the rank each day's wave starts at (binary-searched with width_bucket).
    SELECT array_agg(d.day ORDER BY d.day), array_agg(d.low ORDER BY d.day), max(d.high)
    INTO v_days, v_lows, v_total
    FROM (SELECT s.session_date AS day, (sum(sum(s.slots)) OVER (ORDER BY s.session_date) - sum(s.slots) + 1)::bigint AS low,
                 (sum(sum(s.slots)) OVER (ORDER BY s.session_date))::bigint AS high
          FROM ims.clinic_session s JOIN ims.clinic l ON l.id = s.clinic_id
          WHERE l.campaign_id = c.id AND s.session_date >= p_start + v_lead
          GROUP BY s.session_date) d;
    IF v_days IS NULL THEN
      PERFORM ims.refuse_bad_request('The campaign has no clinic sessions to size waves to from that date.');
    END IF;
  END IF;
  PERFORM set_config('ims.campaign_audit_note', format('invitation batch %s confirmed', b.id), true);

  WITH members AS (
    SELECT m.person_id FROM ims.cohort_member_ids(b.definition) m
  ), classified AS (
    SELECT p.id AS person_id, p.date_of_birth, p.imd_decile, p.practice_code, i.id IS NOT NULL AS already,
           ims.campaign_channel(c.channels, d.preferred_channel, d.mobile, d.email, d.address_line1, p.postcode,
                                d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel
    FROM members m
    JOIN ims.person p ON p.id = m.person_id
    LEFT JOIN ims.contact_details d ON d.person_id = m.person_id
    LEFT JOIN ims.invitation i ON i.campaign_id = c.id AND i.person_id = m.person_id
  ), ranked AS (
    SELECT x.person_id, x.channel,
           row_number() OVER (ORDER BY
             CASE WHEN p_priority = 'most-deprived' THEN x.imd_decile END ASC NULLS LAST,
             CASE WHEN p_priority = 'practice-order' THEN array_position(p_practice_order, x.practice_code) END ASC NULLS LAST,
             x.date_of_birth, x.person_id) AS rk
    FROM classified x WHERE NOT x.already AND x.channel IS NOT NULL
  ), placed AS (
    SELECT r.person_id, r.channel,
           CASE WHEN p_mode = 'clinic' THEN CASE WHEN r.rk <= v_total THEN width_bucket(r.rk, v_lows) END
                ELSE ((r.rk - 1) / p_cap + 1)::integer END AS wave
    FROM ranked r
  ), ins AS (
    INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
    SELECT c.id, x.person_id, b.id, x.wave,
           CASE WHEN p_mode = 'clinic' THEN v_days[x.wave] - v_lead ELSE p_start + (x.wave - 1) * v_step END, x.channel
    FROM placed x WHERE x.wave IS NOT NULL
    ORDER BY x.person_id
    ON CONFLICT (campaign_id, person_id) DO NOTHING
    RETURNING id, person_id, wave, planned_release_on, channel
  ), waves AS (
    SELECT i.wave, min(i.planned_release_on) AS release_on, count(*) AS people FROM ins i GROUP BY i.wave
  )
  SELECT jsonb_build_object(
    'batchId', b.id,
    'members', (SELECT count(*) FROM classified),
    'alreadyInvited', (SELECT count(*) FROM classified WHERE already)
                      + (SELECT count(*) FROM placed WHERE wave IS NOT NULL) - (SELECT count(*) FROM ins),
    'noUsableChannel', (SELECT count(*) FROM classified WHERE NOT already AND channel IS NULL),
    'leftOver', (SELECT count(*) FROM placed WHERE wave IS NULL),
    'invited', (SELECT count(*) FROM ins),
    'waves', coalesce((SELECT jsonb_agg(jsonb_build_object('wave', w.wave, 'releaseOn', w.release_on, 'people', w.people) ORDER BY w.wave)
                       FROM waves w), '[]'::jsonb),
    'repeated', false)
  INTO v_result;

  UPDATE ims.invitation_batch x SET status = 'CONFIRMED', result = v_result, confirmed_by = session_user, confirmed_at = now(),
    plan = jsonb_build_object('mode', p_mode, 'cap', p_cap, 'start', p_start, 'leadDays', v_lead, 'priority', p_priority,
                              'practiceOrder', to_jsonb(p_practice_order))
  WHERE x.id = b.id;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  RETURN v_result;
END
$$;

-- ---------------------------------------------------------------------------------------
-- The campaign named by p_code, which the caller must be able to run, or (p_code NULL) every
-- campaign the caller runs: what the daily run's steps work on.
CREATE FUNCTION ims.campaigns_to_run(p_code text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_code IS NOT NULL THEN
    RETURN ARRAY[(ims.campaign_for(p_code, true)).id];
  ELSIF NOT ims.may_run_campaigns() THEN
    RAISE EXCEPTION 'Your role may not run campaigns.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN (SELECT coalesce(array_agg(k.id), '{}') FROM ims.campaign k WHERE ims.campaign_visible(k.organisation_code, true));
END
$$;
REVOKE EXECUTE ON FUNCTION ims.campaigns_to_run(text) FROM PUBLIC;

-- Releasing waves: one pending INVITATION communication for each invitation of the campaign (or
-- of every campaign the caller runs) planned for release on or before p_up_to, for people in
-- the caller's scope who have none yet, are alive, have not booked (BOOKED or ATTENDED) and have
-- not been vaccinated in the campaign's programme; by the channel their details allow today
-- (preferred, else text, else email, else letter: ims.campaign_channel), none when no channel is
-- usable now. The unique index on (purpose, invitation) makes running twice, or twice at once,
-- add nothing. Answers the messages made.
CREATE FUNCTION api.campaign_release(p_code text, p_up_to date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_campaigns bigint[];
  v_n integer;
BEGIN
  IF p_up_to IS NULL THEN
    PERFORM ims.refuse_bad_request('Releasing waves needs the day to release them up to.');
  END IF;
  v_campaigns := ims.campaigns_to_run(p_code);
  PERFORM set_config('ims.campaign_audit_note', 'waves released', true);
  INSERT INTO ims.communication (person_id, campaign_id, invitation_id, purpose, channel, template_name, template_version)
  SELECT i.person_id, i.campaign_id, i.id, 'INVITATION', ch.channel, t.template_name, t.template_version
  FROM ims.invitation i
  JOIN ims.campaign k ON k.id = i.campaign_id
  JOIN ims.person p ON p.id = i.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = i.person_id
  CROSS JOIN LATERAL (SELECT ims.campaign_channel(k.channels, d.preferred_channel, d.mobile, d.email, d.address_line1, p.postcode,
                                                  d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel) ch
  LEFT JOIN ims.campaign_template t ON t.campaign_id = k.id AND t.purpose = 'INVITATION' AND t.channel = ch.channel
  WHERE i.campaign_id = ANY (v_campaigns) AND i.planned_release_on <= p_up_to
    AND ch.channel IS NOT NULL
    AND p.date_of_death IS NULL
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
    AND NOT EXISTS (SELECT 1 FROM ims.communication m WHERE m.purpose = 'INVITATION' AND m.invitation_id = i.id)
    AND NOT EXISTS (SELECT 1 FROM ims.booking b WHERE b.person_id = i.person_id AND b.campaign_id = i.campaign_id
                    AND b.status IN ('BOOKED', 'ATTENDED'))
    AND NOT EXISTS (SELECT 1 FROM ims.vaccination_event e WHERE e.person_id = i.person_id AND e.programme_code = k.programme_code
                    AND e.status = 'ACTIVE' AND e.outcome = 'GIVEN')
  ORDER BY i.id
  ON CONFLICT (purpose, invitation_id, booking_id, recall_id, reminder_rule_id) DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  RETURN v_n;
END
$$;
REVOKE EXECUTE ON FUNCTION api.campaign_release(text, date) FROM PUBLIC, ims_analyst;
GRANT EXECUTE ON FUNCTION api.campaign_release(text, date) TO ims_administrator, ims_coordinator;
