// After a save the form refused: bring the first field in error into view and put the cursor in
// it, in the order the form shows its fields, so an error below the visible part of a long form
// never makes Save look as if it did nothing. With no field marked (a message about the whole
// form), the summary of messages is brought into view instead.
import { nextTick } from 'vue';

/** A Naive UI form item showing an error message (NFormItem with validation-status="error"). */
const MARKED = '.n-form-item-feedback--error';
// The field's own text box first: a drop-down's focusable wrapper comes before its input.
const TYPED = 'input:not([disabled]):not([type="hidden"]), textarea:not([disabled])';
const FOCUSABLE = '[tabindex]:not([tabindex="-1"])';

/** Reveals the first error inside `root` once the screen shows it; true when a field took the focus. */
export async function revealFirstError(root: HTMLElement | null | undefined): Promise<boolean> {
  // The messages land on the fields at the next render.
  await nextTick();
  if (!root) return false;
  const item = root.querySelector(MARKED)?.closest<HTMLElement>('.n-form-item');
  const field = item?.querySelector<HTMLElement>(TYPED) ?? item?.querySelector<HTMLElement>(FOCUSABLE);
  if (item && field) {
    item.scrollIntoView({ block: 'center' });
    field.focus({ preventScroll: true });
    return true;
  }
  root.querySelector<HTMLElement>('[role="alert"]')?.scrollIntoView({ block: 'nearest' });
  return false;
}
