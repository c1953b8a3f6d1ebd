// School sessions: consent and session planning per school for the school-aged programmes.
import type { SchoolHandlers } from '../contract/schools';
import type { Registration, UserContext } from '../platform/registration';
import { createSchoolHandlers } from './schools.service';

export { createSchoolHandlers } from './schools.service';

export function register(ctx: UserContext): Registration<keyof SchoolHandlers> {
  return { handlers: createSchoolHandlers(ctx.ds, ctx.today) };
}
