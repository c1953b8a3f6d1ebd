// Feeds and exchange: files from other systems imported through one pipeline (migration 0039).
// A kind of file is its layout here (kinds.ts) and its staging, checks and apply in the
// database; docs/feeds.md describes the layouts and how to add a kind.
import type { FeedHandlers } from '../contract/feeds';
import type { Registration, UserContext } from '../platform/registration';
import { createFeedHandlers } from './feeds.service';

export { exitCodeOf, rejectsCsv } from './feeds.rules';
export { importHistory, importRejects, type ImportSummaryRow } from './feeds.repository';
export { runImport } from './import.service';
export { FEED_KIND_DEFINITIONS } from './kinds';
export { writeVaccinationAcks } from './vaccination-ack.service';

export function register(ctx: UserContext): Registration<keyof FeedHandlers> {
  return { handlers: createFeedHandlers(ctx) };
}
