// Vaccination use cases: products and batches, recording a dose given or not given,
// corrections that keep history, entered-in-error, history and adverse reactions.
// Clinical schedule advice is not decided here; the recording form gets it separately.
import type { DataSource } from 'typeorm';
import { AppError, conflictWith, fieldError, personNotFound } from '../contract/result';
import type {
  AdverseReaction,
  Batch,
  Coding,
  Product,
  Programme,
  RecordVaccinationInput,
  VaccinationChanges,
  VaccinationEvent,
  VaccinationHandlers,
  VaccinationHistory,
} from '../contract/vaccination';
import { VaccinationRepository, type EventInsert, type ReactionInsert } from './vaccination.repository';
import { formatLongDate } from '../shared/calendar/dates';
import { londonDate, todayInLondon } from '../shared/calendar/england';
import { violatesConstraint } from '../platform/db/errors';
import type { Saved } from '../platform/db/save-once';
import { BATCH_SHELF_LIFE_YEARS } from '../shared/vocabulary/vaccination';
import {
  checkDateAllowed,
  checkExpiryPlausible,
  checkNotExpired,
  checkOnsetNotFuture,
  checkOutcome,
  checkReaction,
  checkReporter,
  resolveOccurrence,
} from './vaccination.rules';

/** Runs work in one database transaction with a repository bound to it. */
type UnitOfWork = <T>(work: (repo: VaccinationRepository) => Promise<T>) => Promise<T>;

type Draft = Omit<RecordVaccinationInput, 'personId' | 'source' | 'idempotencyKey'>;
type BatchRef = NonNullable<Draft['batch']>;

const SOURCE_KEY = 'vaccination_event_source_key';
const ONSET_NOT_FUTURE = 'adverse_reaction_onset_not_future';
const EXPIRY_PLAUSIBLE = ['vaccination_event_expiry_plausible', 'batch_expiry_plausible'];
/** The database's refusal of an implausible expiry (0026), should it come before the service's own check. */
const IMPLAUSIBLE_EXPIRY = `The batch's expiry date is more than ${BATCH_SHELF_LIFE_YEARS} years ahead. Check the expiry date on the vial.`;

class VaccinationService {
  constructor(
    private readonly read: VaccinationRepository,
    private readonly inTransaction: UnitOfWork,
    private readonly today: () => string = () => todayInLondon(),
  ) {}

  listProgrammes(includeInactive: boolean): Promise<Programme[]> {
    return this.read.programmes(includeInactive);
  }

  listProducts(includeInactive: boolean): Promise<Product[]> {
    return this.read.products(includeInactive);
  }

  async listBatches(productCode: string, onDate: string | undefined): Promise<Batch[]> {
    if (!(await this.read.product(productCode))) throw new AppError('NOT_FOUND', `No vaccine product has the code ${productCode}.`);
    return this.read.batches(productCode, onDate ?? this.today());
  }

  async addBatch({
    idempotencyKey,
    ...input
  }: {
    productCode: string;
    batchNumber: string;
    expiryDate: string;
    organisationCode: string | null;
    receivedOn: string | null;
    idempotencyKey?: string | undefined;
  }): Promise<Batch> {
    const today = this.today();
    if (input.expiryDate < today) {
      throw fieldError(
        'expiryDate',
        `Batch ${input.batchNumber} expired on ${formatLongDate(input.expiryDate)}; expired stock cannot be added.`,
      );
    }
    checkExpiryPlausible('expiryDate', input.batchNumber, input.expiryDate, today, 'day it is added');
    return this.inTransaction((repo) =>
      repo.saveOnce(
        idempotencyKey,
        { channel: 'batch.add', input },
        () => this.insertBatch(repo, input, today),
        async (id) => {
          const batch = await repo.batchById(id, today);
          if (!batch) throw new AppError('NOT_FOUND', `Batch ${id} does not exist.`);
          return batch;
        },
      ),
    );
  }

