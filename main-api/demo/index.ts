// The synthetic demonstration region. Only composition roots (host, CLI) import it: the desktop's
// zero-setup first start builds a region; no domain depends on it.
export { benchDemoLoad, loadDemoRegion, type DemoProgress } from './load';
export { overallFraction, phaseLabel } from './progress';
