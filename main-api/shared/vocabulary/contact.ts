// How a person prefers to be contacted (ims.contact_details.preferred_channel,
// migrations/0001_person_register.sql; vocabulary.integration.test.ts compares them).
import { z } from 'zod';

export const CONTACT_CHANNELS = ['LETTER', 'EMAIL', 'SMS'] as const;
export const ContactChannel = z.enum(CONTACT_CHANNELS);
export type ContactChannel = z.infer<typeof ContactChannel>;

export const CONTACT_CHANNEL_LABELS: Record<ContactChannel, string> = {
  LETTER: 'Letter',
  EMAIL: 'Email',
  SMS: 'Text message',
};
