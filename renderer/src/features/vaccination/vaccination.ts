// Pure helpers behind the vaccination screens: ordering the forecast and the history,
// typed dates, and turning the recording form into a request. The words for codes come from
// main-api/shared/vocabulary, as on the printed record. No DOM and no calls here, so each
// rule can be tested on its own.
import type { CampaignView, SeriesView } from '../../../../main-api/contract/forecast';
import type {
  AdverseReaction,
  Batch,
  Coding,
  Product,
  Programme,
  RecordVaccinationInput,
  VaccinationEvent,
} from '../../../../main-api/contract/vaccination';
import {
  isRouteCode,
  isSiteCode,
  routeCoding,
  siteCoding,
  USUAL_SITE_FOR_ROUTE,
  type SiteCode,
} from '../../../../main-api/shared/vocabulary/sites';
import {
  implausibleExpiry,
  type LegalBasis,
  type NotGivenReason,
  type Outcome,
  type ReportSource,
} from '../../../../main-api/shared/vocabulary/vaccination';
import { formatShortDate, parseEnteredDate } from '../../../../main-api/shared/calendar/dates';

// ---------------------------------------------------------------------------------------
// Forecast

/** Campaigns the person is (or will be) eligible for come first. */
export function sortCampaigns(campaigns: readonly CampaignView[]): CampaignView[] {
  const rank: Record<CampaignView['status'], number> = { DUE: 0, UPCOMING: 1, GIVEN: 2, DECLINED: 3, NOT_ELIGIBLE: 4 };
  return [...campaigns].sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name));
}

/**
 * The dose number to prefill for a product: the next dose of a due, overdue or upcoming
 * series the product belongs to (matched on the kind of vaccine the series asks for).
 */
export function suggestedDose(series: readonly SeriesView[], product: Pick<Product, 'vaccineType' | 'shortName'> | null): number | null {
  if (!product) return null;
  // The engine names the product either by kind ('MMRV') or by name ('Shingrix').
  const names = [product.vaccineType.toLowerCase(), product.shortName.toLowerCase()];
  const open = series.filter((s) => s.status === 'OVERDUE' || s.status === 'DUE' || s.status === 'UPCOMING');
  const match = open.find((s) => s.nextDose !== null && s.nextProduct !== null && names.includes(s.nextProduct.toLowerCase()));
  return match?.nextDose ?? null;
}

// ---------------------------------------------------------------------------------------
// History

export const isSerious = (r: Pick<AdverseReaction, 'seriousness'>): boolean => r.seriousness !== 'NOT_SERIOUS';

export interface TimelineEntry {
  /** The current version: active, or entered in error. */
  event: VaccinationEvent;
  /** Earlier versions this one replaced, newest first. */
  earlier: VaccinationEvent[];
  /** Reactions recorded against this event or any of its earlier versions. */
  reactions: AdverseReaction[];
}

/**
 * One row per vaccination, newest first by the date it happened (then by when it was
 * recorded). Corrected versions sit under the version that replaced them.
 */
export function buildTimeline(events: readonly VaccinationEvent[], reactions: readonly AdverseReaction[]): TimelineEntry[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const headOf = (e: VaccinationEvent): VaccinationEvent => {
    let cur = e;
    const seen = new Set<number>();
    while (cur.supersededById !== null && !seen.has(cur.id)) {
      seen.add(cur.id);
      const next = byId.get(cur.supersededById);
      if (!next) break;
      cur = next;
    }
    return cur;
  };
  const entries = new Map<number, TimelineEntry>();
  for (const e of events) {
    const head = headOf(e);
    let entry = entries.get(head.id);
    if (!entry) {
      entry = { event: head, earlier: [], reactions: [] };
      entries.set(head.id, entry);
    }
    if (e.id !== head.id) entry.earlier.push(e);
  }
  for (const r of reactions) {
    const e = byId.get(r.eventId);
    if (!e) continue;
    entries.get(headOf(e).id)?.reactions.push(r);
  }
  const list = [...entries.values()];
  for (const entry of list) {
    entry.earlier.sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : b.id - a.id));
    entry.reactions.sort((a, b) => (a.onsetAt < b.onsetAt ? 1 : a.onsetAt > b.onsetAt ? -1 : 0));
  }
  return list.sort((a, b) => {
    const x = a.event;
    const y = b.event;
    if (x.occurredOn !== y.occurredOn) return x.occurredOn < y.occurredOn ? 1 : -1;
    if (x.recordedAt !== y.recordedAt) return x.recordedAt < y.recordedAt ? 1 : -1;
    return y.id - x.id;
  });
}

