// How a person prefers to be contacted (ims.contact_details.preferred_channel,
// migrations/0001_person_register.sql; vocabulary.integration.test.ts compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';

export const [CONTACT_CHANNELS, ContactChannel, CONTACT_CHANNEL_LABELS] = codeSet({
  LETTER: 'Letter',
  EMAIL: 'Email',
  SMS: 'Text message',
});
export type ContactChannel = z.infer<typeof ContactChannel>;
