// The saving state of a form sent with one request: the message to show and whether a save
// is under way, so a second click or Ctrl+Enter cannot send it twice.
import { ref } from 'vue';
import type { Result } from '../../../main-api/contract/result';

export function useSave<T>(saved: (value: T) => void) {
  const error = ref<string | null>(null);
  const saving = ref(false);

  /** `request` checks the form and sends it; a string it returns is why it cannot be sent yet. */
  async function run(request: () => string | Promise<Result<T>>): Promise<void> {
    if (saving.value) return;
    const pending = request();
    if (typeof pending === 'string') {
      error.value = pending;
      return;
    }
    error.value = null;
    saving.value = true;
    try {
      const r = await pending;
      if (!r.ok) error.value = r.error.message;
      else saved(r.value);
    } finally {
      saving.value = false;
    }
  }

  return { error, saving, run };
}
