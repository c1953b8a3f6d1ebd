import { describe, expect, it } from 'vitest';
import { isTextField, recordShortcutFor, shortcutFor } from './shortcuts';

const key = (k: string, extra: Partial<Parameters<typeof shortcutFor>[0]> = {}) =>
  shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, inTextField: false, ...extra });

describe('keyboard shortcuts', () => {
  it('focuses search on / outside text fields and on Ctrl+K anywhere', () => {
    expect(key('/')).toBe('focus-search');
    expect(key('/', { inTextField: true })).toBeNull();
    expect(key('k', { ctrlKey: true, inTextField: true })).toBe('focus-search');
    expect(key('K', { metaKey: true })).toBe('focus-search');
    expect(key('k')).toBeNull();
    expect(key('k', { ctrlKey: true, altKey: true })).toBeNull();
  });

  it('recognises text fields', () => {
    expect(isTextField({ tagName: 'INPUT' })).toBe(true);
    expect(isTextField({ tagName: 'textarea' })).toBe(true);
    expect(isTextField({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextField({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});

describe('record page shortcuts', () => {
  const rec = (k: string, extra: Partial<Parameters<typeof recordShortcutFor>[0]> = {}) =>
    recordShortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, inTextField: false, ...extra });
  it('opens the vaccination form on R, but not while typing or with a modifier', () => {
    expect(rec('r')).toBe('record-vaccination');
    expect(rec('R')).toBe('record-vaccination');
    expect(rec('r', { inTextField: true })).toBeNull();
    expect(rec('r', { ctrlKey: true })).toBeNull();
    expect(rec('x')).toBeNull();
  });
});
