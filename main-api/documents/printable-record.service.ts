// Assembles the printable vaccination record from what the signed-in user may see, and
// audits the print as an opening of the record.
import type { DataSource } from 'typeorm';
import { personNotFound } from '../contract/result';
import type { PrintableRecord } from '../contract/documents';
import type { VaccinationHistory } from '../contract/vaccination';
import { PersonRepository } from '../people';
import { londonDate, todayInLondon } from '../shared/calendar/england';
import { antigenLabel } from '../shared/vocabulary/antigens';
import { siteLabel } from '../shared/vocabulary/sites';
import type { ForecastView } from '../contract/forecast';
import { dueNextRows } from '../forecast';
import { renderVaccinationRecordPdf, type DueNextItem, type PrintableRecordInput } from './printable-record.pdf';
import { PrintableRecordRepository } from './printable-record.repository';

export type DueNextSource = (personId: number) => Promise<PrintableRecordInput['dueNext']>;

/**
 * What the printed "Due next" lists: the record screen's forecast rows without the later
 * programmes, then the seasonal campaigns the person may have now or later this season, each
 * with its caution in the same words as on the screen.
 */
export function dueNextFrom(view: ForecastView): DueNextItem[] {
  const series: DueNextItem[] = dueNextRows(view.rows).map((r) => ({
    kind: 'SERIES',
    vaccination: r.name,
    alsoCountsFor: r.alsoCountsFor,
    product: r.nextProduct,
    status: r.status,
    dueDate: r.dueDate ?? r.dueFrom,
    note: r.note,
  }));
  const campaigns: DueNextItem[] = view.campaigns
    .filter((c) => c.status === 'DUE' || c.status === 'UPCOMING')
    .map((c) => ({
      kind: 'CAMPAIGN',
      vaccination: c.name,
      alsoCountsFor: [],
      // Which flu vaccine depends on age and stock; an offered alternative is in the note.
      product: null,
      status: c.status,
      dueDate: c.eligibleFrom,
      note: c.note,
    }));
  return [...series, ...campaigns];
}

/**
 * Each version's current, active version. A reaction is recorded against the version of the
 * dose current at the time; a later correction makes a new version, and the reaction still
 * belongs on the record with it. A dose entered in error takes its reactions with it.
 */
function currentVersions(events: VaccinationHistory['events']): Map<number, VaccinationHistory['events'][number]> {
  const byId = new Map(events.map((e) => [e.id, e]));
  const out = new Map<number, VaccinationHistory['events'][number]>();
  for (const start of events) {
    let e: VaccinationHistory['events'][number] | undefined = start;
    // Bounded by the number of versions, so a malformed chain cannot loop.
    for (let hops = 0; e && e.status === 'SUPERSEDED' && hops < events.length; hops++) {
      e = e.supersededById === null ? undefined : byId.get(e.supersededById);
    }
    if (e?.status === 'ACTIVE') out.set(start.id, e);
  }
  return out;
}

/** Maps the register and history onto the document's input; pure, for tests. */
export function toPrintableInput(args: {
  issuedOn: string;
  issuer: { name: string; code: string };
  person: { nhsNumber: string; givenName: string; familyName: string; dateOfBirth: string; postcode: string | null };
  addressLines: string[];
  history: VaccinationHistory;
  dueNext: PrintableRecordInput['dueNext'];
}): PrintableRecordInput {
  const active = args.history.events.filter((e) => e.status === 'ACTIVE');
  const current = currentVersions(args.history.events);
  return {
    issuedOn: args.issuedOn,
    issuer: args.issuer,
    person: { ...args.person, addressLines: args.addressLines },
    given: active
      .filter((e) => e.outcome === 'GIVEN')
      .map((e) => ({
        date: e.occurredOn,
        product: e.product?.name ?? 'Vaccine not recorded',
        antigens: e.antigens.map(antigenLabel),
        doseNumber: e.doseSequence,
        batchNumber: e.batchNumber,
        site: e.site ? siteLabel(e.site) : null,
        performer: e.performer?.name ?? null,
        location: e.location?.code ?? null,
        source: { primarySource: e.primarySource, sourceSystem: e.sourceSystem, reportedBy: e.reportedBy },
      })),
    // The database requires a reason whenever the outcome is NOT_GIVEN, so none is left out here.
    notGiven: active.flatMap((e) =>
      e.outcome === 'NOT_GIVEN' && e.notGivenReason !== null
        ? [{ date: e.occurredOn, product: e.product?.name ?? null, reason: e.notGivenReason, offeredBy: e.performer?.name ?? null }]
        : [],
    ),
    reactions: args.history.reactions.flatMap((r) => {
      const event = current.get(r.eventId);
      if (!event) return [];
      return [
        {
          onset: londonDate(r.onsetAt),
          reaction: r.reactionCode,
          description: r.description,
          seriousness: r.seriousness,
          outcome: r.outcome,
          vaccine: { date: event.occurredOn, product: event.product?.name ?? null },
          yellowCard: r.reportedToMhra ? { reference: r.yellowCardReference } : null,
        },
      ];
    }),
    dueNext: args.dueNext,
  };
}

export async function printableRecord(
  ds: DataSource,
  personId: number,
  history: (personId: number) => Promise<VaccinationHistory>,
  dueNext: DueNextSource,
  today: () => string = todayInLondon,
): Promise<PrintableRecord> {
  // Reading the record for print is the audited opening; the rest waits for it, so nothing is
  // read about a person the user may not open.
  const record = await new PersonRepository(ds).record(personId, 'print');
  if (!record) throw personNotFound();
  const documents = new PrintableRecordRepository(ds);
  const [events, issuer, due] = await Promise.all([history(personId), documents.issuer(), dueNext(personId)]);
  const p = record.person;
  const issuedOn = today();
  const input = toPrintableInput({
    issuedOn,
    issuer: issuer ?? { name: 'Immunisation Management System', code: 'N/A' },
    person: { nhsNumber: p.nhsNumber, givenName: p.givenName, familyName: p.familyName, dateOfBirth: p.dateOfBirth, postcode: p.postcode },
    addressLines: record.contact?.addressLines ?? [],
    history: events,
    dueNext: due,
  });
  const pdf = await renderVaccinationRecordPdf(input);
  return pdfDocument('vaccination-record', p, issuedOn, pdf);
}

/** A person's PDF as the channels return it, named for the person and the day (letters and digits only). */
export function pdfDocument(
  kind: string,
  p: { familyName: string; givenName: string; nhsNumber: string },
  issuedOn: string,
  pdf: Buffer,
): PrintableRecord {
  const safeName = `${p.familyName}-${p.givenName}`
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return {
    fileName: `${kind}-${safeName}-${p.nhsNumber}-${issuedOn}.pdf`,
    contentType: 'application/pdf',
    base64: pdf.toString('base64'),
  };
}
