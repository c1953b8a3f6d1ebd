-- Issue 9: the targeted BCG programme. A baby living where TB incidence is 40 per 100,000 or
-- more, or with a parent or grandparent born in such a country, is flagged TB_RISK (Green Book
-- chapter 32); the schedule's BCG series asks for the flag. The row follows
-- main-api/shared/vocabulary/flags.ts.

INSERT INTO ims.flag_type (code, label, category) VALUES ('TB_RISK', 'Higher risk of tuberculosis (BCG eligible)', 'OTHER');