/** A dose's amount as the history shows it ("0.5 ml"); null when none is recorded. */
export function doseAmountText(e: Pick<VaccinationEvent, 'doseAmount' | 'doseUnit'>): string | null {
  if (e.doseAmount === null) return null;
  const term = e.doseUnit?.term.toLowerCase() ?? '';
  return `${e.doseAmount} ${term === 'millilitre' ? 'ml' : term}`.trim();
}

/** Who gave or offered a dose, with their role when known; null when nobody is named. */
export function performerText(e: Pick<VaccinationEvent, 'performer'>): string | null {
  if (!e.performer) return null;
  return e.performer.role ? `${e.performer.name} (${e.performer.role})` : e.performer.name;
}

/** A product as the form's list, the history and the correction summary name it: its short name, then its vaccine type in brackets. */
export function productLabel(p: { shortName: string; vaccineType: string }): string {
  return `${p.shortName} (${p.vaccineType})`;
}

export function eventTitle(e: VaccinationEvent): string {
  const what = e.product ? productLabel(e.product) : e.programmeName;
  const dose = e.doseSequence !== null ? `, dose ${e.doseSequence}` : '';
  return `${what}${dose}`;
}

// ---------------------------------------------------------------------------------------
// The recording form

export interface VaccinationForm {
  date: string; // as typed, dd/mm/yyyy
  outcome: Outcome;
  notGivenReason: NotGivenReason | null;
  productCode: string | null;
  /** An existing batch picked from the list. */
  batchId: number | null;
  /** The number as typed when it is not an existing batch. */
  batchNumber: string;
  batchExpiry: string; // as typed, dd/mm/yyyy
  doseSequence: number | null;
  siteCode: string | null;
  routeCode: string | null;
  doseAmount: number | null;
  programmeCode: string | null;
  legalBasis: LegalBasis | null;
  performerName: string;
  performerRole: string;
  locationCode: string;
  primarySource: boolean;
  /** Who reported a dose given elsewhere, and which one (a practice's name, say). */
  reportedBy: ReportSource | null;
  reportedByName: string;
  notes: string;
}

export function emptyForm(today: string, performerName: string): VaccinationForm {
  return {
    date: formatShortDate(today),
    outcome: 'GIVEN',
    notGivenReason: null,
    productCode: null,
    batchId: null,
    batchNumber: '',
    batchExpiry: '',
    doseSequence: null,
    siteCode: null,
    routeCode: null,
    doseAmount: null,
    programmeCode: null,
    legalBasis: null,
    performerName,
    performerRole: '',
    locationCode: '',
    primarySource: true,
    reportedBy: null,
    reportedByName: '',
    notes: '',
  };
}

/**
 * The fields the form shows for what has been chosen so far: a dose not given has a reason and
 * no batch; a dose given elsewhere has a reporter and no legal basis; only a new batch asks for
 * its expiry. A message about a field the form no longer shows is stale, and goes with it.
 */
export function fieldsShown(f: VaccinationForm, newBatch: boolean): Partial<VaccinationForm> {
  const { notGivenReason, batchId, batchNumber, batchExpiry, doseSequence, siteCode, routeCode, doseAmount, legalBasis, ...always } = f;
  const { reportedBy, reportedByName, primarySource, ...shown } = always;
  if (f.outcome !== 'GIVEN') return { ...shown, notGivenReason };
  return {
    ...shown,
    primarySource,
    batchId,
    batchNumber,
    doseSequence,
    siteCode,
    routeCode,
    doseAmount,
    ...(newBatch ? { batchExpiry } : {}),
    ...(primarySource ? { legalBasis } : { reportedBy, reportedByName }),
  };
}

/**
 * The form after "given here" or "reported from elsewhere" is chosen. The signed-in user
 * filled in as vaccinator did not give a dose reported from elsewhere, so their name goes (and
 * comes back if the choice is undone); a name typed by hand stays.
 */
export function withPrimarySource(f: VaccinationForm, primarySource: boolean, signedInName: string): VaccinationForm {
  if (f.primarySource === primarySource) return f;
  const name = f.performerName.trim();
  const performerName = !primarySource && name === signedInName ? '' : primarySource && name === '' ? signedInName : f.performerName;
  return { ...f, primarySource, performerName };
}

/** Products a typed filter finds: by what staff call it, its full name or the kind of vaccine. */
export function productMatches(p: Pick<Product, 'name' | 'shortName' | 'vaccineType'>, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [p.shortName, p.vaccineType, p.name].some((s) => s.toLowerCase().includes(q));
}

/**
 * How well a product fits what was typed, lower is better, null for no match. The kind of
 * vaccine typed exactly wins: "mmrv" must offer MMRV products before MMRvaxPRO (an MMR).
 */
