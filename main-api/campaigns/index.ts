// Campaigns: this season's campaigns, invitations from cohorts released in waves sized to
// clinics, reminders, next-dose recall and bookings, and the communications they ask for.
import type { CampaignHandlers } from '../contract/campaigns';
import type { Registration, UserContext } from '../platform/registration';
import { createCampaignHandlers } from './campaigns.service';

export {
  exportNotify,
  getCampaign,
  howToBook,
  importBookings,
  listCampaigns,
  releaseWaves,
  runRecall,
  runReminders,
  saveCampaign,
} from './campaigns.service';
export { csvField, notifyCsv, type ExportRow } from './campaign-files.rules';

export function register(ctx: UserContext): Registration<keyof CampaignHandlers> {
  return { handlers: createCampaignHandlers(ctx.ds, ctx.today) };
}
