-- BCG's default route was stored with the EDQM wording 'Intradermal use'; every other product
-- carries the SNOMED CT term for its route code, and a record copies the product's route when
-- none is chosen. Align the reference row with SNOMED CT (372464004 |Intradermal route|).
-- Vaccinations already recorded keep the term they were recorded with: the code is the same,
-- and the application shows a route by its code.
UPDATE ims.vaccine_product
   SET default_route_term = 'Intradermal route'
 WHERE default_route_code = '372464004' AND default_route_term = 'Intradermal use';
