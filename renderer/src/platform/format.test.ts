import { describe, expect, it } from 'vitest';
import { connectionLabel, formatName, formatNhsNumber } from './format';

describe('labels', () => {
  it('formats names and NHS numbers for display', () => {
    expect(formatName('Smith', 'Jane')).toBe('SMITH, Jane');
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });

  it('says where the data lives', () => {
    expect(connectionLabel({ kind: 'embedded', host: '127.0.0.1', database: 'ims' })).toBe('Embedded database on this computer');
    expect(connectionLabel({ kind: 'server', host: 'db.example.nhs.uk', database: 'ims_region' })).toBe(
      'Server db.example.nhs.uk/ims_region',
    );
  });
});
