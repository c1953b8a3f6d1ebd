import { describe, expect, it } from 'vitest';
import { quarterStart, recentQuarters, shownFigure } from './coverage';

describe('the coverage screen', () => {
  it('offers whole quarters, the current one first', () => {
    expect(quarterStart('2026-12-02')).toBe('2026-10-01');
    expect(quarterStart('2026-03-31')).toBe('2026-01-01');
    expect(recentQuarters('2026-12-02', 3)).toEqual([
      { label: '1 October 2026 to 31 December 2026', value: '2026-10-01' },
      { label: '1 July 2026 to 30 September 2026', value: '2026-07-01' },
      { label: '1 April 2026 to 30 June 2026', value: '2026-04-01' },
    ]);
  });

  it('shows a suppressed figure as the marker the rule explains', () => {
    expect(shownFigure(null)).toEqual({ text: '*', suppressed: true });
    expect(shownFigure(1235)).toEqual({ text: '1,235', suppressed: false });
    expect(shownFigure(0, '%')).toEqual({ text: '0%', suppressed: false });
  });
});
