// Letters and message templates: versioned templates per campaign and purpose with merge fields,
// previews with a real person's data, and print-ready letter production in worker threads.
import type { LetterHandlers } from '../contract/letters';
import { lettersDir } from '../platform/paths';
import type { Registration, UserContext } from '../platform/registration';
import { createLetterHandlers } from './letters.service';

export { startProduction } from './production.service';

export function register(ctx: UserContext): Registration<keyof LetterHandlers> {
  return { handlers: createLetterHandlers(ctx.ds, ctx.today, lettersDir) };
}
