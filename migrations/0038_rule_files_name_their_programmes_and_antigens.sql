-- Rule files imported without a release (0033) now reach the parts of the database that name
-- programmes and series: a campaign file activated for a new season (FLU_2027_28, say) makes its
-- programme known, so that doses can be recorded against it, campaigns run for it and cohorts
-- name it; a schedule file's series say which antigens they protect against, so that "due for
-- MMR" in a cohort finds a new series too. Withdrawing a file leaves both in place: doses may
-- already name the programme.

CREATE FUNCTION ims.rule_file_names_its_parts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_file jsonb := NEW.content::jsonb;
  v_antigens text[];
  v_start date;
  v_end date;
BEGIN
  IF NEW.kind = 'campaign' THEN
    IF NEW.rule_id !~ '^[A-Z][A-Z0-9_]*$' THEN
      RAISE EXCEPTION 'A campaign file''s id names its programme: capital letters, digits and underscores (FLU_2027_28), not %.', NEW.rule_id
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
      v_start := (v_file ->> 'startDate')::date;
      v_end := (v_file ->> 'endDate')::date;
    EXCEPTION WHEN others THEN
      v_start := NULL;
    END;
    IF v_start IS NULL THEN
      RAISE EXCEPTION 'A campaign file needs its startDate (and endDate, if any) as real dates to become a programme.'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_antigens := ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(v_file -> 'antigens') = 'array' THEN v_file -> 'antigens' END));
    -- The season's programme, as the shipped ones are written (0003, 0024); one already known is kept as it is.
    INSERT INTO ims.programme (code, name, kind, campaign, start_date, end_date)
    VALUES (NEW.rule_id, left(NEW.name, 120),
            CASE WHEN 'INFLUENZA' = ANY (v_antigens) THEN 'SEASONAL_FLU' WHEN 'COVID19' = ANY (v_antigens) THEN 'COVID19' ELSE 'ADULT' END,
            left(NEW.rule_version, 40), v_start, v_end)
    ON CONFLICT (code) DO NOTHING;
  ELSIF NEW.kind = 'schedule' AND jsonb_typeof(v_file -> 'series') = 'array' THEN
    INSERT INTO ims.series_antigen (series_id, antigen)
    SELECT DISTINCT s ->> 'id', a
    FROM jsonb_array_elements(v_file -> 'series') s
    CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(s -> 'antigens') = 'array' THEN s -> 'antigens' END) a
    WHERE s ->> 'id' IS NOT NULL AND a IN (SELECT code FROM ims.antigen)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.rule_file_names_its_parts() FROM PUBLIC;
CREATE TRIGGER rule_file_names_its_parts AFTER UPDATE OF status ON ims.rule_file_version
  FOR EACH ROW WHEN (NEW.status = 'active' AND OLD.status = 'previewed')
  EXECUTE FUNCTION ims.rule_file_names_its_parts();
