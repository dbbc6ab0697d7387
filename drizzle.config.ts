// drizzle-kit configuration: SQLite tables in schema/db.ts, migrations generated into schema/migrations.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './schema/db.ts',
  out: './schema/migrations',
})
