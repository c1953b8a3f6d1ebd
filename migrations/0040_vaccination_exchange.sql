-- Vaccination exchange: FHIR Immunization import with person matching and a review queue, and
-- the tracked exports (the NHS vaccination batch file v5 for onward submission, the GP daily
-- update). Everything a user reaches goes through api functions that check the caller's role
-- and scope and audit; the tables below hold no grants to the groups.

-- ---------------------------------------------------------------------------------------
-- Person matching, set-based, for any caller with rows to match: the FHIR import (one row), and
-- later a v5 batch file or a school class list over a staging table:
--   SELECT * FROM ims.match_people(ARRAY(SELECT ROW(n, nhs, family, given, dob, sex, pc)::ims.match_input FROM staging));
-- The points and the decision are the rules of main-api/exchange/matching.rules.ts, written
-- once more here so that a whole file is matched in one statement; a test runs both over the
-- same cases and requires the same answers.

CREATE TYPE ims.match_input AS (
  row_no        integer,
  nhs_number    text,
  family_name   text,
  given_name    text,
  date_of_birth date,
  gender_code   text,
  postcode      text
);

-- A name as compared: accents folded, letters only, upper case. Given names are compared by
-- their first word (ims.match_given).
CREATE FUNCTION ims.match_name(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT upper(regexp_replace(
           translate(lower(coalesce(p_name, '')),
                     'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōœùúûüūýÿžźżşšßł',
                     'aaaaaaaccceeeeeeeiiiiinnoooooooouuuuuyyzzzsssl'),
           '[^a-z]', '', 'g'))
$$;

CREATE FUNCTION ims.match_given(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT ims.match_name(split_part(btrim(coalesce(p_name, '')), ' ', 1))
$$;

CREATE FUNCTION ims.match_people(p_rows ims.match_input[])
RETURNS TABLE (row_no integer, person_id bigint, points integer, family_points integer, given_points integer,
               dob_points integer, sex_points integer, postcode_points integer, nhs text, twin boolean, certain boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH input AS (
    SELECT r.row_no,
           CASE WHEN ims.nhs_number_valid(r.nhs_number) THEN r.nhs_number END AS nhs,
           nullif(btrim(coalesce(r.nhs_number, '')), '') IS NOT NULL AND NOT ims.nhs_number_valid(r.nhs_number) AS nhs_invalid,
           ims.match_name(r.family_name) AS fam, ims.match_given(r.given_name) AS giv,
           ims.name_sound_key(ims.match_name(r.family_name)) AS fam_sound,
           ims.name_sound_key(ims.match_given(r.given_name)) AS giv_sound,
           r.date_of_birth AS dob, coalesce(r.gender_code, '0') AS sex,
           nullif(upper(regexp_replace(btrim(coalesce(r.postcode, '')), '\s+', ' ', 'g')), '') AS pc
    FROM unnest(p_rows) AS r
  ),
  -- Candidates: the person with the NHS number, and people born that day whose surname sounds
  -- alike (either way round) or who live at the postcode.
  pairs AS (
    SELECT i.row_no, p.id FROM input i JOIN ims.person p ON p.nhs_number = i.nhs
    UNION
    SELECT i.row_no, p.id FROM input i JOIN ims.person p ON p.date_of_birth = i.dob
     AND (p.family_name_sound IN (i.fam_sound, i.giv_sound) OR p.postcode = i.pc)
  ),
  scored AS (
    SELECT i.row_no, p.id AS person_id, p.date_of_birth, p.postcode, ims.match_name(p.family_name) AS pfam,
      ims.match_given(p.given_name) AS pgiv,
      CASE WHEN ims.match_name(p.family_name) = i.fam AND i.fam <> '' THEN 25
           WHEN ims.match_name(p.family_name) = i.giv AND ims.match_given(p.given_name) = i.fam AND i.fam <> '' THEN 25
           WHEN p.family_name_sound = i.fam_sound AND i.fam <> '' THEN 15
           ELSE 0 END AS family_points,
      CASE WHEN ims.match_given(p.given_name) = i.giv AND i.giv <> '' THEN 20
           WHEN ims.match_name(p.family_name) = i.giv AND ims.match_given(p.given_name) = i.fam AND i.giv <> '' THEN 20
           WHEN left(ims.match_given(p.given_name), 1) = left(i.giv, 1) AND i.giv <> '' THEN 8
           ELSE 0 END AS given_points,
      CASE WHEN p.date_of_birth = i.dob THEN 30 ELSE 0 END AS dob_points,
      CASE WHEN p.gender_code IN ('1', '2') AND i.sex IN ('1', '2')
           THEN CASE WHEN p.gender_code = i.sex THEN 5 ELSE -10 END ELSE 0 END AS sex_points,
      CASE WHEN p.postcode = i.pc THEN 20
           WHEN split_part(p.postcode, ' ', 1) = split_part(i.pc, ' ', 1) THEN 8
           ELSE 0 END AS postcode_points,
      CASE WHEN i.nhs_invalid THEN 'invalid' WHEN i.nhs IS NULL THEN 'absent' WHEN i.nhs = p.nhs_number THEN 'same' ELSE 'different' END AS nhs
    FROM pairs x JOIN input i ON i.row_no = x.row_no JOIN ims.person p ON p.id = x.id
  ),
  totals AS (
    SELECT s.*, s.family_points + s.given_points + s.dob_points + s.sex_points + s.postcode_points AS points FROM scored s
  ),
  -- What the other candidates of the same row say, by window rather than a search per
  -- candidate, so a file of any size is one pass: twins (another candidate born the same day at
  -- the same postcode, or with the same surname, with another given name: where the given names
  -- in such a group are not all the same, each has one that differs), rivals (another plausible
  -- match), named rivals (another with the given name sent and 70 points).
  flagged AS (
    SELECT t.*,
      (t.postcode IS NOT NULL AND min(t.pgiv) OVER same_address <> max(t.pgiv) OVER same_address)
        OR min(t.pgiv) OVER same_family <> max(t.pgiv) OVER same_family AS twin,
      count(*) FILTER (WHERE t.points >= 50 OR t.nhs = 'same') OVER same_row
        - (CASE WHEN t.points >= 50 OR t.nhs = 'same' THEN 1 ELSE 0 END) > 0 AS rival,
      count(*) FILTER (WHERE t.given_points = 20 AND t.points >= 70) OVER same_row
        - (CASE WHEN t.given_points = 20 AND t.points >= 70 THEN 1 ELSE 0 END) > 0 AS named_rival
    FROM totals t
    WINDOW same_row AS (PARTITION BY t.row_no),
           same_address AS (PARTITION BY t.row_no, t.date_of_birth, t.postcode),
           same_family AS (PARTITION BY t.row_no, t.date_of_birth, t.pfam)
  )
  SELECT f.row_no, f.person_id, f.points, f.family_points, f.given_points, f.dob_points, f.sex_points,
         f.postcode_points, f.nhs, f.twin,
         (f.nhs = 'same' AND f.dob_points = 30 AND f.given_points = 20 AND f.points >= 70 AND NOT f.named_rival)
         OR (f.nhs = 'absent' AND f.points >= 90 AND f.family_points = 25 AND f.given_points = 20 AND NOT f.rival AND NOT f.twin) AS certain
  FROM flagged f
$$;
REVOKE EXECUTE ON FUNCTION ims.match_people(ims.match_input[]) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- What was received, by the sender's identity: which event it became and what it said, so a
-- resend changes nothing and an update replaces the event (a correction of it).

CREATE TABLE ims.exchange_received (
  source_system text NOT NULL,
  source_id     text NOT NULL,
  person_id     bigint NOT NULL REFERENCES ims.person (id),
  event_id      bigint NOT NULL,
  payload_hash  text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  received_by   text NOT NULL DEFAULT session_user,
  PRIMARY KEY (source_system, source_id)
);

-- Incoming events whose person was not certain: they wait here, unattached, for a reviewer.
CREATE TABLE ims.exchange_review (
  id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  source_system text NOT NULL,
  source_id     text NOT NULL,
  -- The demographics as received (nhsNumber, familyName, givenName, dateOfBirth, genderCode, postcode).
  incoming      jsonb NOT NULL,
  -- The event's columns for api.record_vaccination, without the person.
  event         jsonb NOT NULL,
  payload_hash  text NOT NULL,
  reason        text NOT NULL,
  -- Who may see the item: users whose scope meets the organisations of the user who received
  -- it (what was sent names a person, perhaps someone no one here may see); NULL (received by
  -- an administrator or the command line) for administrators only.
  scope_orgs    text[],
  received_at   timestamptz NOT NULL DEFAULT now(),
  received_by   text NOT NULL DEFAULT session_user,
  status        text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'NEW_PERSON')),
  decided_by    text,
  decided_at    timestamptz,
  person_id     bigint REFERENCES ims.person (id),
  event_id      bigint,
  note          text CHECK (note IS NULL OR length(note) <= 500),
  CHECK ((status = 'PENDING') = (decided_at IS NULL)),
  CHECK (status NOT IN ('ACCEPTED', 'NEW_PERSON') OR (person_id IS NOT NULL AND event_id IS NOT NULL))
);
-- One waiting item per sender's event: a resend replaces it rather than queueing it twice.
CREATE UNIQUE INDEX exchange_review_pending_key ON ims.exchange_review (source_system, source_id) WHERE status = 'PENDING';
CREATE INDEX exchange_review_status_idx ON ims.exchange_review (status, received_at);

-- Exports: what each channel ('V5:<ODS>' for onward submission, 'GP:<practice>' for the GP
-- daily update) was last sent about each event, keyed by the event's source identity. An export
-- compares the events' present state with this, so nothing is sent twice or missed whatever
-- order events were recorded or committed in: NEW the first time, UPDATE when the live version
-- changed, DELETE once after it was entered in error.
CREATE TABLE ims.exchange_sent (
  channel       text NOT NULL CHECK (channel ~ '^(V5|GP):[A-Z0-9]{3,10}$'),
  source_system text NOT NULL,
  source_id     text NOT NULL,
  event_id      bigint NOT NULL,
  action        text NOT NULL CHECK (action IN ('NEW', 'UPDATE', 'DELETE')),
  file_name     text NOT NULL,
  sent_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, source_system, source_id)
);

