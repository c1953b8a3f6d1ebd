// Public surface of the schedule engine.
export { compileSchedule, type CompiledRules } from './compile';
export { forecast } from './forecast';
export { checkProposedDose } from './check';
export { loadScheduleFiles, parseRuleFile, RuleFileError, type LoadedRules } from './load';
export { scheduleRules, rulesVersion, defaultRulesDir } from './shipped-rules';
export * from './types';
