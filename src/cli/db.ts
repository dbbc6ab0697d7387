// `jifen db migrate|backup|copy`: the database's operations, for SQLite and PostgreSQL alike.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { isPostgresUrl } from '../config.ts'
import { openStorage } from '../repositories/open.ts'
import { redactUrl } from '../repositories/postgres/database.ts'
import { backupSqlite } from '../repositories/sqlite/database.ts'
import { copyDatabase } from '../services/database-copy.ts'
import { cliAuditKey, cliConfig, DB_OPTION, openCliStorage } from './storage.ts'
import { UsageError } from './usage-error.ts'

/** What `db backup` says for PostgreSQL, whose own tool makes a consistent online dump. */
export function pgDumpGuidance(url: string, file: string): string {
  const shown = redactUrl(url)
  return [
    'jifen: PostgreSQL is backed up with its own tools, which take a consistent snapshot while every instance keeps serving:',
    `  pg_dump --format=custom --file ${file} '${shown}'`,
    `  restore into an empty database: pg_restore --dbname '<new database URL>' ${file}`,
    'Keep the ID-number secret (JIFEN_ID_HMAC_SECRET or its file) out of that backup and stored elsewhere.',
  ].join('\n')
}

export function registerDb(program: Command): void {
  const db = program.command('db').description('migrate, back up and copy the database')
  db.command('migrate')
    .description('apply the migrations (as a start does) without serving; two at once migrate once')
    .option(...DB_OPTION)
    .action(async (opts: { db?: string }) => {
      const storage = await openCliStorage(opts.db)
      try {
        process.stdout.write(`migrated: ${storage.location} (${storage.backend})\n`)
      } finally {
        await storage.close()
      }
    })
  db.command('backup')
    .description(
      'an online, consistent copy of the SQLite database into FILE (mode 0600); pg_dump guidance for PostgreSQL',
    )
    .argument('<file>', 'the backup file to create; it must not exist')
    .option(...DB_OPTION)
    .action(async (file: string, opts: { db?: string }) => {
      const config = cliConfig(opts.db)
      if (config.databaseUrl !== null) {
        process.stderr.write(`${pgDumpGuidance(config.databaseUrl, file)}\n`)
        process.exitCode = 2
        return
      }
      if (config.dbPath === ':memory:') throw new UsageError('an in-memory database has nothing to back up')
      if (!existsSync(config.dbPath)) throw new UsageError(`no database at ${config.dbPath}`)
      if (existsSync(file)) throw new UsageError(`${file} exists; give a new file`)
      const { pages } = await backupSqlite(config.dbPath, file)
      process.stdout.write(`backed up ${config.dbPath} to ${file} (${pages} pages, consistent)\n`)
      process.stderr.write(
        'the ID-number secret is not in this backup: keep it apart (JIFEN_SECRETS_DIR or JIFEN_ID_HMAC_SECRET_FILE)\n',
      )
    })
  db.command('copy')
    .description(
      'copy every record, key, table, audit entry and idempotency key into a new, empty database (SQLite → PostgreSQL); then verify the audit chain and replay every record',
    )
    .requiredOption('--from <path-or-url>', 'the database to copy: an SQLite file or a postgres:// URL')
    .requiredOption(
      '--to <path-or-url>',
      'the empty database to fill: a postgres:// URL or a new SQLite file',
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: { from: string; to: string; json?: boolean }) => {
      if (!isPostgresUrl(opts.from) && !existsSync(opts.from))
        throw new UsageError(`--from: no database at ${opts.from}`)
      const sourceConfig = cliConfig(opts.from)
      const source = await openStorage(sourceConfig)
      try {
        const key = await cliAuditKey(sourceConfig, source)
        const target = await openCliStorage(opts.to)
        try {
          const report = await copyDatabase(source, target, key)
          const ok = report.audit.ok && report.notIdentical.length === 0
          if (opts.json) process.stdout.write(`${JSON.stringify({ ok, ...report })}\n`)
          else {
            const c = report.copied
            process.stdout.write(
              [
                `copied ${source.location} → ${target.location}:`,
                `  ${c.ruleset} rulesets, ${c.record} records, ${c.apiKey} API keys, ${c.audit} audit entries, ${c.idempotency} idempotency keys, ${c.setting} settings`,
                report.audit.ok
                  ? `  audit chain intact: ${report.audit.entries} entries`
                  : `  audit chain broken at entry ${report.audit.brokenAt}: ${report.audit.reason}`,
                `  ${report.replayed} records replayed, ${report.notIdentical.length} not identical`,
                ...report.notIdentical.slice(0, 20).map((n) => `    ${n.reference}: ${n.reason}`),
                '',
              ].join('\n'),
            )
          }
          if (!ok) process.exitCode = 1
        } finally {
          await target.close()
        }
      } finally {
        await source.close()
      }
    })
}
