// The session channels: start-up state, sign-in, connection health.
import { z } from 'zod';
import { Capability, RoleCode } from '../shared/vocabulary/roles';
import { isoDate } from './common';

const ConnectionKind = z.enum(['embedded', 'server']);

export const SessionInfo = z.object({
  user: z.string(),
  displayName: z.string(),
  /** The roles as people read them ("Immunisation coordinator"). */
  roles: z.array(z.string()),
  /** The same roles as codes, for deciding what the screen offers. */
  roleCodes: z.array(RoleCode),
  /** What the signed-in user may do; the database enforces the same. */
  capabilities: z.array(Capability),
  /** Today's date in England, decided by the main process: the renderer never asks its own clock. */
  today: isoDate,
  organisations: z.array(z.object({ code: z.string(), name: z.string() })),
  connection: z.object({ kind: ConnectionKind, host: z.string(), database: z.string() }),
  version: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SessionState = z.discriminatedUnion('state', [
  z.object({ state: z.literal('signed-in'), session: SessionInfo }),
  z.object({ state: z.literal('needs-credentials'), server: z.string(), rememberedUser: z.string().nullable() }),
  z.object({ state: z.literal('starting'), message: z.string(), progress: z.number().min(0).max(1).nullable() }),
  z.object({ state: z.literal('failed'), message: z.string() }),
]);
export type SessionState = z.infer<typeof SessionState>;

// A login role's name is at most 63 bytes (PostgreSQL's NAMEDATALEN); neither it nor the
// password can carry a NUL byte on the wire, and a name has no control characters.
const hasControlCharacter = (text: string): boolean => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
// Half of a UTF-16 pair on its own is no character at all: it has no UTF-8 form to send.
const hasLoneSurrogate = (text: string): boolean => /\p{Surrogate}/u.test(text);
const LoginInput = z.object({
  user: z
    .string()
    .trim()
    .min(1, 'Enter your user name.')
    .refine(
      (name) => new TextEncoder().encode(name).length <= 63,
      'A user name is too long: at most 63 plain letters (accented letters count double).',
    )
    .refine((name) => !hasControlCharacter(name), 'A user name cannot contain control characters.')
    .refine((name) => !hasLoneSurrogate(name), 'A user name can hold only whole characters.'),
  password: z
    .string()
    .min(1, 'Enter your password.')
    .max(1000, 'A password is at most 1,000 characters.')
    .refine((password) => !password.includes('\u0000'), 'A password cannot contain a NUL character.')
    .refine((password) => !hasLoneSurrogate(password), 'A password can hold only whole characters.'),
  remember: z.boolean().default(false),
});

/**
 * today: England's date now, so a screen left open past midnight moves on with it.
 * restarted: the embedded database had stopped and the check started it again.
 */
const Health = z.object({ database: z.literal('ok'), latencyMs: z.number(), today: isoDate, restarted: z.boolean().optional() });

export const sessionChannels = {
  /** retry: after a failed start, make a fresh attempt (the start-failure screen's Try again). */
  'session.state': { input: z.object({ retry: z.boolean().default(false) }), output: SessionState },
  'session.login': { input: LoginInput, output: SessionInfo },
  'health.check': { input: z.object({}), output: Health },
} as const;