function productRank(p: Pick<Product, 'name' | 'shortName' | 'vaccineType'>, query: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const type = p.vaccineType.toLowerCase();
  const short = p.shortName.toLowerCase();
  if (type === q) return 0;
  if (short.startsWith(q)) return 1;
  if (type.startsWith(q)) return 2;
  return productMatches(p, q) ? 3 : null;
}

/** Products in the order to offer them for a typed filter; stable within a rank. */
export function rankProducts<P extends Pick<Product, 'name' | 'shortName' | 'vaccineType'>>(products: readonly P[], query: string): P[] {
  return products
    .map((p, i) => ({ p, i, r: productRank(p, query) }))
    .filter((x): x is { p: P; i: number; r: number } => x.r !== null)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.p);
}

/** The programme a product usually belongs to, today, among those active. */
export function defaultProgramme(
  product: Pick<Product, 'vaccineType'> | null,
  programmes: readonly Programme[],
  today: string,
): string | null {
  if (!product) return null;
  const t = product.vaccineType.toLowerCase();
  const live = programmes.filter(
    (p) => p.active && (p.startDate === null || p.startDate <= today) && (p.endDate === null || today <= p.endDate),
  );
  const ofKind = (kind: Programme['kind']) => live.find((p) => p.kind === kind)?.code ?? null;
  if (t.startsWith('flu')) return ofKind('SEASONAL_FLU');
  if (t.startsWith('covid')) return ofKind('COVID19');
  if (/^(hpv|menacwy|td\/ipv)/.test(t)) return ofKind('SCHOOL_AGED');
  if (/^(ppv23|shingles|rsv)/.test(t)) return ofKind('ADULT');
  return ofKind('ROUTINE_CHILDHOOD');
}

/** The usual site for a product's route: mouth for oral, nose for nasal, else none. */
function defaultSite(product: Pick<Product, 'defaultRoute'> | null): SiteCode | null {
  if (!product) return null;
  const route = product.defaultRoute.code;
  return isRouteCode(route) ? (USUAL_SITE_FOR_ROUTE[route] ?? null) : null;
}

/** The fields that follow from picking a product. */
export function productDefaults(
  product: Product,
  series: readonly SeriesView[],
  programmes: readonly Programme[],
  today: string,
): Pick<VaccinationForm, 'routeCode' | 'doseAmount' | 'doseSequence' | 'programmeCode' | 'siteCode'> {
  return {
    routeCode: product.defaultRoute.code,
    doseAmount: product.defaultDoseAmount,
    doseSequence: suggestedDose(series, product),
    programmeCode: defaultProgramme(product, programmes, today),
    siteCode: defaultSite(product),
  };
}

/** Whether a typed batch number names an existing batch of the product. */
export function findBatch(batches: readonly Batch[], typed: string): Batch | null {
  const n = typed.trim().toUpperCase();
  return n ? (batches.find((b) => b.batchNumber === n) ?? null) : null;
}

/** A batch offered under the batch field while typing. */
export interface BatchSuggestion {
  /** What a pick puts in the field: the batch number and nothing else. */
  label: string;
  /** The batch's id, as text (the list component's values are strings). */
  value: string;
  /** What the list shows beside the number. */
  detail: string;
}

/** The product's batches whose number contains what is typed, for the suggestion list. */
export function batchSuggestions(batches: readonly Batch[], typed: string): BatchSuggestion[] {
  const t = typed.trim().toUpperCase();
  return batches
    .filter((b) => !t || b.batchNumber.includes(t))
    .map((b) => ({
      label: b.batchNumber,
      value: String(b.id),
      detail: `expires ${formatShortDate(b.expiryDate)}${b.expired ? ' (expired)' : ''}`,
    }));
}

/** The form after a batch is picked from the list: that batch, by id, with its own number. */
export function pickBatch(f: VaccinationForm, batches: readonly Batch[], value: string): VaccinationForm {
  const batch = batches.find((b) => String(b.id) === value);
  if (!batch) return f;
  return { ...f, batchId: batch.id, batchNumber: batch.batchNumber, batchExpiry: '' };
}

/** The batch the form names: the one picked while its number is unchanged, else the one typed. */
export function formBatch(f: Pick<VaccinationForm, 'batchId' | 'batchNumber'>, batches: readonly Batch[]): Batch | null {
  const picked = f.batchId !== null ? (batches.find((b) => b.id === f.batchId) ?? null) : null;
  if (picked && picked.batchNumber === f.batchNumber.trim().toUpperCase()) return picked;
  return findBatch(batches, f.batchNumber);
}

