// Vaccine products the demo histories use, and a plausible stock of batches for each: two
// batches a quarter over the years each product was in use, every one expiring after the
// last day it is used, so no demo dose is ever given from an expired batch.
import type { DbClient } from '../platform/db/database';
import { field } from '../platform/db/copy-writer';
import { formatDay, requireDay } from '../shared/calendar/dates';
import { createRng, type Rng } from './prng';
import { PRODUCT } from '../shared/vocabulary/products';

/** The products the demo histories use: the shipped ones, and a retired one the demo adds below. */
export const P = { ...PRODUCT, PEDIACEL: 'LOCAL-PEDIACEL' } as const;

/** Batches are made in quarters counted from here; older doses are reported records without one. */
export const BATCH_EPOCH = requireDay('2006-07-01');
const QUARTER = 91;

/** Years each product was in use in the demo (inclusive), as day numbers. */
const IN_USE: [code: string, from: string, to: string | null, prefix: string][] = [
  [P.PEDIACEL, '2006-07-01', '2018-06-30', 'C'],
  [P.INFANRIX_HEXA, '2017-07-01', null, 'A21C'],
  [P.VAXELIS, '2021-07-01', null, 'X'],
  [P.BEXSERO, '2015-08-01', null, 'AB'],
  [P.ROTARIX, '2013-06-01', null, 'AROL'],
  [P.PREVENAR13, '2006-07-01', null, 'HV'],
  [P.MENITORIX, '2006-07-01', '2026-06-30', 'AHIBC'],
  [P.PRIORIX, '2006-07-01', null, 'A69C'],
  [P.MMRVAXPRO, '2006-07-01', null, 'W'],
  [P.PROQUAD, '2025-12-01', null, 'Y'],
  [P.PRIORIX_TETRA, '2025-12-01', null, 'A71C'],
  [P.BOOSTRIX_IPV, '2006-07-01', null, 'AC37'],
  [P.REPEVAX, '2006-07-01', null, 'R'],
  [P.REVAXIS, '2016-07-01', null, 'S'],
  [P.GARDASIL9, '2019-07-01', null, 'T0'],
  [P.NIMENRIX, '2019-07-01', null, 'FN'],
  [P.MENQUADFI, '2021-07-01', null, 'U7'],
  [P.MENVEO, '2019-07-01', null, 'M19'],
  [P.FLUENZ, '2025-08-01', '2026-03-31', 'PE'],
  [P.FLU_CELL, '2025-08-01', '2026-03-31', 'FC'],
  [P.FLU_VAXIGRIP, '2025-08-01', '2026-03-31', 'X3V'],
  [P.FLU_VIATRIS, '2025-08-01', '2026-03-31', 'VT'],
  [P.FLU_ADJUVANTED, '2025-08-01', '2026-03-31', 'FA'],
  [P.COMIRNATY_LP81, '2025-09-01', '2026-07-31', 'LP'],
  [P.PNEUMOVAX, '2006-07-01', null, 'PV'],
  [P.SHINGRIX, '2023-07-01', null, 'AZ'],
  [P.ABRYSVO, '2024-07-01', null, 'HY'],
];

export interface Batch {
  id: number;
  number: Uint8Array;
  expiry: Uint8Array;
  expiryDay: number;
}

export interface ProductPlan {
  code: Uint8Array;
  route: [Uint8Array, Uint8Array] | null;
  amount: Uint8Array | null;
  unit: [Uint8Array, Uint8Array] | null;
  firstQuarter: number;
  /** Two batches per quarter from firstQuarter. */
  batches: Batch[];
}

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

function batchNumber(rng: Rng, prefix: string, quarter: number, k: number): string {
  const year = 6 + Math.floor((quarter + 2) / 4); // two-digit year of manufacture, roughly
  return `${prefix}${String(year).padStart(2, '0')}${LETTERS[rng.int(LETTERS.length)]}${String(rng.int(900) + 100)}${k === 0 ? '' : 'B'}`;
}

interface PlannedBatch {
  product: string;
  number: string;
  expiry: number;
  received: number;
}

/** The demo's batches, the same in every load (independent of the seed), so appends reuse them. */
export function planBatches(asOf: number): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  for (const [code, from, to, prefix] of IN_USE) {
    const rng = createRng([...code].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
    const first = Math.floor((requireDay(from) - BATCH_EPOCH) / QUARTER);
    const last = Math.floor((Math.min(to ? requireDay(to) : asOf, asOf) - BATCH_EPOCH) / QUARTER);
    for (let q = first; q <= last; q++) {
      const quarterEnd = BATCH_EPOCH + (q + 1) * QUARTER;
      for (let k = 0; k < 2; k++) {
        // Shelf life left on delivery: six months to two years after the quarter it is used in.
        out.push({
          product: code,
          number: batchNumber(rng, prefix, q, k),
          expiry: quarterEnd + 180 + rng.int(540),
          received: BATCH_EPOCH + q * QUARTER - 7 - rng.int(28),
        });
      }
    }
  }
  return out;
}

