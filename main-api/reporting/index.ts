// Reporting: aggregate figures about groups of people (coverage), with small numbers
// suppressed in the database for analysts, who read only these; and the quarterly COVER return
// with, for those who may read records, the children it did not count.
import type { ReportingHandlers } from '../contract/reporting';
import type { Registration, UserContext } from '../platform/registration';
import { createReportingHandlers } from './reporting.service';

export { createReportingHandlers } from './reporting.service';

export function register(ctx: UserContext): Registration<keyof ReportingHandlers> {
  return { handlers: createReportingHandlers(ctx.ds, ctx.today) };
}
