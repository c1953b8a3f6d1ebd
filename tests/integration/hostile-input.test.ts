// The hostile-input sweep, first half of the channels (the sweep itself: hostile-input.sweep.ts).
import { sweepHostileInput } from './hostile-input.sweep';

sweepHostileInput(0, 2);
