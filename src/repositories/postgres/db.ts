// The drizzle handle the PostgreSQL repositories share (a type of its own, so that they need not import the backend that opens it).
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type * as tables from '../../../schema/db-pg.ts'

export type PgDb = NodePgDatabase<typeof tables>
