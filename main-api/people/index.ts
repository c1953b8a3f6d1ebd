// People: the person register, search and the audited opening of a record.
import type { Registration, UserContext } from '../platform/registration';
import { PersonRepository } from './person.repository';
import { PersonService } from './person.service';

export { PersonRepository } from './person.repository';

export function register(ctx: UserContext): Registration<'person.search' | 'person.open'> {
  const people = new PersonService(new PersonRepository(ctx.ds), ctx.today);
  return {
    handlers: {
      'person.search': (input) => people.search(input),
      'person.open': (input) => people.open(input),
    },
  };
}