  private async insertBatch(
    repo: VaccinationRepository,
    input: { productCode: string; batchNumber: string; expiryDate: string; organisationCode: string | null; receivedOn: string | null },
    today: string,
  ): Promise<Saved<Batch>> {
    if (!(await repo.product(input.productCode))) {
      throw fieldError('productCode', `No vaccine product has the code ${input.productCode}.`);
    }
    const { batch, created } = await repo.insertBatch(input, today).catch((error: unknown) => {
      if (EXPIRY_PLAUSIBLE.some((c) => violatesConstraint(error, c))) throw fieldError('expiryDate', IMPLAUSIBLE_EXPIRY);
      throw error;
    });
    if (!created) {
      throw conflictWith(
        `Batch ${batch.batchNumber} is already recorded for this product, expiring ${formatLongDate(batch.expiryDate)}.`,
        batch.id,
      );
    }
    return { id: batch.id, answer: batch };
  }

  async record({ idempotencyKey, ...input }: RecordVaccinationInput): Promise<VaccinationEvent> {
    return this.inTransaction((repo) =>
      repo.saveOnce(
        idempotencyKey,
        { channel: 'vaccination.record', input },
        () => this.recordIn(repo, input),
        (id) => this.eventOrNotFound(repo, id, 'record vaccination'),
      ),
    );
  }

  private async recordIn(
    repo: VaccinationRepository,
    input: Omit<RecordVaccinationInput, 'idempotencyKey'>,
  ): Promise<Saved<VaccinationEvent>> {
    if (input.source) {
      const existing = await repo.eventIdBySource(input.personId, input.source.system, input.source.id);
      if (existing !== null) throw duplicateSource(input.source.system, input.source.id, existing);
    }
    checkReporter(input.primarySource, input.reportedBy, true);
    const row = await this.prepare(repo, input.personId, input, {
      sourceSystem: input.source?.system ?? null,
      sourceId: input.source?.id ?? null,
      supersedesId: null,
      changeReason: null,
    });
    const id = await insertOrExplain(repo, row);
    return { id, answer: (await repo.event(id, 'record vaccination')) as VaccinationEvent };
  }

  /** A repeated save's answer: the record the first one made, if the user may still see it. */
  private async eventOrNotFound(repo: VaccinationRepository, id: number, purpose: string): Promise<VaccinationEvent> {
    const event = await repo.event(id, purpose);
    if (!event) throw notFound(id);
    return event;
  }

  async correct(eventId: number, changes: VaccinationChanges, reason: string, key?: string): Promise<VaccinationEvent> {
    return this.inTransaction((repo) =>
      repo.saveOnce(
        key,
        { channel: 'vaccination.correct', input: { eventId, changes, reason } },
        () => this.correctIn(repo, eventId, changes, reason),
        (id) => this.eventOrNotFound(repo, id, 'correct vaccination'),
      ),
    );
  }

  private async correctIn(
    repo: VaccinationRepository,
    eventId: number,
    changes: VaccinationChanges,
    reason: string,
  ): Promise<Saved<VaccinationEvent>> {
    const old = await repo.event(eventId, 'correct vaccination', true);
    if (!old) throw notFound(eventId);
    if (old.status !== 'ACTIVE') throw notActive(old);
    const draft = mergeCorrection(old, changes);
    // A record from before reporters were kept may be corrected without naming one.
    checkReporter(draft.primarySource, draft.reportedBy, !draft.primarySource && (old.primarySource || old.reportedBy !== null));
    if (sameClinicalContent(old, draft)) {
      throw fieldError('changes', 'The correction does not change anything.');
    }
    const row = await this.prepare(repo, old.personId, draft, {
      sourceSystem: old.sourceSystem,
      sourceId: old.sourceId,
      supersedesId: old.id,
      changeReason: reason,
    });
    const id = await insertOrExplain(repo, row);
    return { id, answer: (await repo.event(id, 'correct vaccination')) as VaccinationEvent };
  }