-- One row per channel, locked by an export so two exports of one channel never overlap.
CREATE TABLE ims.exchange_channel (
  channel     text PRIMARY KEY CHECK (channel ~ '^(V5|GP):[A-Z0-9]{3,10}$'),
  last_run_at timestamptz,
  last_file   text
);

SELECT audit.attach('ims.exchange_review');
SELECT audit.attach('ims.exchange_received');
REVOKE ALL ON ims.exchange_received, ims.exchange_review, ims.exchange_sent, ims.exchange_channel
  FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- The organisations a review item received now is shared with (see scope_orgs).
CREATE FUNCTION ims.exchange_receiver_orgs() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN ims.is_application_user() AND NOT ims.is_admin()
              THEN (SELECT coalesce(array_agg(s.org_code ORDER BY s.org_code), '{}') FROM ims.user_scope s WHERE s.role_name = session_user::text)
         END
$$;

CREATE FUNCTION ims.exchange_review_visible(p_scope_orgs text[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT ims.is_application_user() OR ims.is_admin() OR coalesce(p_scope_orgs && ims.scope_organisations(), false)
$$;
REVOKE EXECUTE ON FUNCTION ims.exchange_receiver_orgs(), ims.exchange_review_visible(text[]) FROM PUBLIC;

-- GP updates look for events given to a practice's patients by someone else.
CREATE INDEX vaccination_event_org_idx ON ims.vaccination_event (organisation_code, id);

-- ---------------------------------------------------------------------------------------
-- Import.

-- The programme an imported event belongs to: the season or campaign running on the day for
-- seasonal vaccines, else the product's usual programme.
CREATE FUNCTION ims.exchange_programme_for(p_product text, p_day date) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH t AS (SELECT vaccine_type FROM ims.vaccine_product WHERE code = p_product),
  k AS (
    SELECT CASE
      WHEN t.vaccine_type LIKE 'Flu%' THEN 'SEASONAL_FLU'
      WHEN t.vaccine_type LIKE 'COVID%' THEN 'COVID19'
      WHEN t.vaccine_type IN ('HPV', 'MenACWY', 'Td/IPV (3-in-1)') THEN 'SCHOOL_AGED'
      WHEN t.vaccine_type IN ('PPV23', 'Shingles', 'RSV') THEN 'ADULT'
      ELSE 'ROUTINE_CHILDHOOD' END AS kind FROM t)
  SELECT coalesce(
    (SELECT p.code FROM ims.programme p, k
     WHERE p.kind = k.kind AND k.kind IN ('SEASONAL_FLU', 'COVID19') AND p.start_date <= p_day
     ORDER BY (p_day <= coalesce(p.end_date, p_day)) DESC, p.start_date DESC LIMIT 1),
    (SELECT p.code FROM ims.programme p, k WHERE p.code = k.kind),
    'ROUTINE_CHILDHOOD')
$$;

CREATE FUNCTION ims.refuse_exchange() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'Your role may not import vaccinations.' USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Writes one received event onto a person: new, unchanged (a resend), or a correction of the
-- event the same identity made before. Answers the event id and what happened.
CREATE FUNCTION ims.exchange_write(p_person_id bigint, p_event jsonb, p_hash text, OUT event_id bigint, OUT outcome text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sys text := p_event->>'source_system';
  v_id  text := p_event->>'source_id';
  r     ims.exchange_received;
  v_live bigint;
BEGIN
  SELECT * INTO r FROM ims.exchange_received x WHERE x.source_system = v_sys AND x.source_id = v_id FOR UPDATE;
  IF FOUND THEN
    IF r.person_id <> p_person_id THEN
      RAISE EXCEPTION 'This event (%) was already received for another person; it cannot move to a different person by a resend.', v_id
        USING ERRCODE = 'check_violation';
    END IF;
    SELECT e.id INTO v_live FROM ims.vaccination_event e
    WHERE e.person_id = p_person_id AND e.source_system = v_sys AND e.source_id = v_id AND e.status = 'ACTIVE';
    IF r.payload_hash = p_hash AND v_live IS NOT NULL THEN
      event_id := v_live; outcome := 'UNCHANGED'; RETURN;
    END IF;
    IF v_live IS NOT NULL THEN
      event_id := api.record_vaccination(p_event || jsonb_build_object('person_id', p_person_id, 'supersedes_id', v_live,
                    'change_reason', 'Updated by the sender (' || left(v_sys, 150) || ')'));
      outcome := 'UPDATED';
    ELSE
      -- Entered in error here earlier: the withdrawn row keeps the identity (the register never
      -- revives a withdrawn record), so the sender must send the dose under a new identifier.
      event_id := r.event_id; outcome := 'IGNORED'; RETURN;
    END IF;
    UPDATE ims.exchange_received x SET event_id = exchange_write.event_id, payload_hash = p_hash, received_at = now(), received_by = session_user
    WHERE x.source_system = v_sys AND x.source_id = v_id;
    RETURN;
  END IF;
  event_id := api.record_vaccination(p_event || jsonb_build_object('person_id', p_person_id));
  outcome := 'CREATED';
  INSERT INTO ims.exchange_received (source_system, source_id, person_id, event_id, payload_hash)
  VALUES (v_sys, v_id, p_person_id, event_id, p_hash);
END
$$;
REVOKE EXECUTE ON FUNCTION ims.exchange_write(bigint, jsonb, text), ims.exchange_programme_for(text, date), ims.refuse_exchange() FROM PUBLIC;

-- Imports one event received from another system (already parsed and checked by the
-- application; the tables' checks and triggers stand behind it). p_incoming carries the
-- person's demographics as sent; p_event the event's columns without the person or programme.
-- The person is the one the sender's identity was attached to before, else a certain match,
-- else the event waits for review. Answers {outcome, eventId, personId, reviewId, reason}.
CREATE FUNCTION api.exchange_import_event(p_incoming jsonb, p_event jsonb, p_hash text, p_entered_in_error boolean)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sys    text := p_event->>'source_system';
  v_id     text := p_event->>'source_id';
  v_known  ims.exchange_received;
  v_person bigint;
  v_event  jsonb;
  v_write  record;
  v_reason text;
  v_review bigint;
  v_nhs    text := p_incoming->>'nhsNumber';
  v_live   bigint;
  m        record;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_exchange();
  END IF;
  IF v_sys IS NULL OR v_id IS NULL OR length(v_sys) > 200 OR length(v_id) > 200 THEN
    RAISE EXCEPTION 'An imported event needs its sender''s identifier (system and value).' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (p_event->>'product_code') IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM ims.vaccine_product WHERE code = p_event->>'product_code') THEN
    RAISE EXCEPTION 'vaccineCode: % is not a vaccine product this system knows.', p_event->>'product_code' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Only organisations on the register are recorded as the giver; the code stays in the location.
  v_event := p_event || jsonb_build_object(
    'programme_code', ims.exchange_programme_for(p_event->>'product_code', (p_event->>'occurred_on')::date),
    'organisation_code', (SELECT o.code FROM ims.organisation o WHERE o.code = p_event->>'organisation_code'));

  SELECT * INTO v_known FROM ims.exchange_received x WHERE x.source_system = v_sys AND x.source_id = v_id;
  IF FOUND THEN
    -- Seen before: the same person, unless the sender now names someone else by NHS number.
    IF v_nhs IS NOT NULL AND ims.nhs_number_valid(v_nhs)
       AND v_nhs <> (SELECT p.nhs_number FROM ims.person p WHERE p.id = v_known.person_id) THEN
      v_reason := 'The sender now gives a different NHS number for an event received before.';
    ELSIF NOT ims.audited_read(v_known.person_id, 'import vaccination') THEN
      PERFORM ims.refuse_unknown_person();
    ELSE
      v_person := v_known.person_id;
    END IF;
  ELSIF p_entered_in_error THEN
    -- Entered in error for an event never received: nothing to withdraw; any waiting copy goes.
    UPDATE ims.exchange_review r SET status = 'REJECTED', decided_by = session_user, decided_at = now(),
      note = 'Withdrawn by the sender (entered in error).'
    WHERE r.source_system = v_sys AND r.source_id = v_id AND r.status = 'PENDING';
    RETURN jsonb_build_object('outcome', 'IGNORED', 'reason', 'Entered in error for an event never received.');
  ELSE
    -- Match on the demographics as sent, over everyone: a candidate outside the caller's scope
    -- still stops an automatic match, and is never shown to them.
    SELECT * INTO m FROM ims.match_people(ARRAY[ROW(1, v_nhs, p_incoming->>'familyName', p_incoming->>'givenName',
                           (p_incoming->>'dateOfBirth')::date, p_incoming->>'genderCode', p_incoming->>'postcode')::ims.match_input])
    WHERE certain LIMIT 1;
    IF FOUND AND ims.audited_read(m.person_id, 'import vaccination') THEN
      v_person := m.person_id;
    ELSE
      v_reason := CASE
        WHEN v_nhs IS NOT NULL AND NOT ims.nhs_number_valid(v_nhs) THEN 'The NHS number sent fails its check digit.'
        WHEN v_nhs IS NOT NULL AND EXISTS (SELECT 1 FROM ims.person p WHERE p.nhs_number = v_nhs)
          THEN 'The NHS number sent belongs to a person whose details do not agree with those sent.'
        WHEN v_nhs IS NOT NULL THEN 'No person on the register has the NHS number sent.'
        ELSE 'No NHS number was sent, and the details sent do not pick out one person for certain.' END;
    END IF;
  END IF;

  IF v_person IS NULL THEN
    IF p_entered_in_error THEN
      RETURN jsonb_build_object('outcome', 'IGNORED', 'reason', v_reason);
    END IF;
    INSERT INTO ims.exchange_review AS r (source_system, source_id, incoming, event, payload_hash, reason, scope_orgs)
    VALUES (v_sys, v_id, p_incoming, v_event, p_hash, v_reason, ims.exchange_receiver_orgs())
    ON CONFLICT (source_system, source_id) WHERE status = 'PENDING'
    DO UPDATE SET incoming = EXCLUDED.incoming, event = EXCLUDED.event, payload_hash = EXCLUDED.payload_hash,
                  reason = EXCLUDED.reason, received_at = now(), received_by = session_user,
                  -- Whoever sent it again knows what it says: they may see it too.
                  scope_orgs = CASE WHEN r.scope_orgs IS NULL OR EXCLUDED.scope_orgs IS NULL THEN NULL
                                    ELSE ARRAY(SELECT DISTINCT x FROM unnest(r.scope_orgs || EXCLUDED.scope_orgs) x ORDER BY 1) END
    RETURNING r.id INTO v_review;
    RETURN jsonb_build_object('outcome', 'REVIEW', 'reviewId', v_review, 'reason', v_reason);
  END IF;

  IF p_entered_in_error THEN
    SELECT e.id INTO v_live FROM ims.vaccination_event e
    WHERE e.person_id = v_person AND e.source_system = v_sys AND e.source_id = v_id AND e.status = 'ACTIVE';
    IF v_live IS NULL THEN
      RETURN jsonb_build_object('outcome', 'UNCHANGED', 'personId', v_person, 'eventId', v_known.event_id);
    END IF;
    PERFORM api.mark_entered_in_error(v_live, 'Entered in error by the sender (' || left(v_sys, 150) || ')');
    RETURN jsonb_build_object('outcome', 'ENTERED_IN_ERROR', 'personId', v_person, 'eventId', v_live);
  END IF;
  SELECT * INTO v_write FROM ims.exchange_write(v_person, v_event, p_hash);
  RETURN jsonb_build_object('outcome', v_write.outcome, 'personId', v_person, 'eventId', v_write.event_id,
    'reason', CASE WHEN v_write.outcome = 'IGNORED'
                   THEN 'This event was entered in error here; send the dose again under a new identifier.' END);
END
$$;

-- The review queue: waiting items, oldest first, each with the candidates the caller may see
-- side by side with what was sent. Reading candidates is an audited read of each.
CREATE FUNCTION api.exchange_review_queue(p_status text, p_limit integer) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_exchange();
  END IF;
  RETURN coalesce((
    SELECT jsonb_agg(ims.exchange_review_item(r.id) ORDER BY r.received_at, r.id)
    FROM (SELECT r.id, r.received_at FROM ims.exchange_review r
          WHERE r.status = coalesce(p_status, 'PENDING') AND ims.exchange_review_visible(r.scope_orgs)
          ORDER BY r.received_at, r.id LIMIT least(greatest(coalesce(p_limit, 50), 1), 500)) r), '[]'::jsonb);
END
$$;

CREATE FUNCTION ims.exchange_review_item(p_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.exchange_review;
  v_candidates jsonb;
BEGIN
  SELECT * INTO r FROM ims.exchange_review x WHERE x.id = p_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF r.status = 'PENDING' THEN
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'personId', p.id, 'nhsNumber', p.nhs_number, 'givenName', p.given_name, 'familyName', p.family_name,
             'dateOfBirth', p.date_of_birth, 'genderCode', p.gender_code, 'postcode', p.postcode,
             'practiceCode', p.practice_code, 'points', m.points, 'nhs', m.nhs, 'twin', m.twin,
             'parts', jsonb_build_object('familyName', m.family_points, 'givenName', m.given_points,
                       'dateOfBirth', m.dob_points, 'gender', m.sex_points, 'postcode', m.postcode_points))
             ORDER BY (m.nhs = 'same') DESC, m.points DESC, p.id), '[]'::jsonb)
      INTO v_candidates
    FROM ims.match_people(ARRAY[ROW(1, r.incoming->>'nhsNumber', r.incoming->>'familyName', r.incoming->>'givenName',
                          (r.incoming->>'dateOfBirth')::date, r.incoming->>'genderCode', r.incoming->>'postcode')::ims.match_input]) m
    JOIN ims.person p ON p.id = m.person_id
    WHERE (m.points >= 50 OR m.nhs = 'same') AND ims.audited_read(p.id, 'review incoming vaccination');
  END IF;
  RETURN jsonb_build_object(
    'id', r.id, 'sourceSystem', r.source_system, 'sourceId', r.source_id, 'incoming', r.incoming,
    'event', jsonb_build_object('occurredOn', r.event->>'occurred_on', 'productCode', r.event->>'product_code',
               'productName', (SELECT v.short_name FROM ims.vaccine_product v WHERE v.code = r.event->>'product_code'),
               'outcome', r.event->>'outcome', 'doseSequence', (r.event->>'dose_sequence')::int,
               'batchNumber', r.event->>'batch_number', 'locationCode', r.event->>'location_code',
               'performerName', r.event->>'performer_name'),
    'reason', r.reason, 'receivedAt', r.received_at, 'status', r.status, 'personId', r.person_id, 'eventId', r.event_id,
    'candidates', coalesce(v_candidates, '[]'::jsonb));
END
$$;
REVOKE EXECUTE ON FUNCTION ims.exchange_review_item(bigint) FROM PUBLIC;

CREATE FUNCTION api.exchange_review_item(p_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v jsonb;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_exchange();
  END IF;
  v := CASE WHEN ims.exchange_review_visible((SELECT r.scope_orgs FROM ims.exchange_review r WHERE r.id = p_id))
            THEN ims.exchange_review_item(p_id) END;
  IF v IS NULL THEN
    RAISE EXCEPTION 'No waiting import % is available.', p_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN v;
END
$$;

-- A reviewer's decision: ACCEPT attaches the event to a person they may see (one of the
-- candidates or any person in scope found by search); REJECT records nothing; NEW_PERSON
-- registers the person as sent (a valid NHS number not already on the register) and attaches.
CREATE FUNCTION api.exchange_review_decide(p_id bigint, p_decision text, p_person_id bigint, p_note text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.exchange_review;
  v_person bigint;
  v_write record;
  v_nhs text;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_exchange();
  END IF;
  IF p_decision NOT IN ('ACCEPT', 'REJECT', 'NEW_PERSON') THEN
    RAISE EXCEPTION 'A decision is ACCEPT, REJECT or NEW_PERSON.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SET LOCAL lock_timeout = '5s';
  SELECT * INTO r FROM ims.exchange_review x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND OR NOT ims.exchange_review_visible(r.scope_orgs) THEN
    RAISE EXCEPTION 'No waiting import % is available.', p_id USING ERRCODE = 'no_data_found';
  END IF;
  IF r.status <> 'PENDING' THEN
    RAISE EXCEPTION 'This import was already decided (%).', lower(r.status) USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF p_decision = 'REJECT' THEN
    UPDATE ims.exchange_review SET status = 'REJECTED', decided_by = session_user, decided_at = now(), note = p_note WHERE id = p_id;
    RETURN ims.exchange_review_item(p_id);
  END IF;
  IF p_decision = 'ACCEPT' THEN
    IF p_person_id IS NULL OR NOT ims.audited_read(p_person_id, 'attach incoming vaccination') THEN
      PERFORM ims.refuse_unknown_person();
    END IF;
    v_person := p_person_id;
  ELSE
    v_nhs := r.incoming->>'nhsNumber';
    IF v_nhs IS NULL OR NOT ims.nhs_number_valid(v_nhs) THEN
      RAISE EXCEPTION 'A new person needs a valid NHS number; this import has none. Find the person, or reject it.'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM ims.person p WHERE p.nhs_number = v_nhs) THEN
      RAISE EXCEPTION 'A person with NHS number % is already registered: attach the event to them instead.', v_nhs
        USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, postcode, practice_code, registration_status)
    VALUES (v_nhs, r.incoming->>'givenName', r.incoming->>'familyName', (r.incoming->>'dateOfBirth')::date,
            coalesce(r.incoming->>'genderCode', '0'),
            CASE WHEN (r.incoming->>'postcode') ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$' THEN r.incoming->>'postcode' END,
            (SELECT g.code FROM ims.gp_practice g WHERE g.code = r.incoming->>'practiceCode'
               AND (ims.is_admin() OR NOT ims.is_application_user() OR g.code = ANY (ims.scope_practices()))),
            'UNREGISTERED')
    RETURNING id INTO v_person;
    -- Registered when the sender named a practice on the register (and in the reviewer's scope).
    UPDATE ims.person SET registration_status = 'REGISTERED' WHERE id = v_person AND practice_code IS NOT NULL;
    IF NOT ims.audited_read(v_person, 'attach incoming vaccination') THEN
      RAISE EXCEPTION 'The new person would be outside your scope (their practice is not yours), so they were not registered.'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  SELECT * INTO v_write FROM ims.exchange_write(v_person, r.event, r.payload_hash);
  UPDATE ims.exchange_review
     SET status = CASE p_decision WHEN 'ACCEPT' THEN 'ACCEPTED' ELSE 'NEW_PERSON' END,
         decided_by = session_user, decided_at = now(), person_id = v_person, event_id = v_write.event_id, note = p_note
   WHERE id = p_id;
  RETURN ims.exchange_review_item(p_id);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Exports.

-- May the caller export on the organisation's behalf? Administrators (and the owner: the
-- command line and scheduled jobs).
CREATE FUNCTION ims.may_export_exchange() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT ims.is_application_user() OR (ims.is_registered_user() AND pg_has_role(session_user, 'ims_administrator', 'USAGE'))
$$;
REVOKE EXECUTE ON FUNCTION ims.may_export_exchange() FROM PUBLIC;

