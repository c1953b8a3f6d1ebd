// The forecast channels: a person's schedule status shaped for the record screen, and the
// warnings the recording form shows before a dose is saved. Runs as the signed-in user.
import type { DataSource } from 'typeorm';
import type { CampaignView, DoseCheck, ForecastHandlers, ForecastView, SeriesView } from '../contract/forecast';
import { AppError, fieldError, personNotFound } from '../contract/result';
import { PersonRepository } from '../people';
import type { Queryable } from '../platform/db/database';
import { checkProposedDose, forecast, type CompiledRules, type Forecast, type RuleSource } from '../schedule';
import { todayInLondon } from '../shared/calendar/england';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import {
  loadPersonForecastInput,
  loadProductAntigens,
  personByNhsNumber,
  type PersonForecastInput,
  type PersonHeading,
} from './forecast.repository';
import { rulesVersion } from '../schedule';
import { parseDay } from '../shared/calendar/dates';
import { cautionNote, forecastRows, withoutRuleCodes } from './forecast-rows.rules';

function checkDate(value: string, field: string): void {
  if (Number.isNaN(parseDay(value))) throw fieldError(field, `${field}: ${value} is not a real calendar date.`);
}

const eventId = (id: string | number | null): number | null => (id === null ? null : Number(id));

/** The engine's forecast in the contract's shape, with product names on the doses and the rows to show. */
export function toForecastView(input: PersonForecastInput, f: Forecast, rules: CompiledRules): ForecastView {
  const product = (id: string | number | null): string | null => (id === null ? null : (input.productNames.get(Number(id)) ?? null));
  const series: SeriesView[] = f.series.map((s) => ({
    seriesId: s.seriesId,
    name: s.seriesName,
    kind: s.kind,
    vaccineGroup: s.vaccineGroup,
    rules: `${s.scheduleId} v${s.scheduleVersion}`,
    status: s.status,
    nextDose: s.nextDose,
    nextProduct: s.nextProduct,
    dueFrom: s.dueFrom,
    dueDate: s.dueDate,
    overdueFrom: s.overdueFrom,
    latestDate: s.latestDate,
    offer: s.offer,
    caution: s.caution,
    explanation: s.explanation,
    dosesCounted: s.dosesCounted.map((d) => ({
      eventId: eventId(d.eventId),
      date: d.date,
      doseNumber: d.doseNumber,
      product: product(d.eventId),
    })),
    dosesIgnored: s.dosesIgnored.map((d) => ({ eventId: eventId(d.eventId), date: d.date, reason: d.reason, product: product(d.eventId) })),
  }));
  const campaigns: CampaignView[] = f.campaigns.map((c) => ({
    campaignId: c.campaignId,
    name: c.name,
    version: c.campaignVersion,
    eligible: c.eligible,
    eligibleFrom: c.eligibleFrom,
    status: c.status,
    reasons: c.reasons,
    explanation: c.explanation,
    plain: { reasons: c.reasons.map(withoutRuleCodes), explanation: c.explanation.map(withoutRuleCodes) },
    givenOn: c.givenOn,
    offer: c.offer,
    caution: c.caution,
    // A campaign's caution is about the product, so it applies whatever the status.
    note: cautionNote({ status: null, offer: c.offer, caution: c.caution }),
  }));
  return {
    personId: input.personId,
    asOf: f.asOf,
    dateOfBirth: f.dateOfBirth,
    rulesVersion: rulesVersion(rules),
    series,
    rows: forecastRows(series, f.asOf),
    campaigns,
  };
}

export class ForecastService {
  /** rules: a fixed set, or the source of the set in force today (imported files included). */
  constructor(
    private readonly db: Queryable,
    private readonly rules: CompiledRules | RuleSource,
    private readonly today: () => string = () => todayInLondon(),
  ) {}

  private async rulesToday(): Promise<CompiledRules> {
    return typeof this.rules === 'function' ? this.rules(this.today()) : this.rules;
  }

  async get(personId: number, on: string | undefined): Promise<ForecastView> {
    const asOf = on ?? this.today();
    checkDate(asOf, 'on');
    const input = await loadPersonForecastInput(this.db, personId, 'forecast');
    if (!input) throw personNotFound();
    if (asOf < input.person.dateOfBirth) {
      throw fieldError('on', 'on: the date is before the person was born.');
    }
    const rules = await this.rulesToday();
    return toForecastView(input, forecast(rules, input.person, input.events, asOf), rules);
  }

  async check(personId: number, date: string, productCode: string): Promise<DoseCheck> {
    checkDate(date, 'date');
    // The product first: a check refused for its product reads (and audits) nobody's record.
    const product = await loadProductAntigens(this.db, productCode);
    if (!product) throw fieldError('productCode', `No vaccine product has the code ${productCode}.`);
    const input = await loadPersonForecastInput(this.db, personId, 'dose check');
    if (!input) throw personNotFound();
    if (date < input.person.dateOfBirth) {
      throw fieldError('date', 'date: a dose cannot be given before the person was born.');
    }
    const rules = await this.rulesToday();
    const warnings = checkProposedDose(rules, input.person, input.events, { date, antigens: product.antigens });
    return {
      productCode: product.code,
      productName: product.name,
      antigens: product.antigens,
      warnings,
      rulesVersion: rulesVersion(rules),
    };
  }
}

/**
 * One person's forecast found by NHS number, for the command line. Showing it opens the
 * person's record, so the opening is audited first, as the record screen's is; a role the
 * audit does not let open the record sees nothing.
 */
export async function openForecastByNhsNumber(
  db: DataSource,
  rules: CompiledRules | RuleSource,
  nhsNumber: string,
  on: string,
): Promise<{ person: PersonHeading; view: ForecastView }> {
  const person = await personByNhsNumber(db, nhsNumber);
  if (!person) throw new AppError('NOT_FOUND', `No person with NHS number ${formatNhsNumber(nhsNumber)} is on the register.`);
  if (!(await new PersonRepository(db).recordOpening(person.id, 'view'))) {
    throw new AppError(
      'FORBIDDEN',
      `Opening the record of NHS number ${formatNhsNumber(nhsNumber)} is audited, and this database role may not open it. ` +
        'Run the command as a member of ims_administrator or as a superuser.',
    );
  }
  const view = await new ForecastService(db, rules, () => on).get(person.id, on);
  return { person, view };
}

/** The handlers for the forecast channels, bound to a signed-in user's connection. */
export function createForecastHandlers(ds: DataSource, rules: CompiledRules | RuleSource, today?: () => string): ForecastHandlers {
  const service = new ForecastService(ds, rules, today);
  return {
    'forecast.get': (i) => service.get(i.personId, i.on),
    'vaccination.check': (i) => service.check(i.personId, i.date, i.productCode),
  };
}
