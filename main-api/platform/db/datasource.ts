// The application's connection as the signed-in user's own PostgreSQL role, through TypeORM.
// Row-level security and audit therefore apply to everything the application does.
import pg from 'pg';
import { DataSource } from 'typeorm';
import { entities } from '../../people/organisation.entity';

// DATE columns stay 'YYYY-MM-DD' strings (a JS Date would shift a date of birth across time
// zones); bigint ids and counts fit comfortably in a JS number.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export async function openDataSource(url: string, applicationName = 'IMS'): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    entities,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName,
    extra: { max: 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 },
  });
  await ds.initialize();
  return ds;
}
