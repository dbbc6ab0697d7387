// `jifen audit verify`: walks the audit log's hash chain and reports the first broken link (exit 1).
import type { Command } from 'commander'
import { AuditService } from '../services/audit.ts'
import { DB_OPTION, openCliStorage } from './storage.ts'

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log of official actions')
  audit
    .command('verify')
    .description('check every entry against its content and its predecessor; exit 1 at the first broken link')
    .option('--json', 'print the verdict as JSON')
    .option(...DB_OPTION)
    .action(async (opts: { json?: boolean; db?: string }) => {
      const storage = await openCliStorage(opts.db)
      try {
        const verdict = await new AuditService(storage.audit).verify()
        if (opts.json) process.stdout.write(`${JSON.stringify(verdict)}\n`)
        else if (verdict.ok) process.stdout.write(`audit log intact: ${verdict.entries} entries\n`)
        else
          process.stdout.write(
            `audit log broken at entry ${verdict.brokenAt}: ${verdict.reason} (${verdict.entries} entries read)\n`,
          )
        if (!verdict.ok) process.exitCode = 1
      } finally {
        await storage.close()
      }
    })
}
