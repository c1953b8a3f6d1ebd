// Person register use cases: search and open a record (the opening is audited by the database).
import type { Output, ParsedInput } from '../contract/contract';
import { SEARCH_COUNT_CAP } from '../contract/people';
import { AppError, personNotFound } from '../contract/result';
import { requireDay, wholeYears } from '../shared/calendar/dates';
import type { PersonRepository } from './person.repository';
import { describeSearch, parseSearch } from './search.rules';

/** Sound-alike matches shown under the first page; the rest are reached by typing that spelling. */
const NEAR_MATCH_LIMIT = 20;

export class PersonService {
  constructor(
    private readonly people: PersonRepository,
    private readonly today: () => string,
  ) {}

  async search(input: ParsedInput<'person.search'>): Promise<Output<'person.search'>> {
    const query = parseSearch(input.text, this.today());
    const offset = (input.page - 1) * input.limit;
    if (offset >= SEARCH_COUNT_CAP) {
      throw new AppError('VALIDATION', `Only the first ${SEARCH_COUNT_CAP} matches can be paged through: narrow the search.`);
    }
    const [rows, near] = await Promise.all([
      this.people.search(query, { limit: input.limit, offset }),
      input.page === 1 ? this.people.nearMatches(query, NEAR_MATCH_LIMIT) : Promise.resolve(null),
    ]);
    // A page that is not full is the end of the list: its length gives the count, with no
    // second pass over the matches.
    const count =
      rows.length <= input.limit && (rows.length > 0 || offset === 0)
        ? offset + rows.length
        : await this.people.countMatches(query, SEARCH_COUNT_CAP);
    // An NHS number search also finds whoever held the number before it was superseded (0079):
    // such a row carries the person's present number, not the one searched.
    const byPrevious = query.kind === 'nhs-number' && rows.some((p) => p.nhsNumber !== query.nhsNumber);
    return {
      previousNhsNumber: byPrevious ? query.nhsNumber : null,
      interpretedAs: describeSearch(query),
      kind: query.kind,
      results: rows.slice(0, input.limit),
      page: input.page,
      pageSize: input.limit,
      truncated: rows.length > input.limit && offset + input.limit < SEARCH_COUNT_CAP,
      total: { count: Math.min(count, SEARCH_COUNT_CAP), atLeast: count > SEARCH_COUNT_CAP },
      nearMatches:
        near && near.length > 0 && 'surname' in query
          ? { soundsLike: query.surname, results: near.slice(0, NEAR_MATCH_LIMIT), more: near.length > NEAR_MATCH_LIMIT }
          : null,
    };
  }

  async open(input: ParsedInput<'person.open'>): Promise<Output<'person.open'>> {
    const record = await this.people.record(input.id, 'view');
    if (!record) throw personNotFound();
    // Age on England's today (or at death), never the database server's current_date.
    const ageAt = record.person.dateOfDeath ?? this.today();
    return { ...record, person: { ...record.person, ageYears: wholeYears(requireDay(record.person.dateOfBirth), requireDay(ageAt)) } };
  }
}
