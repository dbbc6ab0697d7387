// Reading and verifying the audit log: pages for the API; for `jifen audit verify`, the keyed chain, checkpoints, and every stored object (admission rounds and their applications too) against its entries.
import { appendFileSync, readFileSync } from 'node:fs'
import { contentSha256 } from '../../scoring/hash.ts'
import type { AuditPage, Storage } from '../repositories/types.ts'
import { type AuditKey, type ChainVerdict, ChainWalk, type Checkpoint } from '../security/audit-chain.ts'
import { legacyEntriesOf } from '../security/audit-key.ts'
import {
  apiKeyHash,
  applicationsHash,
  parseApplicationsStoredTarget,
  recordHash,
} from '../security/object-hashes.ts'
import { RoundLedger, type RoundsChecked } from './audit-rounds.ts'

/** At most this many object problems are listed; the rest are counted. */
const MAX_PROBLEMS = 100

/** The ruleset actions whose entry carries the table's hash, and the status each leaves it in. */
const RULESET_STATUS: Record<string, 'draft' | 'published' | 'retired'> = {
  'ruleset.seeded': 'published',
  'ruleset.draft_created': 'draft',
  'ruleset.draft_replaced': 'draft',
  'ruleset.published': 'published',
  'ruleset.retired': 'retired',
}

export interface VerifyReport {
  ok: boolean
  chain: ChainVerdict
  /** what the stored objects show against their audit entries (empty when the chain itself broke) */
  problems: string[]
  /** problems beyond the listed ones */
  problemsOmitted: number
  checked: Checked
}

export interface Checked extends RoundsChecked {
  records: number
  apiKeys: number
  rulesets: number
  /** bulks of applications (`round.applications_stored`) whose rows were hashed again */
  applicationBatches: number
  /** applications stored before batch numbers: counted against their entries, their contents not checkable */
  applicationsUnchecked: number
}

const NOTHING_CHECKED: Checked = {
  records: 0,
  apiKeys: 0,
  rulesets: 0,
  applicationBatches: 0,
  applicationsUnchecked: 0,
  rounds: 0,
  resultVersions: 0,
  withdrawals: 0,
}

/** A checkpoint file's lines: JSON checkpoints, one a line; blank lines are skipped. */
export function parseCheckpoints(text: string): { checkpoints: Checkpoint[]; bad: number | null } {
  const checkpoints: Checkpoint[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === '') continue
    try {
      const c = JSON.parse(line) as Checkpoint
      if (
        typeof c !== 'object' ||
        c === null ||
        !Number.isSafeInteger(c.seq) ||
        typeof c.hash !== 'string' ||
        !Number.isSafeInteger(c.legacy) ||
        typeof c.at !== 'string' ||
        typeof c.mac !== 'string'
      )
        return { checkpoints, bad: i + 1 }
      checkpoints.push(c)
    } catch {
      return { checkpoints, bad: i + 1 }
    }
  }
  return { checkpoints, bad: null }
}

/** `JF-2026-000123` → year and number. */
function referenceParts(reference: string): { year: number; seq: number } | null {
  const m = /^JF-(\d{4})-(\d+)$/.exec(reference)
  return m === null ? null : { year: Number(m[1]), seq: Number(m[2]) }
}

export class AuditService {
  /** the head last written to the checkpoint file by this process */
  private checkpointed = -1

  constructor(
    private readonly storage: Storage,
    private readonly key: AuditKey,
  ) {}

  page(after: number, limit: number): Promise<AuditPage> {
    return this.storage.audit.page(after, limit)
  }

  /** The head now, signed: for the operator to keep elsewhere (`jifen audit checkpoint`). */
  async checkpoint(at: string): Promise<Checkpoint> {
    const head = await this.storage.audit.head()
    const legacy = (await legacyEntriesOf(this.storage)) ?? (await this.storage.audit.legacyCount())
    return this.key.checkpoint({ seq: head?.seq ?? 0, hash: head?.hash ?? '', legacy, at })
  }

