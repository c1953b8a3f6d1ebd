// Person register use cases: search and open a record (the opening is audited by the database).
import type { Output, ParsedInput } from '../contract/contract';
import { personNotFound } from '../contract/result';
import { requireDay, wholeYears } from '../shared/calendar/dates';
import type { PersonRepository } from './person.repository';
import { describeSearch, parseSearch } from './search.rules';

export class PersonService {
  constructor(
    private readonly people: PersonRepository,
    private readonly today: () => string,
  ) {}

  async search(input: ParsedInput<'person.search'>): Promise<Output<'person.search'>> {
    const query = parseSearch(input.text, this.today());
    const rows = await this.people.search(query, input.limit);
    return {
      interpretedAs: describeSearch(query),
      results: rows.slice(0, input.limit),
      truncated: rows.length > input.limit,
    };
  }

  async open(input: ParsedInput<'person.open'>): Promise<Output<'person.open'>> {
    const visible = await this.people.recordOpening(input.id);
    if (!visible) throw personNotFound();
    const record = await this.people.record(input.id);
    if (!record) throw personNotFound();
    // Age on England's today (or at death), never the database server's current_date.
    const ageAt = record.person.dateOfDeath ?? this.today();
    return { ...record, person: { ...record.person, ageYears: wholeYears(requireDay(record.person.dateOfBirth), requireDay(ageAt)) } };
  }
}
