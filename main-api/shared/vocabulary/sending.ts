// Sending codes: who carried a communication, and how it was delivered as GOV.UK Notify names it
// (migrations/0036; the vocabulary's integration test compares the database's checks with these).
import type { z } from 'zod';
import { codeSet } from './code-set';

export const [PROVIDERS, Provider, PROVIDER_LABELS] = codeSet({
  NOTIFY: 'GOV.UK Notify',
  SMTP: "The organisation's mail server",
});
export type Provider = z.infer<typeof Provider>;

/** Notify's statuses for email, text and letters, and its returned-letter report. */
export const [DELIVERY_STATUSES, DeliveryStatus, DELIVERY_STATUS_LABELS] = codeSet({
  created: 'Accepted by Notify',
  sending: 'Being sent',
  pending: 'Waiting for the network',
  sent: 'Sent abroad',
  delivered: 'Delivered',
  'permanent-failure': 'Not delivered: the address or number is wrong',
  'temporary-failure': 'Not delivered: the inbox was full or the phone was off',
  'technical-failure': 'Not delivered: a technical problem at Notify',
  accepted: 'Letter accepted for printing',
  received: 'Letter handed to the post',
  cancelled: 'Letter cancelled',
  'pending-virus-check': 'Letter being checked',
  'virus-scan-failed': 'Letter refused: failed the virus check',
  'validation-failed': 'Letter refused: it does not meet the letter specification',
  'returned-letter': 'Letter returned to sender',
});
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;