  /** Appends the signed head to `file` (one JSON line, mode 0600) when the chain moved since the last one. */
  async appendCheckpoint(file: string, at: string): Promise<Checkpoint | null> {
    const c = await this.checkpoint(at)
    if (c.seq === this.checkpointed || c.seq === 0) return null
    appendFileSync(file, `${JSON.stringify(c)}\n`, { mode: 0o600 })
    this.checkpointed = c.seq
    return c
  }

  /** Reads a checkpoint file and verifies against it; a line not signed with this key fails the verdict. */
  async verifyWithFile(file: string): Promise<VerifyReport> {
    const { checkpoints, bad } = parseCheckpoints(readFileSync(file, 'utf8'))
    const failed = (reason: string): VerifyReport => ({
      ok: false,
      chain: { ok: false, entries: 0, legacy: 0, brokenAt: 0, reason },
      problems: [],
      problemsOmitted: 0,
      checked: { ...NOTHING_CHECKED },
    })
    if (bad !== null) return failed(`${file} line ${bad} is not a checkpoint`)
    const unsigned = checkpoints.findIndex((c) => !this.key.signed(c))
    if (unsigned >= 0)
      return failed(`checkpoint ${unsigned + 1} of ${file} is not signed with this audit key`)
    return this.verify(checkpoints)
  }

