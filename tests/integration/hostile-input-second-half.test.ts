// The hostile-input sweep, second half of the channels, run beside the first (hostile-input.sweep.ts).
import { sweepHostileInput } from './hostile-input.sweep';

sweepHostileInput(1, 2);
