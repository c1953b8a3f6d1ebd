// The pure parts of sending: a token bucket for the provider's rate limit, retries with
// exponential back-off for answers worth retrying, and which Notify template a message uses.
import type { NotifyTemplate } from '../contract/sending';

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * At most `perMinute` takes a minute, spread out: the bucket holds a second's worth (at least
 * one), refilled continuously, so a run never bursts past the provider's limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly capacity: number;
  private readonly perMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    perMinute: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: Sleep = realSleep,
  ) {
    if (!(perMinute > 0)) throw new Error('A rate limit must be above zero.');
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, Math.floor(perMinute / 60));
    this.tokens = this.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.perMs);
    this.last = t;
  }

  /** Waits until a token is free and takes it; callers are served in order. */
  take(): Promise<void> {
    const next = this.queue.then(async () => {
      this.refill();
      while (this.tokens < 1) {
        await this.sleep(Math.ceil((1 - this.tokens) / this.perMs));
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = next.catch(() => {});
    return next;
  }
}

/** How a provider answered, in the terms the sender acts on. */
export type ProviderFailureKind =
  /** 429: over the rate or daily limit; try again later. */
  | 'rate-limited'
  /** 5xx or no answer: try again later. */
  | 'unavailable'
  /** 400 about the message (a bad number or address, a template that does not fit): never retry, fall back. */
  | 'refused'
  /** 401/403: the key is wrong or revoked; stop the run. */
  | 'unauthorised'
  /** 404 on a lookup. */
  | 'not-found';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export function kindOfStatus(status: number | null): ProviderFailureKind {
  if (status === null || status >= 500) return 'unavailable';
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'unauthorised';
  if (status === 404) return 'not-found';
  return 'refused';
}

export interface RetryOptions {
  /** Tries after the first. */
  retries: number;
  baseMs: number;
  maxMs: number;
  sleep: Sleep;
  /** 0..1, for jitter; fixed in tests. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 5, baseMs: 500, maxMs: 30_000, sleep: realSleep, random: Math.random };

/** The wait before retry number `attempt` (1 for the first retry): doubling, capped, with up to half of it as jitter. */
export function backoffMs(attempt: number, o: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'random'>): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * o.random());
}

/** Runs `work`, retrying rate-limited and unavailable answers with back-off; others are thrown at once. */
export async function withRetry<T>(
  work: () => Promise<T>,
  o: RetryOptions = DEFAULT_RETRY,
  onRetry?: (e: ProviderError) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const retryable = error instanceof ProviderError && (error.kind === 'rate-limited' || error.kind === 'unavailable');
      if (!retryable || attempt >= o.retries) throw error;
      onRetry?.(error);
      await o.sleep(backoffMs(attempt + 1, o));
    }
  }
}

/** The Notify template for a message: the entry for its template name, else the default for its purpose and channel. */
export function notifyTemplateFor(
  templates: readonly NotifyTemplate[],
  m: { templateName: string | null; purpose: string; channel: string },
): string | null {
  const own = m.templateName === null ? undefined : templates.find((t) => t.templateName === m.templateName && t.channel === m.channel);
  const byDefault = templates.find((t) => t.templateName === null && t.purpose === m.purpose && t.channel === m.channel);
  return (own ?? byDefault)?.notifyTemplateId ?? null;
}
