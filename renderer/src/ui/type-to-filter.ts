// Keyboard-first drop-downs. A filterable Naive UI select, reached with Tab, takes focus on a
// wrapper that reads no keys: only its inner input filters. This directive hands the focus on
// to that input, so the first key typed after Tab filters (and Enter picks the first match).
import type { Directive } from 'vue';

const INPUT = 'input.n-base-selection-input';

function forward(this: HTMLElement, e: FocusEvent): void {
  const input = this.querySelector<HTMLInputElement>(INPUT);
  if (!input || input.disabled || e.target === input) return;
  // Focus moving within the select (back to its wrapper after a pick) stays where Naive put it.
  if (e.relatedTarget instanceof Node && this.contains(e.relatedTarget)) return;
  input.focus();
}

export const vTypeToFilter: Directive<HTMLElement> = {
  mounted(el) {
    el.addEventListener('focusin', forward);
  },
  beforeUnmount(el) {
    el.removeEventListener('focusin', forward);
  },
};
