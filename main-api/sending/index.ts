// Sending: a campaign's messages through GOV.UK Notify or the organisation's mail server, with
// delivery statuses from polling and callbacks, fallback to the next channel and returned letters.
import type { SendingHandlers } from '../contract/sending';
import type { Registration, UserContext } from '../platform/registration';
import { createSendingHandlers } from './sending.service';

export { defaultEnvironment, exportChildHealthNotify, pollCampaign, sendCampaign } from './sending.service';
export { startCallbackReceiver } from './callback-receiver';
export { letterReader } from './letter-files';
export { SendingRepository } from './sending.repository';
export { SendingSettingsStore, osKeyStoreCipher, useDesktopSecrets } from './settings.store';

export function register(ctx: UserContext): Registration<keyof SendingHandlers> {
  return { handlers: createSendingHandlers(ctx.ds, ctx.today, ctx.log) };
}
