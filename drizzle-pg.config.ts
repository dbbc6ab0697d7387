// drizzle-kit configuration for PostgreSQL: tables in schema/db-pg.ts, migrations generated into schema/migrations-pg.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './schema/db-pg.ts',
  out: './schema/migrations-pg',
})
