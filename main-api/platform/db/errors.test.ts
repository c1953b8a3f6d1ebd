import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/result';
import { withRefusals } from './errors';

/** A driver error as pg raises it, under TypeORM's wrapper. */
const refusal = (code: string, message: string) => Promise.reject(Object.assign(new Error('wrapped'), { driverError: { code, message } }));

describe('withRefusals', () => {
  it("answers the function's own refusal in its own words", async () => {
    await expect(withRefusals(refusal('P0002', 'No campaign FLU is available to you.'), { P0002: 'NOT_FOUND' })).rejects.toEqual(
      new AppError('NOT_FOUND', 'No campaign FLU is available to you.'),
    );
  });

  it('uses the fallback where the server refused the call itself, not the function', async () => {
    const work = refusal('42501', 'permission denied for function campaign_release');
    await expect(withRefusals(work, { '42501': 'FORBIDDEN' }, { '42501': 'Your role may not run campaigns.' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Your role may not run campaigns.',
    });
  });

  it('throws anything else as it came, and answers a success', async () => {
    const other = Object.assign(new Error('boom'), { code: '23505' });
    await expect(withRefusals(Promise.reject(other), { P0002: 'NOT_FOUND' })).rejects.toBe(other);
    await expect(withRefusals(Promise.resolve(7), { P0002: 'NOT_FOUND' })).resolves.toBe(7);
  });
});
