-- Issue 9: the engine can now say that a live vaccine needs a clinician's assessment (a person
-- flagged immunosuppressed), and HPV needs three doses for people living with HIV.
-- The status list and the flag row follow main-api/shared/vocabulary/ (schedule.ts, flags.ts).

ALTER TABLE ims.series_status DROP CONSTRAINT series_status_status_check;
ALTER TABLE ims.series_status ADD CONSTRAINT series_status_status_check
  CHECK (status IN ('COMPLETE', 'DUE', 'OVERDUE', 'UPCOMING', 'TOO_LATE', 'DECLINED', 'CONTRAINDICATED', 'NEEDS_ASSESSMENT', 'GIVEN'));

INSERT INTO ims.flag_type (code, label, category) VALUES ('HIV', 'Living with HIV', 'RISK_GROUP');
