// Public surface of the schedule engine.
export { type CompiledRules } from './compile';
export { forecast } from './forecast';
export { checkProposedDose } from './check';
export { scheduleRules, rulesVersion, shippedRuleFiles } from './shipped-rules';
export { checkRuleFileText, type RuleFileData } from './load';
export {
  compileRuleFiles,
  resolveRuleSet,
  ruleFileKey,
  ruleFileReach,
  ruleKeyOf,
  type ImportedRuleFile,
  type RuleFileReach,
} from './rule-set';
export { activeImportedFiles, effectiveRules, effectiveRulesOn, refusedImportedFile, type RuleSource } from './effective-rules';
export * from './types';
export {
  /** @public Catch-up planning; the movers-in plan (child health issue) prints it. */
  catchUpPlan,
  /** @public */
  type CatchUpPlan,
} from './catch-up';