export type FormProblem = { field: keyof VaccinationForm; message: string };

export interface BuildContext {
  personId: number;
  products: readonly Product[];
  batches: readonly Batch[];
  /** England's date, from the session: how a two-digit year is read. */
  today: string;
}

/**
 * Checks what the form can check by itself and builds the request. The server checks
 * everything again; this only spares a round trip for the obvious gaps.
 */
export function buildRecordInput(
  f: VaccinationForm,
  ctx: BuildContext,
): { ok: true; input: RecordVaccinationInput } | { ok: false; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const date = parseEnteredDate(f.date, ctx.today);
  if (!date) problems.push({ field: 'date', message: 'Enter the date as dd/mm/yyyy, for example 05/03/2025.' });
  if (!f.programmeCode) problems.push({ field: 'programmeCode', message: 'Choose the programme.' });
  const given = f.outcome === 'GIVEN';
  const product = ctx.products.find((p) => p.code === f.productCode) ?? null;
  if (given && !product) problems.push({ field: 'productCode', message: 'Choose the vaccine product given.' });
  if (!given && !f.notGivenReason) problems.push({ field: 'notGivenReason', message: 'Say why the vaccination was not given.' });
  // A dose not given was offered by this service; only a dose given elsewhere is reported.
  const primarySource = given ? f.primarySource : true;
  if (!primarySource && !f.reportedBy) {
    problems.push({ field: 'reportedBy', message: 'Say who reported this vaccination.' });
  }

  let batch: RecordVaccinationInput['batch'] = null;
  if (given && product) {
    const existing = formBatch(f, ctx.batches);
    if (existing) {
      batch = { id: existing.id, batchNumber: existing.batchNumber };
    } else if (f.batchNumber.trim()) {
      const expiry = f.batchExpiry.trim() ? parseEnteredDate(f.batchExpiry, ctx.today, 'nearest') : null;
      if (f.batchExpiry.trim() && !expiry) {
        problems.push({ field: 'batchExpiry', message: 'Enter the expiry date as dd/mm/yyyy.' });
      } else if (!expiry && primarySource) {
        problems.push({ field: 'batchExpiry', message: 'This is a new batch: enter its expiry date from the pack.' });
      } else if (expiry && date) {
        const implausible = implausibleExpiry(f.batchNumber.trim().toUpperCase(), expiry, date, 'vaccination date');
        if (implausible) problems.push({ field: 'batchExpiry', message: implausible });
      }
      batch = { batchNumber: f.batchNumber.trim().toUpperCase(), ...(expiry ? { expiryDate: expiry } : {}) };
    } else if (primarySource) {
      problems.push({ field: 'batchNumber', message: 'Enter the batch number from the vial.' });
    }
  }
  if (problems.length > 0 || !date || !f.programmeCode) return { ok: false, problems };

  const site: Coding | null = given && isSiteCode(f.siteCode) ? siteCoding(f.siteCode) : null;
  // A product's own route may lie outside the pick list; it is then kept as the product gives it.
  const route: Coding | null = !given
    ? null
    : isRouteCode(f.routeCode)
      ? routeCoding(f.routeCode)
      : product && f.routeCode === product.defaultRoute.code
        ? product.defaultRoute
        : null;
  const input: RecordVaccinationInput = {
    personId: ctx.personId,
    programmeCode: f.programmeCode,
    outcome: f.outcome,
    notGivenReason: given ? null : f.notGivenReason,
    occurredAt: null,
    occurredOn: date,
    doseSequence: f.doseSequence,
    productCode: product?.code ?? null,
    batch,
    site,
    route,
    doseAmount: given ? f.doseAmount : null,
    doseUnit: given && f.doseAmount !== null && product ? product.doseUnit : null,
    performer: f.performerName.trim() ? { name: f.performerName.trim(), role: f.performerRole.trim() || null } : null,
    location: f.locationCode.trim() ? { code: f.locationCode.trim().toUpperCase(), type: 'ODS' } : null,
    organisationCode: null,
    legalBasis: given && primarySource ? f.legalBasis : null,
    primarySource,
    reportedBy: !primarySource && f.reportedBy ? { kind: f.reportedBy, name: f.reportedByName.trim() || null } : null,
    notes: f.notes.trim() || null,
    // The form's save is made once by its idempotency key (useFormSave); the record's source
    // identity is this system's own, given by the database.
    source: null,
  };
  return { ok: true, input };
}

/** 'dGVzdA==' -> bytes; the printable record arrives base64-encoded. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
}

/** Only the fields a correction actually changes; the server refuses an empty correction. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = after[key];
  }
  return out;
}
