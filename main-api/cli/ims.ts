#!/usr/bin/env node
// `ims`: the command-line interface for administrators, support staff and scripts.
import { Command } from 'commander';
import { AppError } from '../contract/result';
import { APP_VERSION } from '../host/version';
import { createCliContext } from './context';
import { registerMigrateCommands } from './commands/migrate';
import { registerServeCommands } from './commands/serve';
import { registerUserCommands } from './commands/user';
import { registerDemoCommands } from './commands/demo';
import { registerForecastCommands } from './commands/forecast';
import { registerCohortCommands } from './commands/cohort';
import { registerChildHealthCommands } from './commands/child-health';
import { registerRulesCommands } from './commands/rules';
import { registerCampaignCommands } from './commands/campaign';
import { registerLetterCommands } from './commands/letters';
import { registerSendCommands } from './commands/send';
import { registerMoverCommands } from './commands/movers';
import { registerCoverCommands } from './commands/cover';
import { registerImportCommands } from './commands/import';
import { registerSchoolCommands } from './commands/schools';
import { registerExchangeCommands } from './commands/exchange';

const ctx = createCliContext();
const program = new Command('ims').description('Immunisation Management System').version(APP_VERSION).showHelpAfterError();

registerMigrateCommands(program, ctx);
registerServeCommands(program, ctx);
registerUserCommands(program, ctx);
registerDemoCommands(program, ctx);
registerForecastCommands(program, ctx);
registerCohortCommands(program, ctx);
registerChildHealthCommands(program, ctx);
registerRulesCommands(program, ctx);
registerCampaignCommands(program, ctx);
registerLetterCommands(program, ctx);
registerSendCommands(program, ctx);
registerMoverCommands(program, ctx);
registerCoverCommands(program, ctx);
registerImportCommands(program, ctx);
registerSchoolCommands(program, ctx);
registerExchangeCommands(program, ctx);

program
  .parseAsync(process.argv)
  .then(() => ctx.close())
  .catch(async (error: unknown) => {
    await ctx.close().catch(() => {});
    const message = error instanceof AppError ? error.message : (error as Error).message;
    process.stderr.write(`ims: ${message}\n`);
    process.exit(error instanceof AppError && error.code === 'VALIDATION' ? 2 : 1);
  });
