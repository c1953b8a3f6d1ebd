import { describe, expect, it } from 'vitest';
import {
  ageParts,
  connectionLabel,
  describeAge,
  formatDate,
  formatDateTime,
  formatLongDate,
  formatName,
  formatNhsNumber,
  todayIso,
  yearGroupLabel,
} from './format';

describe('dates', () => {
  it('shows ISO dates as dd/mm/yyyy and in words', () => {
    expect(formatDate('2019-03-01')).toBe('01/03/2019');
    expect(formatLongDate('2019-03-01')).toBe('1 March 2019');
    expect(formatLongDate('2024-12-25')).toBe('25 December 2024');
    expect(formatDate(null)).toBe('');
    expect(formatDate('not a date')).toBe('not a date');
  });

  it('takes today from the local calendar, not UTC', () => {
    // 23:30 local time on 31 December is still 31 December here, whatever UTC says.
    expect(todayIso(new Date(2025, 11, 31, 23, 30))).toBe('2025-12-31');
    expect(todayIso(new Date(2025, 0, 1, 0, 5))).toBe('2025-01-01');
  });

  it('formats timestamps in local time', () => {
    const local = new Date(2025, 10, 21, 9, 5);
    expect(formatDateTime(local.toISOString())).toBe('21/11/2025 09:05');
    expect(formatDateTime('garbage')).toBe('garbage');
  });
});

describe('ages', () => {
  it('counts completed years across birthdays', () => {
    expect(ageParts('2019-03-01', '2025-02-28')?.years).toBe(5);
    expect(ageParts('2019-03-01', '2025-03-01')?.years).toBe(6);
    expect(ageParts('2025-03-01', '2019-03-01')).toBeNull();
  });

  it('treats a 29 February birthday as reached on 28 February in other years', () => {
    expect(ageParts('2020-02-29', '2021-02-28')).toMatchObject({ years: 1, months: 0, days: 0 });
    expect(ageParts('2020-02-29', '2021-02-27')).toMatchObject({ years: 0, months: 11 });
  });

  it('counts days into the month after a month-end birthday', () => {
    expect(ageParts('2020-01-31', '2020-03-01')).toMatchObject({ years: 0, months: 1, days: 1 });
    expect(ageParts('2020-01-15', '2020-03-10')).toMatchObject({ months: 1, days: 24 });
  });

  it('describes ages the way people say them', () => {
    expect(describeAge('2025-11-01', '2025-11-01')).toBe('0 days');
    expect(describeAge('2025-11-01', '2025-11-02')).toBe('1 day');
    expect(describeAge('2025-09-01', '2025-10-27')).toBe('8 weeks');
    expect(describeAge('2025-01-15', '2025-11-20')).toBe('10 months');
    expect(describeAge('2023-12-01', '2025-11-30')).toBe('23 months');
    expect(describeAge('2023-12-01', '2025-12-01')).toBe('2 years');
    expect(describeAge('1950-06-30', '2025-06-29')).toBe('74 years');
    expect(describeAge('2030-01-01', '2025-01-01')).toBe('');
  });
});

describe('labels', () => {
  it('formats names and NHS numbers for display', () => {
    expect(formatName('Smith', 'Jane')).toBe('SMITH, Jane');
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });

  it('names school years in plain words', () => {
    expect(yearGroupLabel(-1)).toBe('Nursery');
    expect(yearGroupLabel(0)).toBe('Reception');
    expect(yearGroupLabel(8)).toBe('Year 8');
    expect(yearGroupLabel(null)).toBe('');
  });

  it('says where the data lives', () => {
    expect(connectionLabel({ kind: 'embedded', host: '127.0.0.1', database: 'ims' })).toBe('Embedded database on this computer');
    expect(connectionLabel({ kind: 'server', host: 'db.example.nhs.uk', database: 'ims_region' })).toBe(
      'Server db.example.nhs.uk/ims_region',
    );
  });
});
