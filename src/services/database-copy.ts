// Copying one database into another (SQLite → PostgreSQL): every row as it is (admission rounds too), then the audit chain verified and every record replayed.
import { compileTable } from '../../scoring/compile.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import type { DumpRow, Storage } from '../repositories/types.ts'
import type { AuditKey, ChainVerdict } from '../security/audit-chain.ts'
import { AuditService } from './audit.ts'
import { replayRecord } from './replay.ts'

/** Admission rounds, their applications (withdrawn ones too) and their result versions. */
type AdmissionKind = 'round' | 'application' | 'resultVersion'

export interface CopyReport {
  copied: Record<DumpRow['kind'] | AdmissionKind, number>
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
 *
 * Admission rounds, their applications and every result version follow in a second transaction, through
 * the repositories' own reads and writes (they are not dump rows): a copy that fails there leaves a target
 * that is not empty, and is redone into a fresh database, as any failed copy is.
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
    round: 0,
    application: 0,
    resultVersion: 0,
  }
  async function* counted(): AsyncIterable<DumpRow> {
    for await (const row of source.dump()) {
      copied[row.kind]++
      yield row
    }
  }
  await target.restore(counted())
  Object.assign(copied, await copyRounds(source, target))
  return { copied, ...(await checkDatabase(target, key)) }
}

const PAGE = 1000

/**
 * Every admission round as stored (status, published version, spec), each with all its applications in
 * ref order and its result versions 1 … n, in one transaction on the target. Result versions and
 * applications are written as they are: their hashes (inputsSha256) and the replay of each version come
 * out the same on the target, and so does each bulk's audit hash, since every application keeps its
 * batch number and position (null on rows stored before them).
 */
async function copyRounds(source: Storage, target: Storage): Promise<Record<AdmissionKind, number>> {
  const count = { round: 0, application: 0, resultVersion: 0 }
  await target.transaction(async (tx) => {
    for (let after: string | null = null; ; ) {
      const rounds = await source.admission.listRounds(after, PAGE)
      for (const r of rounds) {
        await tx.admission.createRound({
          id: r.id,
          district: r.district,
          spec: r.spec,
          status: r.status,
          publishedVersion: r.publishedVersion,
          createdAt: r.createdAt,
        })
        count.round++
        for (let ref: string | null = null; ; ) {
          const applications = await source.admission.listApplications(r.id, ref, PAGE)
          if (applications.length > 0) await tx.admission.insertApplications(applications)
          count.application += applications.length
          if (applications.length < PAGE) break
          ref = applications[applications.length - 1].applicationRef
        }
        for (let v = 1; v <= (r.latestVersion ?? 0); v++) {
          const result = await source.admission.getResult(r.id, v)
          if (result === null) throw new Error(`round ${r.id}: result version ${v} is missing`)
          await tx.admission.insertResult(result)
          count.resultVersion++
        }
      }
      if (rounds.length < PAGE) break
      after = rounds[rounds.length - 1].id
    }
  })
  return count
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