  async markEnteredInError(eventId: number, reason: string, key?: string): Promise<VaccinationEvent> {
    return this.inTransaction((repo) =>
      repo.saveOnce(
        key,
        { channel: 'vaccination.markEnteredInError', input: { eventId, reason } },
        async () => {
          const old = await repo.event(eventId, 'mark entered in error', true);
          if (!old) throw notFound(eventId);
          if (old.status !== 'ACTIVE') throw notActive(old);
          await repo.markEnteredInError(eventId, reason);
          return { id: eventId, answer: (await repo.event(eventId, 'mark entered in error')) as VaccinationEvent };
        },
        (id) => this.eventOrNotFound(repo, id, 'mark entered in error'),
      ),
    );
  }

  async history(personId: number): Promise<VaccinationHistory> {
    // One transaction, so the two audited reads leave one record-view row.
    return this.inTransaction(async (repo) => {
      if (!(await repo.personDates(personId))) {
        throw personNotFound();
      }
      const events = await repo.eventsForPerson(personId, 'vaccination history');
      const reactions = await repo.reactionsForPerson(personId, 'vaccination history');
      return { events, reactions };
    });
  }

  async recordReaction({
    idempotencyKey,
    ...input
  }: Omit<ReactionInsert, 'personId'> & { idempotencyKey?: string | undefined }): Promise<AdverseReaction> {
    checkReaction(input);
    checkOnsetNotFuture(input.onsetAt, this.today());
    return this.inTransaction((repo) =>
      repo.saveOnce(
        idempotencyKey,
        { channel: 'reaction.record', input },
        () => this.recordReactionIn(repo, input),
        async (id) => {
          const reaction = await repo.reaction(id, 'record reaction');
          if (!reaction) throw new AppError('NOT_FOUND', `No adverse reaction ${id} is available to you.`);
          return reaction;
        },
      ),
    );
  }

  private async recordReactionIn(repo: VaccinationRepository, input: Omit<ReactionInsert, 'personId'>): Promise<Saved<AdverseReaction>> {
    const event = await repo.event(input.eventId, 'record reaction');
    if (!event) throw notFound(input.eventId);
    if (event.status === 'SUPERSEDED') {
      throw conflictWith(
        `This vaccination has been corrected; record the reaction against the current version (${event.supersededById}).`,
        event.supersededById,
      );
    }
    if (event.status === 'ENTERED_IN_ERROR') {
      throw new AppError('VALIDATION', 'This vaccination was entered in error; a reaction cannot be recorded against it.');
    }
    if (event.outcome !== 'GIVEN') {
      throw new AppError('VALIDATION', 'A reaction can only be recorded against a vaccination that was given.');
    }
    const earliest = event.occurredAt ?? null;
    if (earliest !== null ? Date.parse(input.onsetAt) < Date.parse(earliest) : londonDate(input.onsetAt) < event.occurredOn) {
      throw fieldError('onsetAt', 'The reaction cannot have started before the vaccination was given.');
    }
    try {
      const reaction = await repo.insertReaction({ ...input, personId: event.personId });
      return { id: reaction.id, answer: reaction };
    } catch (error) {
      // Later today by the database's clock: the same refusal as a later day.
      if (violatesConstraint(error, ONSET_NOT_FUTURE)) throw fieldError('onsetAt', 'The reaction cannot have started in the future.');
      throw error;
    }
  }

