// What every CLI command gets: a way to reach the database as its owner, and output.
import { resolveTarget, type DatabaseTarget } from '../platform/db/config';
import { createDatabaseIfMissing } from '../platform/db/datasource';
import { startEmbedded, type EmbeddedServer } from '../platform/db/embedded';
import { migrate } from '../platform/db/migrator';
import { migrationsDir } from '../platform/paths';
import { EMBEDDED_DATABASE } from '../host/host';

export interface CliContext {
  /** Owner (schema-maintaining) URL: IMS_DATABASE_URL, or the embedded server's superuser. */
  ownerUrl(): Promise<string>;
  target: DatabaseTarget;
  print(text: string): void;
  close(): Promise<void>;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const target = resolveTarget(env);
  let embedded: EmbeddedServer | null = null;
  let url: string | null = null;
  return {
    target,
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    async ownerUrl() {
      if (url) return url;
      if (target.kind === 'server') return (url = target.url);
      try {
        embedded = await startEmbedded({ dataDir: target.dataDir });
      } catch (error) {
        throw new Error(
          `Cannot start the embedded database in ${target.dataDir}. If the application is open, close it first. (${(error as Error).message})`,
          { cause: error },
        );
      }
      await createDatabaseIfMissing(embedded.superuserUrl('postgres'), EMBEDDED_DATABASE);
      url = embedded.superuserUrl(EMBEDDED_DATABASE);
      // Commands on the embedded default always see the current structure.
      await migrate(url, migrationsDir());
      return url;
    },
    async close() {
      await embedded?.stop();
      embedded = null;
    },
  };
}
