import { describe, expect, it } from 'vitest';
import { filterFromOptions } from './child-health';

describe('the child register export options', () => {
  it('reads comma-separated codes and numbers into the filter', () => {
    expect(filterFromOptions({ practice: 'G82001,G82002', year: '0,3', status: 'OVERDUE', minDays: '30', sort: 'name' })).toEqual({
      filter: { practices: ['G82001', 'G82002'], yearGroups: [0, 3], statuses: ['OVERDUE'], minDaysOverdue: 30 },
      sort: 'name',
    });
  });

  it('names every fault', () => {
    expect(() => filterFromOptions({ practice: 'x', age: 'OLD', minDays: 'ten', sort: 'age' })).toThrow(
      /practices\.0: Not an ODS code[\s\S]*ageBands\.0[\s\S]*minDaysOverdue[\s\S]*sort: use overdue, name or dob/,
    );
  });
});