export class Catalogue {
  constructor(
    private readonly plans: Map<string, ProductPlan>,
    readonly batchCount: number,
  ) {}

  product(code: string): ProductPlan {
    const p = this.plans.get(code);
    if (!p) throw new Error(`The demo catalogue has no product ${code}.`);
    return p;
  }

  /** A batch in use and in date on `day`, or null (e.g. before the demo's batch records begin). */
  batch(p: ProductPlan, day: number, rng: Rng): Batch | null {
    const q = Math.floor((day - BATCH_EPOCH) / QUARTER) - p.firstQuarter;
    if (q < 0 || p.batches.length === 0) return null;
    const base = Math.min(p.batches.length / 2 - 1, q) * 2;
    const k = rng.int(2);
    const first = p.batches[base + k]!;
    if (first.expiryDay >= day) return first;
    const other = p.batches[base + 1 - k]!;
    return other.expiryDay >= day ? other : null;
  }
}

/**
 * Adds the one product the demo needs that the migrations do not seed (the 5-in-1 vaccine used
 * for infants born before mid-2017), then the batches, and reads both back.
 */
export async function prepareCatalogue(client: DbClient, asOf: number): Promise<Catalogue> {
  await client.query(
    `INSERT INTO ims.vaccine_product (code, code_status, name, short_name, manufacturer, vaccine_type,
       default_route_code, default_route_term, default_dose_amount, dose_unit_code, dose_unit_term, active)
     VALUES ('LOCAL-PEDIACEL', 'LOCAL', 'Pediacel suspension for injection 0.5ml pre-filled syringes (Sanofi Pasteur)',
       'Pediacel', 'Sanofi Pasteur', '5-in-1', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre', false)
     ON CONFLICT (code) DO NOTHING`,
  );
  await client.query(
    `INSERT INTO ims.product_antigen (product_code, antigen_code)
     SELECT 'LOCAL-PEDIACEL', a FROM unnest(ARRAY['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB']) a
     ON CONFLICT DO NOTHING`,
  );
  const planned = planBatches(asOf);
  await client.query(
    `INSERT INTO ims.batch (product_code, batch_number, expiry_date, received_on)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[])
     ON CONFLICT (product_code, batch_number) DO NOTHING`,
    [
      planned.map((b) => b.product),
      planned.map((b) => b.number),
      planned.map((b) => formatDay(b.expiry)),
      planned.map((b) => formatDay(b.received)),
    ],
  );
  const { rows: batchRows } = await client.query<{ id: string; product_code: string; batch_number: string; expiry: string }>(
    `SELECT b.id::text, b.product_code, b.batch_number, b.expiry_date::text AS expiry
       FROM ims.batch b JOIN unnest($1::text[], $2::text[]) AS t(p, n) ON b.product_code = t.p AND b.batch_number = t.n`,
    [planned.map((b) => b.product), planned.map((b) => b.number)],
  );
  const found = new Map(batchRows.map((r) => [`${r.product_code}\t${r.batch_number}`, r]));

  const codes = IN_USE.map((u) => u[0]);
  const { rows: products } = await client.query<{
    code: string;
    route_code: string;
    route_term: string;
    amount: string | null;
    unit_code: string | null;
    unit_term: string | null;
  }>(
    `SELECT code, default_route_code AS route_code, default_route_term AS route_term, default_dose_amount::text AS amount,
            dose_unit_code AS unit_code, dose_unit_term AS unit_term
       FROM ims.vaccine_product WHERE code = ANY ($1::text[])`,
    [codes],
  );
  const plans = new Map<string, ProductPlan>();
  for (const r of products) {
    const use = IN_USE.find((u) => u[0] === r.code)!;
    const batches: Batch[] = [];
    for (const b of planned) {
      if (b.product !== r.code) continue;
      const row = found.get(`${b.product}\t${b.number}`);
      if (!row) throw new Error(`Batch ${b.number} of ${b.product} is missing after insert.`);
      // A batch that already existed keeps its own expiry; batch() never hands it out past that.
      batches.push({ id: Number(row.id), number: field(row.batch_number), expiry: field(row.expiry), expiryDay: requireDay(row.expiry) });
    }
    plans.set(r.code, {
      code: field(r.code),
      route: [field(r.route_code), field(r.route_term)],
      amount: r.amount === null ? null : field(r.amount),
      unit: r.unit_code && r.unit_term ? [field(r.unit_code), field(r.unit_term)] : null,
      firstQuarter: Math.floor((requireDay(use[1]) - BATCH_EPOCH) / QUARTER),
      batches,
    });
  }
  for (const c of codes) if (!plans.has(c)) throw new Error(`Vaccine product ${c} is not in ims.vaccine_product.`);
  return new Catalogue(plans, planned.length);
}
