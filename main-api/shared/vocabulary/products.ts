// Vaccine products that code and tests name: dm+d codes (or LOCAL- placeholders where a product
// has none) of rows that migrations/0003_vaccination_records.sql seeds in ims.vaccine_product.
// The product list itself is reference data that grows each season; these are the names by
// which the demo, the benchmarks and the tests refer to particular products
// (vocabulary.integration.test.ts checks that each is in the database).
export const PRODUCT = {
  INFANRIX_HEXA: '34765811000001105',
  VAXELIS: '39367111000001105',
  BEXSERO: '23584211000001109',
  ROTARIX: '34609911000001106',
  PREVENAR13: '16649411000001104',
  MENITORIX: '9903711000001109',
  PRIORIX: '34925111000001104',
  MMRVAXPRO: '13968211000001108',
  PROQUAD: '45480711000001107',
  PRIORIX_TETRA: '45525711000001102',
  BOOSTRIX_IPV: '26267211000001100',
  REPEVAX: 'LOCAL-REPEVAX',
  // DTaP/IPV/Hib (5-in-1) from an overseas record (migration 0043).
  DTAP_IPV_HIB: 'LOCAL-DTAP-IPV-HIB',
  REVAXIS: '7374511000001107',
  GARDASIL9: '33493111000001108',
  NIMENRIX: '20517811000001104',
  MENQUADFI: '39779611000001104',
  MENVEO: '17188711000001105',
  FLUENZ: '43208811000001106',
  FLU_CELL: '43207411000001105',
  FLU_VAXIGRIP: '45175511000001104',
  FLU_VIATRIS: '45354911000001100',
  FLU_ADJUVANTED: '37547211000001103',
  COMIRNATY_LP81: 'LOCAL-COMIRNATY-LP81',
  PNEUMOVAX: 'LOCAL-PNEUMOVAX23',
  SHINGRIX: '39655511000001105',
  ABRYSVO: '42605811000001109',
} as const;