-- One row of the v5 layout's data for an event version (the writer formats it).
CREATE FUNCTION ims.exchange_v5_row(e ims.vaccination_event, p ims.person) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object(
    'eventId', e.id, 'sourceSystem', e.source_system, 'sourceId', e.source_id,
    'nhsNumber', p.nhs_number, 'givenName', p.given_name, 'familyName', p.family_name,
    'dateOfBirth', p.date_of_birth, 'genderCode', p.gender_code, 'postcode', p.postcode,
    'occurredAt', e.occurred_at, 'occurredOn', e.occurred_on, 'recordedAt', e.recorded_at,
    'organisationCode', e.organisation_code, 'performerName', e.performer_name, 'primarySource', e.primary_source,
    'procedureCode', pp.code, 'procedureTerm', pp.term, 'doseSequence', e.dose_sequence,
    'productCode', e.product_code, 'productCodeStatus', v.code_status, 'productTerm', v.name,
    'manufacturer', v.manufacturer, 'vaccineType', v.vaccine_type,
    'batchNumber', e.batch_number, 'expiryDate', e.expiry_date,
    'siteCode', e.site_code, 'siteTerm', e.site_term, 'routeCode', e.route_code, 'routeTerm', e.route_term,
    'doseAmount', e.dose_amount, 'doseUnitCode', e.dose_unit_code, 'doseUnitTerm', e.dose_unit_term,
    'locationCode', e.location_code, 'locationType', e.location_type)
  FROM ims.vaccine_product v
  LEFT JOIN LATERAL (
    SELECT x.code, x.term FROM ims.product_procedure x
    WHERE x.product_code = v.code
      AND x.applies_to IN ('OTHER', CASE e.dose_sequence WHEN 1 THEN 'DOSE_1' WHEN 2 THEN 'DOSE_2' ELSE 'OTHER' END,
                           CASE WHEN e.dose_sequence IS NULL THEN 'DOSE_1' END)
    ORDER BY (x.applies_to = 'OTHER'), x.applies_to LIMIT 1) pp ON true
  WHERE v.code = e.product_code
