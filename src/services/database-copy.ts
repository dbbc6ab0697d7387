// Copying one database into another (SQLite → PostgreSQL): every row as it is, then the audit chain verified and every record replayed.
import { compileTable } from '../../scoring/compile.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import type { DumpRow, Storage } from '../repositories/types.ts'
import type { AuditKey, ChainVerdict } from '../security/audit-chain.ts'
import { AuditService } from './audit.ts'
import { replayRecord } from './replay.ts'

export interface CopyReport {
  copied: Record<DumpRow['kind'], number>
  audit: ChainVerdict
  /** records replayed with their stored table on the target */
  replayed: number
  /** references of records that did not replay identically (or could not be replayed), with why */
  notIdentical: { reference: string; reason: string }[]
}

/**
 * Writes every row of `source` into the empty `target` in one transaction (all or nothing), keeping
 * ids, reference numbers, timestamps and hashes; then checks the target as an auditor would: the
 * audit chain verifies, and every record replays `identical` with its stored table.
 */
export async function copyDatabase(source: Storage, target: Storage, key: AuditKey): Promise<CopyReport> {
  const copied: CopyReport['copied'] = {
    setting: 0,
    ruleset: 0,
    apiKey: 0,
    record: 0,
    recordVoid: 0,
    audit: 0,
    idempotency: 0,
  }
  async function* counted(): AsyncIterable<DumpRow> {
    for await (const row of source.dump()) {
      copied[row.kind]++
      yield row
    }
  }
  await target.restore(counted())
  return { copied, ...(await checkDatabase(target, key)) }
}

/** The audit chain and every record's replay, on one database. */
export async function checkDatabase(storage: Storage, key: AuditKey): Promise<Omit<CopyReport, 'copied'>> {
  // the keyed chain and every object against its entry, as `jifen audit verify` does
  const report = await new AuditService(storage, key).verify()
  const audit: ChainVerdict =
    report.ok || !report.chain.ok
      ? report.chain
      : {
          ok: false,
          entries: report.chain.entries,
          legacy: report.chain.legacy,
          brokenAt: 0,
          reason: report.problems.join('; '),
        }
  const compiled = new Map<string, ReturnType<typeof compileTable> | string>()
  const notIdentical: CopyReport['notIdentical'] = []
  let replayed = 0
  for await (const record of storage.records.all()) {
    const key = `${record.rulesetId}#${record.rulesetSha256}`
    let table = compiled.get(key)
    if (table === undefined) {
      const stored = await storage.rulesets.get(record.rulesetId)
      table =
        stored === null
          ? `table ${record.rulesetId} is missing`
          : contentSha256(stored.table) !== record.rulesetSha256
            ? `table ${record.rulesetId} does not match the record's hash`
            : compileTable(stored.table)
      compiled.set(key, table)
    }
    if (typeof table === 'string') {
      notIdentical.push({ reference: record.reference, reason: table })
      continue
    }
    try {
      const { differences } = replayRecord(record, table)
      replayed++
      if (differences.length > 0)
        notIdentical.push({
          reference: record.reference,
          reason: `differs at ${differences.map((d) => d.path).join(', ')}`,
        })
    } catch (e) {
      notIdentical.push({ reference: record.reference, reason: (e as Error).message })
    }
  }
  return { audit, replayed, notIdentical }
}