  /** Validates a draft against the person, product and batch, and builds the row to insert. */
  private async prepare(
    repo: VaccinationRepository,
    personId: number,
    d: Draft,
    meta: Pick<EventInsert, 'sourceSystem' | 'sourceId' | 'supersedesId' | 'changeReason'>,
  ): Promise<EventInsert> {
    const person = await repo.personDates(personId);
    if (!person) throw personNotFound();
    const when = resolveOccurrence(d.occurredAt, d.occurredOn);
    checkDateAllowed(when.occurredOn, this.today(), person);
    checkOutcome({
      outcome: d.outcome,
      notGivenReason: d.notGivenReason,
      productCode: d.productCode,
      hasBatch: d.batch !== null,
      primarySource: d.primarySource,
    });
    if (!(await repo.programmeExists(d.programmeCode))) {
      throw fieldError('programmeCode', `Unknown programme ${d.programmeCode}.`);
    }
    let product: Product | null = null;
    if (d.productCode !== null) {
      product = await repo.product(d.productCode);
      if (!product) throw fieldError('productCode', `No vaccine product has the code ${d.productCode}.`);
    }
    const given = d.outcome === 'GIVEN';
    const batch = given && d.batch && product ? await this.resolveBatch(repo, product, d.batch, when.occurredOn, d) : null;

    // Route and dose default to the product's when a dose was given.
    const route: Coding | null = d.route ?? (given && product ? product.defaultRoute : null);
    const doseAmount = d.doseAmount ?? (given && product && d.doseUnit === null ? product.defaultDoseAmount : null);
    const doseUnit: Coding | null = d.doseUnit ?? (doseAmount !== null && product ? product.doseUnit : null);

    return {
      personId,
      programmeCode: d.programmeCode,
      outcome: d.outcome,
      notGivenReason: d.notGivenReason,
      occurredAt: when.occurredAt,
      occurredOn: when.occurredOn,
      doseSequence: d.doseSequence,
      productCode: d.productCode,
      batchId: batch?.id ?? null,
      batchNumber: batch?.batchNumber ?? null,
      expiryDate: batch?.expiryDate ?? null,
      siteCode: d.site?.code ?? null,
      siteTerm: d.site?.term ?? null,
      routeCode: route?.code ?? null,
      routeTerm: route?.term ?? null,
      doseAmount,
      doseUnitCode: doseUnit?.code ?? null,
      doseUnitTerm: doseUnit?.term ?? null,
      performerName: d.performer?.name ?? null,
      performerRole: d.performer?.role ?? null,
      locationCode: d.location?.code ?? null,
      locationType: d.location?.type ?? null,
      organisationCode: d.organisationCode,
      legalBasis: d.legalBasis,
      primarySource: d.primarySource,
      reportedBy: d.reportedBy?.kind ?? null,
      reportedByName: d.reportedBy?.name ?? null,
      notes: d.notes,
      ...meta,
    };
  }

  /**
   * Finds the batch used, or adds it when a new number comes with its expiry. Doses reported
   * from elsewhere keep the batch as recorded there without adding it to local stock.
   */
  private async resolveBatch(
    repo: VaccinationRepository,
    product: Product,
    ref: BatchRef,
    occurredOn: string,
    d: Draft,
  ): Promise<{ id: number | null; batchNumber: string; expiryDate: string | null }> {
    const today = this.today();
    let found: Batch | null;
    if (ref.id !== undefined) {
      found = await repo.batchById(ref.id, today);
      if (!found) throw fieldError('batch', `Batch ${ref.id} does not exist.`);
      if (found.productCode !== product.code) {
        throw fieldError('batch', `Batch ${found.batchNumber} is not a batch of ${product.shortName}.`);
      }
      if (ref.batchNumber !== undefined && ref.batchNumber !== found.batchNumber) {
        throw fieldError('batch', `Batch ${ref.id} has the number ${found.batchNumber}, not ${ref.batchNumber}.`);
      }
    } else {
      found = await repo.batchByNumber(product.code, ref.batchNumber as string, today);
    }
    if (ref.expiryDate !== undefined) {
      checkExpiryPlausible('batch.expiryDate', ref.batchNumber ?? found?.batchNumber ?? '', ref.expiryDate, occurredOn, 'vaccination date');
    }
    if (!found && ref.expiryDate !== undefined && d.primarySource) {
      checkNotExpired(ref.batchNumber as string, ref.expiryDate, occurredOn);
      const added = await repo.insertBatch(
        {
          productCode: product.code,
          batchNumber: ref.batchNumber as string,
          expiryDate: ref.expiryDate,
          organisationCode: d.organisationCode,
          receivedOn: null,
        },
        today,
      );
      // Added just now by someone else: it is checked below like any known batch.
      if (added.created) return { id: added.batch.id, batchNumber: added.batch.batchNumber, expiryDate: added.batch.expiryDate };
      found = added.batch;
    }
    if (found) {
      if (ref.expiryDate !== undefined && ref.expiryDate !== found.expiryDate) {
        throw fieldError(
          'batch',
          `Batch ${found.batchNumber} of ${product.shortName} is recorded as expiring on ${formatLongDate(found.expiryDate)}, not ${formatLongDate(ref.expiryDate)}. Check the vial.`,
        );
      }
      checkNotExpired(found.batchNumber, found.expiryDate, occurredOn);
      // A batch added before the rule (0026) may expire implausibly late: not for a new dose.
      checkExpiryPlausible('batch', found.batchNumber, found.expiryDate, occurredOn, 'vaccination date');
      return { id: found.id, batchNumber: found.batchNumber, expiryDate: found.expiryDate };
    }
    const number = ref.batchNumber as string;
    if (ref.expiryDate === undefined) {
      if (!d.primarySource) return { id: null, batchNumber: number, expiryDate: null };
      throw fieldError(
        'batch',
        `Batch ${number} is not yet known for ${product.shortName}; enter its expiry date to add it.`,
        'unknown-batch',
      );
    }
    // Reported from elsewhere (a new batch here goes through the insert above).
    checkNotExpired(number, ref.expiryDate, occurredOn);
    return { id: null, batchNumber: number, expiryDate: ref.expiryDate };
  }
}

