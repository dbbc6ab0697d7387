// The drizzle handle the SQLite repositories share (a type of its own, so that they need not import the backend that opens it).
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as tables from '../../../schema/db.ts'

export type Db = BetterSQLite3Database<typeof tables>
