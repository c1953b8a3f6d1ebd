// Keyboard shortcuts for the whole window, as a pure decision so it can be tested without a DOM.

export interface KeyInfo {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** True when the key was pressed inside a text field, where '/' must type a slash. */
  inTextField: boolean;
}

export type ShortcutAction = 'focus-search' | null;

export function shortcutFor(e: KeyInfo): ShortcutAction {
  if (e.altKey) return null;
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') return 'focus-search';
  if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.inTextField) return 'focus-search';
  return null;
}

/** Whether a keyboard event target is somewhere text is typed. */
export function isTextField(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const el = target as { tagName?: string; isContentEditable?: boolean };
  const tag = (el.tagName ?? '').toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable === true;
}

/** Shortcuts of the person record: "R" opens the vaccination form, unless typing somewhere. */
export function recordShortcutFor(e: KeyInfo): 'record-vaccination' | null {
  if (e.altKey || e.ctrlKey || e.metaKey || e.inTextField) return null;
  return e.key === 'r' || e.key === 'R' ? 'record-vaccination' : null;
}
