// Reporting: aggregate figures about groups of people (coverage), with small numbers
// suppressed in the database. Analysts read only these.
import type { ReportingHandlers } from '../contract/reporting';
import type { Registration, UserContext } from '../platform/registration';
import { createReportingHandlers } from './reporting.service';

export { createReportingHandlers } from './reporting.service';

export function register(ctx: UserContext): Registration<keyof ReportingHandlers> {
  return { handlers: createReportingHandlers(ctx.ds, ctx.today) };
}
