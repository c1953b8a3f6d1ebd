// Public surface of the schedule engine.
export { type CompiledRules } from './compile';
export { forecast } from './forecast';
export { checkProposedDose } from './check';
export { scheduleRules, rulesVersion } from './shipped-rules';
export * from './types';
export {
  /** @public Catch-up planning; the movers-in plan (child health issue) prints it. */
  catchUpPlan,
  /** @public */
  type CatchUpPlan,
} from './catch-up';