  /**
   * Walks the chain (keyed, gapless, matching every checkpoint, not shorter than any), then checks
   * every stored object against the last entry that recorded it: a record, key or table missing
   * (deleted), differing (rewritten) or in no entry (forged), and a gap in reference numbers. Each
   * bulk of applications is hashed again from its rows (round and batch number, in position order);
   * rows stored before batch numbers are only counted against their round's entries of that time.
   * Rounds, their status, result versions and withdrawals: src/services/audit-rounds.ts.
   */
  async verify(checkpoints: readonly Checkpoint[] = []): Promise<VerifyReport> {
    // a checkpoint is signed, the database's own statement is not: the checkpoint's count wins
    const legacyUntil =
      checkpoints.length > 0
        ? Math.min(...checkpoints.map((c) => c.legacy))
        : await legacyEntriesOf(this.storage)
    const walk = new ChainWalk(this.key, { legacyUntil, checkpoints })
    const records = new Map<string, string | null>()
    const keys = new Map<string, string | null>()
    const rulesets = new Map<string, { hash: string | null; action: string }>()
    /** `<round>\n<batch>` → the entry that stored that bulk */
    const batches = new Map<string, { roundId: string; batch: number; count: number; hash: string | null }>()
    /** round → applications its entries from before batch numbers stored */
    const unnumbered = new Map<string, number>()
    const ledger = new RoundLedger()
    let chain: ChainVerdict | null = null
    for await (const e of this.storage.audit.entries()) {
      chain = walk.step(e)
      if (chain !== null) break
      ledger.see(e)
      if (e.action === 'evaluation.created') records.set(e.objectId, e.objectHash)
      else if (e.action.startsWith('api_key.')) keys.set(e.objectId, e.objectHash)
      else if (e.action in RULESET_STATUS) rulesets.set(e.objectId, { hash: e.objectHash, action: e.action })
      else if (e.action === 'round.applications_stored') {
        const target = parseApplicationsStoredTarget(e.objectId)
        if (target === null) continue
        if (target.batch === null)
          unnumbered.set(target.roundId, (unnumbered.get(target.roundId) ?? 0) + target.count)
        else
          batches.set(`${target.roundId}\n${target.batch}`, {
            ...target,
            batch: target.batch,
            hash: e.objectHash,
          })
      }
    }
    chain ??= walk.finish()
    const checked = { ...NOTHING_CHECKED }
    if (!chain.ok) return { ok: false, chain, problems: [], problemsOmitted: 0, checked }

    const problems: string[] = []
    let omitted = 0
    const problem = (p: string) => {
      if (problems.length < MAX_PROBLEMS) problems.push(p)
      else omitted++
    }

    let year = 0
    let last = 0
    for await (const r of this.storage.records.all()) {
      checked.records++
      const ref = referenceParts(r.reference)
      if (ref === null) problem(`record ${r.id}: reference ${r.reference} is malformed`)
      else {
        if (ref.year !== year) {
          year = ref.year
          last = 0
        }
        if (ref.seq !== last + 1)
          problem(
            `reference numbers of ${year} jump from ${last} to ${ref.seq}: ${ref.seq - last - 1} missing (deleted)`,
          )
        last = ref.seq
      }
      const want = records.get(r.id)
      if (want === undefined) problem(`record ${r.reference} is in no audit entry (inserted)`)
      else if (want !== null && want !== recordHash(r))
        problem(`record ${r.reference} differs from its audit entry (rewritten)`)
      records.delete(r.id)
    }
    for (const id of records.keys()) problem(`record ${id} is in the audit log but not stored (deleted)`)

    for (const k of await this.storage.apiKeys.list()) {
      checked.apiKeys++
      const want = keys.get(k.id)
      if (want === undefined) problem(`API key ${k.name} is in no audit entry (inserted)`)
      else if (want !== null && want !== apiKeyHash(k))
        problem(`API key ${k.name} differs from its last audit entry (its scopes or state changed)`)
      keys.delete(k.id)
    }
    for (const id of keys.keys()) problem(`API key ${id} is in the audit log but not stored (deleted)`)

    for (const r of await this.storage.rulesets.list()) {
      checked.rulesets++
      if (contentSha256(r.table) !== r.sha256) problem(`ruleset ${r.id}: its table does not match its hash`)
      const want = rulesets.get(r.id)
      if (want === undefined) problem(`ruleset ${r.id} is in no audit entry (inserted)`)
      else {
        if (want.hash !== null && want.hash !== r.sha256)
          problem(`ruleset ${r.id} differs from its last audit entry (its table was changed)`)
        if (RULESET_STATUS[want.action] !== r.status)
          problem(`ruleset ${r.id} is ${r.status}, its last audit entry (${want.action}) says otherwise`)
      }
      rulesets.delete(r.id)
    }
    for (const id of rulesets.keys()) problem(`ruleset ${id} is in the audit log but not stored (deleted)`)

    for (const b of await this.storage.admission.applicationBatches()) {
      if (b.batch === null) {
        // stored before batch numbers: which entry stored which row is not known, how many rows is
        const want = unnumbered.get(b.roundId) ?? 0
        if (b.applications !== want)
          problem(
            `round ${b.roundId}: ${b.applications} applications carry no batch number, its audit entries from before batch numbers stored ${want} (inserted, deleted or renumbered)`,
          )
        checked.applicationsUnchecked += b.applications
        unnumbered.delete(b.roundId)
        continue
      }
      const name = `round ${b.roundId} batch ${b.batch}`
      const key = `${b.roundId}\n${b.batch}`
      const want = batches.get(key)
      batches.delete(key)
      checked.applicationBatches++
      if (want === undefined) {
        problem(`${name} (${b.applications} applications) is in no audit entry (inserted)`)
        continue
      }
      if (b.applications !== want.count)
        problem(
          `${name} holds ${b.applications} applications, its audit entry stored ${want.count} (inserted or deleted)`,
        )
      else if (
        want.hash !== null &&
        applicationsHash(await this.storage.admission.batchText(b.roundId, b.batch)) !== want.hash
      )
        problem(`${name} differs from its audit entry (rewritten)`)
    }
    for (const b of batches.values())
      problem(`round ${b.roundId} batch ${b.batch} is in the audit log but not stored (deleted)`)
    for (const [roundId, count] of unnumbered)
      if (count > 0)
        problem(`round ${roundId}: ${count} applications are in the audit log but not stored (deleted)`)

    Object.assign(checked, await ledger.check(this.storage.admission, problem))

    return { ok: problems.length === 0, chain, problems, problemsOmitted: omitted, checked }
  }
}
