// Public surface of the schedule engine.
export { compileSchedule, type CompiledRules } from './compile';
export { forecast } from './forecast';
export { checkProposedDose } from './check';
export { loadScheduleFiles, parseRuleFile, RuleFileError, type LoadedRules } from './load';
export { benchForecast, loadDefaultRules, syntheticChildren, RULES_DIR } from './schedule.bench';
export { addMonthsDays, dayFromCivil, formatDay, formatLong, parseDay, schoolYearStart } from './dates';
export * from './types';
