// Public surface of the schedule engine.
export { type CompiledRules } from './compile';
export { forecast } from './forecast';
export { checkProposedDose } from './check';
export { scheduleRules, rulesVersion } from './shipped-rules';
export * from './types';
export { catchUpPlan, type CatchUpPlan, type CatchUpVisit, type CatchUpDose } from './catch-up';
