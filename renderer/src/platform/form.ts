// Errors on forms: each message beside the field it is about and in a summary by the Save
// button, whether it came from the form's own checks or from the contract's field details.
// A field's message goes once that field is changed; the summary keeps what still stands.
import { computed, reactive, shallowRef, watch } from 'vue';
import type { ApiError, ErrorDetails, FieldIssue } from '../../../main-api/contract/result';

/**
 * Where the contract's field names land on a form: a table ('occurredOn' -> 'date'; a dotted
 * path falls back to its parents, so 'batch' also takes 'batch.expiryDate'), or a function
 * for placements that depend on the form's state. A name the map does not place lands on the
 * form field of the same name, if there is one.
 */
export type FieldMap = Readonly<Record<string, string>> | ((issue: FieldIssue) => string | null);

/** The form field an issue belongs to, or null when it belongs to none of `known`. */
export function targetOf(issue: FieldIssue, known: readonly string[], map?: FieldMap): string | null {
  if (typeof map === 'function') {
    const mapped = map(issue);
    if (mapped !== null) return mapped;
  } else if (map) {
    for (let path = issue.field; path !== ''; path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '') {
      const mapped = map[path];
      if (mapped !== undefined) return mapped;
    }
  }
  return known.includes(issue.field) ? issue.field : null;
}

/** The first message for each field of a VALIDATION error, keyed by form field (or contract name without `known`). */
export function fieldErrors(
  error: { details?: ErrorDetails } | null | undefined,
  map?: FieldMap,
  known?: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (error?.details?.kind !== 'fields') return out;
  for (const issue of error.details.fields) {
    const field = known ? targetOf(issue, known, map) : targetOf(issue, [issue.field], map);
    if (field !== null && !(field in out)) out[field] = issue.message;
  }
  return out;
}

/** A VALIDATION error made on this side, from the form's own checks. A null field is about the whole form. */
export function validationError(issues: readonly { field: string | null; message: string }[]): ApiError {
  const first = issues[0];
  if (!first) throw new Error('A validation error needs at least one issue.');
  const fields = issues.flatMap((i) => (i.field === null ? [] : [{ field: i.field, message: i.message }]));
  const [head, ...rest] = fields;
  return head
    ? { code: 'VALIDATION', message: first.message, details: { kind: 'fields', fields: [head, ...rest] } }
    : { code: 'VALIDATION', message: first.message };
}

/** A message shown beside a field, with that field's value when it was given, to tell when it has changed. */
export interface PlacedMessage {
  field: string;
  message: string;
  value: string | undefined;
}

const snapshot = (value: unknown): string | undefined => JSON.stringify(value);

/** Splits an error into messages beside the form's fields and messages about the form as a whole. */
export function placeError(
  error: ApiError,
  values: Readonly<Record<string, unknown>>,
  map?: FieldMap,
): { placed: PlacedMessage[]; general: string[] } {
  if (error.details?.kind !== 'fields') return { placed: [], general: [error.message] };
  const known = Object.keys(values);
  const placed: PlacedMessage[] = [];
  const general: string[] = [];
  for (const issue of error.details.fields) {
    const field = targetOf(issue, known, map);
    if (field === null) general.push(issue.message);
    else if (!placed.some((p) => p.field === field)) placed.push({ field, message: issue.message, value: snapshot(values[field]) });
  }
  return { placed, general };
}

/** The placed messages whose field still holds the value it had when the error came. */
export function stillStanding(placed: readonly PlacedMessage[], values: Readonly<Record<string, unknown>>): PlacedMessage[] {
  return placed.filter((p) => snapshot(values[p.field]) === p.value);
}

export interface ContractForm<F> {
  /** Every message that still stands, once each: for the summary by the Save button. */
  readonly messages: string[];
  /** The props of a Naive UI form item for this field: `<NFormItem v-bind="form.item('date')">`. */
  item(field: keyof F & string): { feedback?: string; validationStatus?: 'error' };
  feedback(field: keyof F & string): string | undefined;
  /** Shows an error: from the contract, or made with validationError(). Null clears. */
  fail(error: ApiError | null): void;
  /** Shows one message of the form's own: beside `field`, or about the whole form when null. */
  invalid(field: (keyof F & string) | null, message: string): void;
  clear(): void;
}

export interface ContractFormOptions {
  map?: FieldMap;
  /** Requests whose errors this form shows, such as its useMutation()s. */
  from?: readonly { readonly error: ApiError | null }[];
}

/**
 * Errors for a form whose values `values()` returns (a plain object of its fields). Use it
 * whole (`form.messages`): destructuring loses reactivity.
 */
export function useContractForm<F extends object>(values: () => F, options: ContractFormOptions = {}): ContractForm<F> {
  const current = (): Record<string, unknown> => values() as Record<string, unknown>;
  const placed = shallowRef<PlacedMessage[]>([]);
  const general = shallowRef<string[]>([]);
  let shown: ApiError | null = null;

  function fail(error: ApiError | null): void {
    shown = error;
    const split = error ? placeError(error, current(), options.map) : { placed: [], general: [] };
    placed.value = split.placed;
    general.value = split.general;
  }

  watch(
    () => JSON.stringify(current()),
    () => {
      const standing = stillStanding(placed.value, current());
      if (standing.length !== placed.value.length) placed.value = standing;
    },
  );
  for (const source of options.from ?? []) {
    watch(
      () => source.error,
      (error, before) => {
        if (error) fail(error);
        // A request that succeeds when asked again (a check after the connection came back)
        // takes its old message with it.
        else if (before && shown === before) fail(null);
      },
    );
  }

  const feedback = (field: string): string | undefined => placed.value.find((p) => p.field === field)?.message;

  const form = reactive({
    messages: computed(() => [...new Set([...placed.value.map((p) => p.message), ...general.value])]),
    item(field: string) {
      const message = feedback(field);
      return message === undefined ? {} : { feedback: message, validationStatus: 'error' as const };
    },
    feedback,
    fail,
    invalid(field: string | null, message: string) {
      fail(validationError([{ field, message }]));
    },
    clear: () => fail(null),
  });
  return form as ContractForm<F>;
}

/**
 * Ties field components (ui/Field*.vue) to a form: `bind('siteCode', 'vacc-site')` gives the
 * field's id, its value, how it changes and its message, for `<FieldSelect v-bind="...">`.
 */
export function fieldBinder<F extends object>(
  model: () => F,
  form: { item(field: keyof F & string): { feedback?: string; validationStatus?: 'error' } },
) {
  return <K extends keyof F & string>(field: K, id: string) => ({
    id,
    value: model()[field],
    'onUpdate:value': (value: F[K]) => {
      model()[field] = value;
    },
    ...form.item(field),
  });
}