$$;
REVOKE EXECUTE ON FUNCTION ims.exchange_v5_row(ims.vaccination_event, ims.person) FROM PUBLIC;

-- Claims what a channel has not yet been sent, and marks it sent in the caller's transaction:
-- the application writes the files before it commits, so a failed write sends nothing and a
-- committed claim is never offered again. kind V5: the doses the organisation gave itself
-- (primary source; reported doses are the giver's to submit; the national service takes
-- completed vaccinations only); kind GP: doses the practice's patients
-- were given by anyone else. Held back (not claimed, offered again next time): events without
-- a vaccination procedure code, which the layout requires.
CREATE FUNCTION api.exchange_export_claim(p_kind text, p_code text, p_file_stamp text)
RETURNS TABLE (action text, held text, row_data jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_channel text := p_kind || ':' || p_code;
BEGIN
  -- Marking events sent without writing them would lose them for good: only the command line
  -- and scheduled jobs (the owner), which write the files in the same transaction, may claim.
  IF ims.is_application_user() THEN
    RAISE EXCEPTION 'Vaccination files are exported by the command line (ims export).' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_kind NOT IN ('V5', 'GP') OR p_code !~ '^[A-Z0-9]{3,10}$' THEN
    RAISE EXCEPTION 'An export is V5 or GP for an organisation code.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ims.organisation o WHERE o.code = p_code AND (p_kind = 'V5' OR o.org_type = 'GP')) THEN
    RAISE EXCEPTION 'No % organisation %.', CASE p_kind WHEN 'GP' THEN 'GP practice' ELSE '' END, p_code USING ERRCODE = 'no_data_found';
  END IF;
  -- Inserted only when missing: an insert that met the row another export is changing would wait
  -- for that export to end instead of refusing at once. Two first exports of a new channel wait
  -- for each other at most lock_timeout.
  SET LOCAL lock_timeout = '5s';
  IF NOT EXISTS (SELECT 1 FROM ims.exchange_channel c WHERE c.channel = v_channel) THEN
    INSERT INTO ims.exchange_channel (channel) VALUES (v_channel) ON CONFLICT DO NOTHING;
  END IF;
  BEGIN
    PERFORM 1 FROM ims.exchange_channel c WHERE c.channel = v_channel FOR UPDATE NOWAIT;
  EXCEPTION WHEN lock_not_available THEN
    RAISE EXCEPTION 'Another export of % is running; try again when it has finished.', v_channel USING ERRCODE = 'lock_not_available';
  END;

  RETURN QUERY
  WITH latest AS (
    -- Each event identity's newest version (live, or entered in error).
    SELECT DISTINCT ON (e.source_system, e.source_id) e AS ev, p AS pe
    FROM ims.vaccination_event e JOIN ims.person p ON p.id = e.person_id
    WHERE e.status <> 'SUPERSEDED' AND e.outcome = 'GIVEN'
      AND CASE p_kind WHEN 'V5' THEN e.organisation_code = p_code AND e.primary_source
                      ELSE p.practice_code = p_code AND e.organisation_code IS DISTINCT FROM p_code END
    ORDER BY e.source_system, e.source_id, e.id DESC
  ),
  due AS (
    SELECT l.ev, l.pe,
      CASE WHEN (l.ev).status = 'ENTERED_IN_ERROR' THEN CASE WHEN s.action IN ('NEW', 'UPDATE') THEN 'DELETE' END
           WHEN s.action IS NULL THEN 'NEW'
           WHEN s.action = 'DELETE' THEN 'NEW'
           WHEN s.event_id <> (l.ev).id THEN 'UPDATE' END AS action
    FROM latest l
    LEFT JOIN ims.exchange_sent s ON s.channel = v_channel AND s.source_system = (l.ev).source_system AND s.source_id = (l.ev).source_id
  ),
  rows AS (
    SELECT d.action, ims.exchange_v5_row(d.ev, d.pe) AS r, d.ev
    FROM due d WHERE d.action IS NOT NULL
  ),
  marked AS (
    INSERT INTO ims.exchange_sent AS s (channel, source_system, source_id, event_id, action, file_name)
    SELECT v_channel, (x.ev).source_system, (x.ev).source_id, (x.ev).id, x.action, p_file_stamp
    FROM rows x WHERE x.r->>'procedureCode' IS NOT NULL
    ON CONFLICT (channel, source_system, source_id) DO UPDATE
      SET event_id = EXCLUDED.event_id, action = EXCLUDED.action, file_name = EXCLUDED.file_name, sent_at = now()
    RETURNING s.source_system
  )
  SELECT x.action, CASE WHEN x.r->>'procedureCode' IS NULL
                        THEN 'No vaccination procedure code for product ' || coalesce(x.r->>'productCode', '?') END,
         x.r
  FROM rows x
  WHERE (SELECT count(*) FROM marked) >= 0
  ORDER BY (x.r->>'recordedAt'), (x.r->>'eventId')::bigint;

  UPDATE ims.exchange_channel c SET last_run_at = now(), last_file = p_file_stamp WHERE c.channel = v_channel;
END
$$;

-- The GP practices with anything to send (the command line writes one file for each).
CREATE FUNCTION api.exchange_gp_practices_due() RETURNS TABLE (practice_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_export_exchange() THEN
    RAISE EXCEPTION 'Only administrators export vaccination files.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN QUERY
  SELECT DISTINCT p.practice_code
  FROM ims.vaccination_event e JOIN ims.person p ON p.id = e.person_id
  WHERE e.status <> 'SUPERSEDED' AND e.outcome = 'GIVEN' AND p.practice_code IS NOT NULL
    AND e.organisation_code IS DISTINCT FROM p.practice_code
    AND NOT EXISTS (SELECT 1 FROM ims.exchange_sent s
                    WHERE s.channel = 'GP:' || p.practice_code AND s.source_system = e.source_system
                      AND s.source_id = e.source_id AND s.event_id = e.id
                      AND (s.action = 'DELETE') = (e.status = 'ENTERED_IN_ERROR'))
    AND NOT (e.status = 'ENTERED_IN_ERROR' AND NOT EXISTS (
                    SELECT 1 FROM ims.exchange_sent s WHERE s.channel = 'GP:' || p.practice_code
                      AND s.source_system = e.source_system AND s.source_id = e.source_id AND s.action <> 'DELETE'))
  ORDER BY 1;
END
$$;

-- A person's or a period's events for a FHIR export: the events (every status but superseded),
-- their reactions and the person, each person's read audited. By person: p_person_id; by
-- period: the events given by p_org between the dates (administrators and the owner only).
CREATE FUNCTION api.exchange_fhir_events(p_person_id bigint, p_org text, p_from date, p_to date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ids bigint[];
BEGIN
  IF p_person_id IS NOT NULL THEN
    IF NOT ims.audited_read(p_person_id, 'export record (FHIR)') THEN
      RETURN NULL;
    END IF;
    v_ids := ARRAY[p_person_id];
  ELSE
    IF NOT ims.may_export_exchange() THEN
      RAISE EXCEPTION 'Only administrators export vaccination files.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_org IS NULL OR p_from IS NULL OR p_to IS NULL OR p_to < p_from THEN
      RAISE EXCEPTION 'A period export needs an organisation and a period (from, to).' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT array_agg(DISTINCT e.person_id) INTO v_ids FROM ims.vaccination_event e
    WHERE e.organisation_code = p_org AND e.occurred_on BETWEEN p_from AND p_to AND e.status <> 'SUPERSEDED';
    PERFORM ims.audited_read(x, 'export period (FHIR)') FROM unnest(coalesce(v_ids, '{}')) x;
  END IF;
  RETURN jsonb_build_object(
    'persons', coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'nhsNumber', p.nhs_number, 'givenName', p.given_name,
                 'familyName', p.family_name, 'dateOfBirth', p.date_of_birth, 'genderCode', p.gender_code, 'postcode', p.postcode,
                 'practiceCode', p.practice_code) ORDER BY p.id)
               FROM ims.person p WHERE p.id = ANY (v_ids)), '[]'::jsonb),
    'events', coalesce((SELECT jsonb_agg(to_jsonb(e) || jsonb_build_object('product_name', v.name, 'procedure_code', pp.code,
                 'procedure_term', pp.term) ORDER BY e.person_id, e.occurred_on, e.id)
               FROM ims.vaccination_event e
               LEFT JOIN ims.vaccine_product v ON v.code = e.product_code
               LEFT JOIN LATERAL (SELECT (ims.exchange_v5_row(e, p)->>'procedureCode') AS code,
                                         (ims.exchange_v5_row(e, p)->>'procedureTerm') AS term
                                  FROM ims.person p WHERE p.id = e.person_id) pp ON true
               WHERE e.person_id = ANY (v_ids) AND e.status <> 'SUPERSEDED'
                 AND (p_person_id IS NOT NULL OR (e.organisation_code = p_org AND e.occurred_on BETWEEN p_from AND p_to))), '[]'::jsonb),
    'reactions', coalesce((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.id) FROM ims.adverse_reaction a
               WHERE a.person_id = ANY (v_ids)), '[]'::jsonb));
END
$$;

REVOKE EXECUTE ON FUNCTION api.exchange_import_event(jsonb, jsonb, text, boolean), api.exchange_review_queue(text, integer),
  api.exchange_review_item(bigint), api.exchange_review_decide(bigint, text, bigint, text),
  api.exchange_export_claim(text, text, text), api.exchange_gp_practices_due(), api.exchange_fhir_events(bigint, text, date, date)
  FROM PUBLIC;
-- Importing and reviewing: the groups that record vaccinations (the functions check again).
GRANT EXECUTE ON FUNCTION api.exchange_import_event(jsonb, jsonb, text, boolean), api.exchange_review_queue(text, integer),
  api.exchange_review_item(bigint), api.exchange_review_decide(bigint, text, bigint, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
-- A person's FHIR export goes with reading their record; files for the organisation with administration.
GRANT EXECUTE ON FUNCTION api.exchange_fhir_events(bigint, text, date, date)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
-- api.exchange_export_claim and api.exchange_gp_practices_due: the owner only (no grant).