/** Overlays a correction's changes on the event it corrects. */
export function mergeCorrection(old: VaccinationEvent, c: VaccinationChanges): Draft {
  const pick = <K extends keyof VaccinationChanges, T>(key: K, current: T): T =>
    c[key] === undefined ? current : (c[key] as unknown as T);
  const outcome = pick('outcome', old.outcome);
  const productCode = pick('productCode', old.product?.code ?? null);
  const productChanged = productCode !== (old.product?.code ?? null);
  const dateChanged = c.occurredAt !== undefined || c.occurredOn !== undefined;
  const primarySource = pick('primarySource', old.primarySource);

  const oldBatch: BatchRef | null =
    old.batchId !== null
      ? { id: old.batchId }
      : old.batchNumber !== null
        ? { batchNumber: old.batchNumber, ...(old.expiryDate !== null ? { expiryDate: old.expiryDate } : {}) }
        : null;
  // A different product or a dose no longer given cannot keep the old batch.
  const batch = c.batch !== undefined ? c.batch : productChanged || outcome === 'NOT_GIVEN' ? null : oldBatch;

  return {
    programmeCode: pick('programmeCode', old.programmeCode),
    outcome,
    notGivenReason: pick('notGivenReason', outcome === 'GIVEN' ? null : old.notGivenReason),
    // A new date without a new time drops the old time, which would contradict it.
    occurredAt: c.occurredAt !== undefined ? c.occurredAt : dateChanged ? null : old.occurredAt,
    occurredOn: c.occurredOn !== undefined ? c.occurredOn : c.occurredAt !== undefined ? null : old.occurredOn,
    doseSequence: pick('doseSequence', old.doseSequence),
    productCode,
    batch,
    site: pick('site', old.site),
    // Product defaults apply again when the product changes.
    route: pick('route', productChanged ? null : old.route),
    doseAmount: pick('doseAmount', productChanged ? null : old.doseAmount),
    doseUnit: pick('doseUnit', productChanged ? null : old.doseUnit),
    performer: pick('performer', old.performer),
    location: pick('location', old.location),
    organisationCode: pick('organisationCode', old.organisationCode),
    legalBasis: pick('legalBasis', old.legalBasis),
    primarySource,
    // A dose now said to be given here loses its reporter unless the correction names one.
    reportedBy: c.reportedBy !== undefined ? c.reportedBy : primarySource ? null : old.reportedBy,
    notes: pick('notes', old.notes),
  };
}

