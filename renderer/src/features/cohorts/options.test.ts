import { describe, expect, it } from 'vitest';
import type { Programme } from '../../../../main-api/contract/vaccination';
import { campaignOptions } from './options';

const programme = (code: string, campaign: string | null, startDate: string | null): Programme => ({
  code,
  name: code.toLowerCase(),
  kind: 'SEASONAL_FLU',
  campaign,
  startDate,
  endDate: null,
  active: true,
});

describe('campaign choices', () => {
  it('offers the seasonal campaigns, newest first, by the code a definition names', () => {
    const options = campaignOptions([
      programme('ROUTINE_CHILDHOOD', null, null),
      programme('FLU_2025_26', '2025-26', '2025-09-01'),
      programme('FLU_2026_27', '2026-27', '2026-09-01'),
      programme('COVID19_AUTUMN_2026', 'Autumn 2026', '2026-10-01'),
    ]);
    expect(options.map((o) => o.value)).toEqual(['COVID19_AUTUMN_2026', 'FLU_2026_27', 'FLU_2025_26']);
  });
});
