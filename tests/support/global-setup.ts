// Starts one real PostgreSQL for the integration run (embedded unless IMS_TEST_DATABASE_URL
// names a server) and migrates a template database that every test file clones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../../main-api/platform/db/embedded';
import { migrate } from '../../main-api/platform/db/migrator';
import { migrationsDir } from '../../main-api/platform/paths';
import { withDatabase } from '../../main-api/platform/db/config';

export const TEMPLATE_DB = 'ims_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}

let server: EmbeddedServer | null = null;
let dataDir: string | null = null;

export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env.IMS_TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'ims-test-db-'));
    server = await startEmbedded({ dataDir, persistent: false });
    adminUrl = server.superuserUrl('postgres');
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await migrate(withDatabase(adminUrl, TEMPLATE_DB), migrationsDir());
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', TEMPLATE_DB);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