function sameClinicalContent(old: VaccinationEvent, d: Draft): boolean {
  const batchSame =
    d.batch === null
      ? old.batchNumber === null
      : (d.batch.id === undefined || d.batch.id === old.batchId) &&
        (d.batch.batchNumber === undefined || d.batch.batchNumber === old.batchNumber) &&
        (d.batch.expiryDate === undefined || d.batch.expiryDate === old.expiryDate);
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  return (
    batchSame &&
    d.programmeCode === old.programmeCode &&
    d.outcome === old.outcome &&
    d.notGivenReason === old.notGivenReason &&
    (d.occurredAt === null
      ? old.occurredAt === null
      : old.occurredAt !== null && Date.parse(d.occurredAt) === Date.parse(old.occurredAt)) &&
    (d.occurredOn ?? old.occurredOn) === old.occurredOn &&
    d.doseSequence === old.doseSequence &&
    d.productCode === (old.product?.code ?? null) &&
    same(d.site, old.site) &&
    (d.route === null || same(d.route, old.route)) &&
    (d.doseAmount === null || d.doseAmount === old.doseAmount) &&
    (d.doseUnit === null || same(d.doseUnit, old.doseUnit)) &&
    same(d.performer, old.performer) &&
    same(d.location, old.location) &&
    d.organisationCode === old.organisationCode &&
    d.legalBasis === old.legalBasis &&
    d.primarySource === old.primarySource &&
    same(d.reportedBy, old.reportedBy) &&
    d.notes === old.notes
  );
}

/** Inserts, turning a lost race on the source identity into the same CONFLICT as the pre-check. */
async function insertOrExplain(repo: VaccinationRepository, row: EventInsert): Promise<number> {
  try {
    return await repo.insertEvent(row);
  } catch (error) {
    if (EXPIRY_PLAUSIBLE.some((c) => violatesConstraint(error, c))) throw fieldError('batch', IMPLAUSIBLE_EXPIRY);
    if (violatesConstraint(error, SOURCE_KEY)) {
      throw new AppError('CONFLICT', `This vaccination has already been recorded (${row.sourceSystem} ${row.sourceId}).`, {
        kind: 'conflict',
        constraint: SOURCE_KEY,
      });
    }
    throw error;
  }
}

function duplicateSource(system: string, id: string, existingId: number): AppError {
  return conflictWith(`This vaccination has already been recorded (${system} ${id}).`, existingId);
}

function notFound(eventId: number): AppError {
  return new AppError('NOT_FOUND', `No vaccination record ${eventId} is available to you.`);
}

function notActive(e: VaccinationEvent): AppError {
  return e.status === 'SUPERSEDED'
    ? conflictWith(`Vaccination record ${e.id} has already been corrected (see record ${e.supersededById}).`, e.supersededById)
    : new AppError('CONFLICT', `Vaccination record ${e.id} was marked as entered in error and cannot change.`);
}

/** The handlers for the vaccination channels, bound to a signed-in user's connection. */
export function createVaccinationHandlers(ds: DataSource, today?: () => string): VaccinationHandlers {
  const service = new VaccinationService(
    new VaccinationRepository(ds),
    (work) => ds.transaction((manager) => work(new VaccinationRepository(manager))),
    today,
  );
  return {
    'programme.list': (i) => service.listProgrammes(i.includeInactive),
    'product.list': (i) => service.listProducts(i.includeInactive),
    'batch.list': (i) => service.listBatches(i.productCode, i.onDate),
    'batch.add': (i) => service.addBatch(i),
    'vaccination.record': (i) => service.record(i),
    'vaccination.correct': (i) => service.correct(i.eventId, i.changes, i.reason, i.idempotencyKey),
    'vaccination.markEnteredInError': (i) => service.markEnteredInError(i.eventId, i.reason, i.idempotencyKey),
    'vaccination.history': (i) => service.history(i.personId),
    'reaction.record': (i) => service.recordReaction(i),
  };
}
