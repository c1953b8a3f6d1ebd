import { join } from 'node:path';
import type { Command } from 'commander';
import { appRoot } from '../../platform/paths';
import { createHost } from '../../host/host';
import { startHttpHost } from '../../host/http-server';
import type { CliContext } from '../context';

export function registerServeCommands(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Run the application for a web browser on this computer only (127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: any free port)', (v) => Number(v))
    .action(async (opts: { port?: number }) => {
      const host = createHost({
        target: ctx.target,
        log: (m, e) => process.stderr.write(`${m}${e ? `: ${(e as Error).stack ?? String(e)}` : ''}\n`),
      });
      let ready = false;
      const http = await startHttpHost({
        handlers: host.handlers,
        rendererDir: join(appRoot(), 'out', 'renderer'),
        port: opts.port,
        token: process.env.IMS_SERVE_TOKEN || undefined,
        isReady: () => ready,
        log: (m, e) => process.stderr.write(`${m}${e ? `: ${(e as Error).stack ?? String(e)}` : ''}\n`),
      });
      ctx.print(`IMS is starting. Open this address in a browser on this computer:\n  ${http.url}`);
      const stop = async (): Promise<void> => {
        await http.close();
        await host.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      try {
        await host.start();
        ready = true;
        ctx.print('IMS is ready.');
      } catch {
        // The failure is shown in the browser (session.state 'failed'); keep serving so it can be read.
        ready = true;
      }
      await new Promise<never>(() => {});
    });
}
