import { describe, expect, it } from 'vitest';
import { demoPersonsFromEnv } from './host';

describe('demoPersonsFromEnv', () => {
  it('defaults to 50,000 people and accepts separators and zero', () => {
    expect(demoPersonsFromEnv({})).toBe(50_000);
    expect(demoPersonsFromEnv({ IMS_DEMO_PERSONS: '3000' })).toBe(3000);
    expect(demoPersonsFromEnv({ IMS_DEMO_PERSONS: '200_000' })).toBe(200_000);
    expect(demoPersonsFromEnv({ IMS_DEMO_PERSONS: '0' })).toBe(0);
  });
  it('refuses what is not a number of people', () => {
    expect(() => demoPersonsFromEnv({ IMS_DEMO_PERSONS: 'lots' })).toThrow(/whole number/);
    expect(() => demoPersonsFromEnv({ IMS_DEMO_PERSONS: '-5' })).toThrow(/whole number/);
  });
});
