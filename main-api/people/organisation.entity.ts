// TypeORM entity schemas for the reference tables the application reads through repositories.
// Person search, records and cohort queries are parameterised SQL in main-api/repositories.
import { EntitySchema } from 'typeorm';

export interface OrganisationRow {
  code: string;
  name: string;
  orgType: string;
  parentCode: string | null;
  postcode: string | null;
  active: boolean;
}

export const OrganisationEntity = new EntitySchema<OrganisationRow>({
  name: 'Organisation',
  schema: 'ims',
  tableName: 'organisation',
  columns: {
    code: { type: 'text', primary: true },
    name: { type: 'text' },
    orgType: { type: 'text', name: 'org_type' },
    parentCode: { type: 'text', name: 'parent_code', nullable: true },
    postcode: { type: 'text', nullable: true },
    active: { type: 'boolean' },
  },
});

export const entities = [OrganisationEntity];
