// Movers in and out, as the signed-in user. A catch-up plan reads the person's history through
// the audited forecast inputs (purpose 'catch-up plan'), works the plan out with the schedule
// engine and the rules in force today, and adds the recorded arrival. The printed plan and the
// transfer summary open the record for print first, as the printed record does, so nothing is
// read about a person the user may not open.
import type { DataSource } from 'typeorm';
import type { Arrival, CatchUpPlanView, MoverHandlers } from '../contract/movers';
import type { PrintableRecord } from '../contract/documents';
import type { ForecastView } from '../contract/forecast';
import type { VaccinationHistory } from '../contract/vaccination';
import { AppError, fieldError, personNotFound } from '../contract/result';
import { PersonRepository } from '../people';
import { loadPersonForecastInput } from '../forecast';
import { PrintableRecordRepository, pdfDocument, renderCatchUpPlanPdf, renderTransferSummaryPdf, toPrintableInput } from '../documents';
import { withRefusals } from '../platform/db/errors';
import { catchUpPlan, type RuleSource } from '../schedule';
import { dayOf } from '../shared/calendar/dates';
import { FLAG_CATEGORY_LABELS } from '../shared/vocabulary/flags';
import { countryName } from '../shared/vocabulary/countries';
import { MoversRepository, type ArrivalPurpose } from './movers.repository';
import { statusRows, toArrival, toPlanView } from './movers.rules';

const DEFAULT_ISSUER = { name: 'Immunisation Management System', code: 'N/A' };

export interface MoverDeps {
  ds: DataSource;
  rules: RuleSource;
  today: () => string;
  history: (personId: number) => Promise<VaccinationHistory>;
  forecast: (personId: number) => Promise<ForecastView>;
}

/** The service behind the channels. */
export class MoversService {
  private readonly movers: MoversRepository;

  constructor(private readonly deps: MoverDeps) {
    this.movers = new MoversRepository(deps.ds);
  }

  private async planFor(
    personId: number,
    input: NonNullable<Awaited<ReturnType<typeof loadPersonForecastInput>>>,
    purpose: ArrivalPurpose,
  ): Promise<CatchUpPlanView> {
    const today = this.deps.today();
    const rules = await this.deps.rules(today);
    // Product names make the plan's explanation read as the record does ("the DTaP/IPV/Hib dose on ...").
    const events = input.events.map((e) => {
      const name = typeof e.id === 'number' ? input.productNames.get(e.id) : undefined;
      return name ? { ...e, productName: name } : e;
    });
    const plan = catchUpPlan(rules, input.person, events, today);
    return toPlanView(personId, plan, toArrival(await this.movers.arrival(personId, purpose)));
  }

  async plan(personId: number, purpose: ArrivalPurpose = 'catch-up plan'): Promise<CatchUpPlanView> {
    const input = await loadPersonForecastInput(this.deps.ds, personId, purpose);
    if (!input) throw personNotFound();
    return this.planFor(personId, input, purpose);
  }

  async setArrival(input: { personId: number; arrivedOn: string; fromCountry: string | null; fromArea: string | null }): Promise<Arrival> {
    const country = input.fromCountry === null ? null : input.fromCountry.toUpperCase();
    if (country !== null && (country === 'GB' || countryName(country) === country))
      throw fieldError(
        'fromCountry',
        country === 'GB' ? 'A move within the UK has no country: give the previous area instead.' : 'Choose a country from the list.',
      );
    const area = input.fromArea === null || input.fromArea.trim() === '' ? null : input.fromArea.trim();
    if (country === null && area === null)
      throw fieldError('fromCountry', 'Say where the child moved from: a country, or the previous area.');
    if (input.arrivedOn > this.deps.today()) throw fieldError('arrivedOn', 'The arrival date cannot be in the future.');
    await withRefusals(this.movers.setArrival(input.personId, input.arrivedOn, country, area), {
      '23514': 'VALIDATION',
      '42501': 'FORBIDDEN',
    });
    const saved = toArrival(await this.movers.arrival(input.personId, 'catch-up plan'));
    if (!saved) throw new AppError('INTERNAL', 'The arrival was saved but could not be read back.');
    return saved;
  }

  private async openForPrint(personId: number) {
    // The audited opening for print comes first; the rest waits for it.
    const record = await new PersonRepository(this.deps.ds).record(personId, 'print');
    if (!record) throw personNotFound();
    const issuer = (await new PrintableRecordRepository(this.deps.ds).issuer()) ?? DEFAULT_ISSUER;
    const p = record.person;
    const head = {
      issuedOn: this.deps.today(),
      issuer,
      person: {
        nhsNumber: p.nhsNumber,
        givenName: p.givenName,
        familyName: p.familyName,
        dateOfBirth: p.dateOfBirth,
        postcode: p.postcode,
        addressLines: record.contact?.addressLines ?? [],
      },
    };
    return { record, head };
  }

  async planPdf(personId: number): Promise<PrintableRecord> {
    const { head } = await this.openForPrint(personId);
    const plan = await this.plan(personId);
    return pdfDocument('catch-up-plan', head.person, head.issuedOn, await renderCatchUpPlanPdf({ ...head, plan }));
  }

  async transferPdf(personId: number): Promise<PrintableRecord> {
    const { record, head } = await this.openForPrint(personId);
    const [history, forecast, plan] = await Promise.all([
      this.deps.history(personId),
      this.deps.forecast(personId),
      this.plan(personId, 'transfer summary'),
    ]);
    const printable = toPrintableInput({ ...head, addressLines: head.person.addressLines, history, dueNext: [] });
    const pdf = await renderTransferSummaryPdf({
      ...printable,
      status: statusRows(forecast.rows),
      plan,
      flags: record.flags.map((f) => ({
        label: f.label,
        category: FLAG_CATEGORY_LABELS[f.category],
        fromDate: f.fromDate,
        toDate: f.toDate,
      })),
      practice: record.person.practiceName ?? record.person.practiceCode,
      rulesVersion: forecast.rulesVersion,
    });
    return pdfDocument('transfer-summary', head.person, head.issuedOn, pdf);
  }
}

export function createMoverHandlers(deps: MoverDeps): MoverHandlers {
  const service = new MoversService(deps);
  return {
    'movers.arrival.set': (input) => {
      if (dayOf(input.arrivedOn) === null) throw fieldError('arrivedOn', 'Use a real date written YYYY-MM-DD.');
      return service.setArrival(input);
    },
    'movers.plan.get': ({ personId }) => service.plan(personId),
    'movers.plan.pdf': ({ personId }) => service.planPdf(personId),
    'movers.transfer.pdf': ({ personId }) => service.transferPdf(personId),
    // Printing needs a screen: the desktop application replaces these (electron/main/print.ts).
    'movers.plan.print': async () => ({ preview: false }),
    'movers.transfer.print': async () => ({ preview: false }),
  };
}
