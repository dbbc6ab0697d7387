// `jifen audit verify|checkpoint`: the keyed chain, every stored object (admission rounds, bulks, withdrawals and result versions too) against its entry, and signed heads to keep elsewhere.
import { appendFileSync } from 'node:fs'
import type { Command } from 'commander'
import { systemClock } from '../clock.ts'
import { openStorage } from '../repositories/open.ts'
import { AuditService, type VerifyReport } from '../services/audit.ts'
import { cliAuditKey, cliConfig, DB_OPTION } from './storage.ts'

function describe(r: VerifyReport): string {
  const c = r.chain
  const lines: string[] = []
  if (!c.ok) lines.push(`audit log broken at entry ${c.brokenAt}: ${c.reason} (${c.entries} entries read)`)
  else {
    lines.push(`audit chain intact: ${c.entries} entries`)
    if (c.legacy > 0)
      lines.push(
        `  entries 1–${c.legacy} are legacy (unkeyed, written before the chain was keyed): they are pinned by the keyed entries after them, but their objects' contents are not recorded`,
      )
    lines.push(
      `  checked ${r.checked.records} records, ${r.checked.apiKeys} API keys, ${r.checked.rulesets} rulesets, ${r.checked.rounds} admission rounds, ${r.checked.applicationBatches} bulks of applications, ${r.checked.withdrawals} withdrawals, ${r.checked.resultVersions} result versions against their entries`,
    )
    if (r.checked.applicationsUnchecked > 0)
      lines.push(
        `  ${r.checked.applicationsUnchecked} applications were stored before batch numbers: counted against their entries, their contents not checkable`,
      )
    for (const p of r.problems) lines.push(`  TAMPERED: ${p}`)
    if (r.problemsOmitted > 0) lines.push(`  … and ${r.problemsOmitted} more`)
    lines.push(r.ok ? 'verdict: intact' : 'verdict: tampered')
  }
  return `${lines.join('\n')}\n`
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log of official actions')
  audit
    .command('verify')
    .description(
      'check every entry (its HMAC under the audit key, its link, no gap), every checkpoint, and every record, API key, ruleset, admission round (definition and status), bulk of applications, withdrawal and result version against its entries (deleted, rewritten or inserted objects, gaps in reference numbers); exit 1 when anything fails',
    )
    .option(
      '--checkpoint <file>',
      'checkpoints kept elsewhere (`jifen audit checkpoint` lines): the log must still hold each',
    )
    .option('--json', 'print the report as JSON')
    .option(...DB_OPTION)
    .action(async (opts: { json?: boolean; db?: string; checkpoint?: string }) => {
      const config = cliConfig(opts.db)
      const storage = await openStorage(config)
      try {
        const service = new AuditService(storage, await cliAuditKey(config, storage))
        const report =
          opts.checkpoint === undefined
            ? await service.verify()
            : await service.verifyWithFile(opts.checkpoint)
        process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : describe(report))
        if (!report.ok) process.exitCode = 1
      } finally {
        await storage.close()
      }
    })
  audit
    .command('checkpoint')
    .description(
      'print the head of the chain (sequence number and hash) signed with the audit key, as one JSON line to keep elsewhere; `verify --checkpoint` then detects a rewrite or truncation',
    )
    .option('--append <file>', 'also append the line to this file (mode 0600)')
    .option(...DB_OPTION)
    .action(async (opts: { db?: string; append?: string }) => {
      const config = cliConfig(opts.db)
      const storage = await openStorage(config)
      try {
        const service = new AuditService(storage, await cliAuditKey(config, storage))
        const line = `${JSON.stringify(await service.checkpoint(systemClock.now().toISOString()))}\n`
        if (opts.append !== undefined) appendFileSync(opts.append, line, { mode: 0o600 })
        process.stdout.write(line)
      } finally {
        await storage.close()
      }
    })
}
