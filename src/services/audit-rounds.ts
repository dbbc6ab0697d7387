// For `jifen audit verify`: admission rounds, their status, result versions and withdrawals against the round.* entries that wrote them.
import { contentSha256 } from '../../scoring/hash.ts'
import type { AdmissionRepository, StoredRound } from '../repositories/types.ts'
import type { AuditEntry } from '../security/audit-chain.ts'
import {
  parseVersionTarget,
  parseWithdrawalTarget,
  resultVersionHash,
  roundClosedHash,
  roundSpecHash,
  withdrawalHash,
} from '../security/object-hashes.ts'

type Status = StoredRound['status']

/** What a round's entries say, in log order: its definition, where its status ended, its versions. */
interface RoundTrail {
  /** the `round.created` hash; undefined when no entry created it */
  created: string | null | undefined
  /** `round.closed` hashes (one in practice) */
  closed: (string | null)[]
  /** the status and published version the last status-changing entry left */
  status: Status
  publishedVersion: number | null
  /** version → its `round.allocated` hash */
  allocated: Map<number, string | null>
  /** version → its `round.published` hash */
  published: Map<number, string | null>
}

export interface RoundsChecked {
  rounds: number
  resultVersions: number
  withdrawals: number
}

const describe = (status: Status, published: number | null) =>
  published === null ? status : `${status} (version ${published} published)`

/** Rounds are read a page at a time. */
const PAGE = 500

/**
 * Collects the round.* entries while the chain is walked (`see`), then compares them with what is
 * stored (`check`): each round's definition and status, each result version (recomputed from its
 * stored inputs hash and result, and its inputs against that hash), and the set of withdrawn
 * applications with their withdrawal instants.
 */
export class RoundLedger {
  private readonly rounds = new Map<string, RoundTrail>()
  /** `<round>\n<ref>` → the withdrawal entry's hash */
  private readonly withdrawals = new Map<string, string | null>()

  private trail(roundId: string): RoundTrail {
    let t = this.rounds.get(roundId)
    if (t === undefined) {
      t = {
        created: undefined,
        closed: [],
        status: 'open',
        publishedVersion: null,
        allocated: new Map(),
        published: new Map(),
      }
      this.rounds.set(roundId, t)
    }
    return t
  }

  see(e: AuditEntry): void {
    switch (e.action) {
      case 'round.created': {
        const t = this.trail(e.objectId)
        t.created = e.objectHash
        return
      }
      case 'round.closed': {
        const t = this.trail(e.objectId)
        t.closed.push(e.objectHash)
        t.status = 'closed'
        return
      }
      case 'round.allocated':
      case 'round.published': {
        const v = parseVersionTarget(e.objectId)
        if (v === null) return
        const t = this.trail(v.roundId)
        if (e.action === 'round.allocated') {
          t.allocated.set(v.version, e.objectHash)
          t.status = 'allocated'
          t.publishedVersion = null
        } else {
          t.published.set(v.version, e.objectHash)
          t.status = 'published'
          t.publishedVersion = v.version
        }
        return
      }
      case 'round.application_withdrawn': {
        const w = parseWithdrawalTarget(e.objectId)
        if (w !== null) this.withdrawals.set(`${w.roundId}\n${w.ref}`, e.objectHash)
        return
      }
    }
  }

  async check(repo: AdmissionRepository, problem: (p: string) => void): Promise<RoundsChecked> {
    const checked: RoundsChecked = { rounds: 0, resultVersions: 0, withdrawals: 0 }
    let after: string | null = null
    for (;;) {
      const page = await repo.listRounds(after, PAGE)
      for (const r of page) {
        checked.rounds++
        checked.resultVersions += await this.checkRound(repo, r, problem)
      }
      if (page.length < PAGE) break
      after = page[page.length - 1].id
    }
    for (const id of this.rounds.keys()) problem(`round ${id} is in the audit log but not stored (deleted)`)
    checked.withdrawals = await this.checkWithdrawals(repo, problem)
    return checked
  }

  /** One round's definition, status and versions; returns how many versions it stores. */
  private async checkRound(
    repo: AdmissionRepository,
    r: StoredRound,
    problem: (p: string) => void,
  ): Promise<number> {
    const t = this.rounds.get(r.id)
    this.rounds.delete(r.id)
    const name = `round ${r.id}`
    if (t?.created === undefined) problem(`${name} is in no audit entry (inserted)`)
    else if (t.created !== null && t.created !== roundSpecHash(r.spec))
      problem(`${name} differs from its round.created entry (its definition was rewritten)`)
    const district = (r.spec as { district?: unknown } | null)?.district
    if (typeof district === 'string' && district !== r.district)
      problem(`${name} is filed under district ${r.district}, its definition says ${district} (rewritten)`)
    for (const h of t?.closed ?? [])
      if (h !== null && h !== roundClosedHash(r.id))
        problem(`${name}: its round.closed entry names another round`)
    const status = t?.status ?? 'open'
    const publishedVersion = t?.publishedVersion ?? null
    if (r.status !== status || r.publishedVersion !== publishedVersion)
      problem(
        `${name} is ${describe(r.status, r.publishedVersion)}, its audit entries leave it ${describe(status, publishedVersion)} (status rewritten)`,
      )

    let stored = 0
    const allocated = t?.allocated ?? new Map<number, string | null>()
    const published = t?.published ?? new Map<number, string | null>()
    const last = Math.max(r.latestVersion ?? 0, ...allocated.keys(), ...published.keys())
    for (let version = 1; version <= last; version++) {
      const v = await repo.getResult(r.id, version)
      const vname = `version ${version} of ${name}`
      if (v === null) {
        if (allocated.has(version) || published.has(version))
          problem(`${vname} is in the audit log but not stored (deleted)`)
        continue
      }
      stored++
      if (contentSha256(v.inputs) !== v.inputsSha256)
        problem(`${vname}: its inputs do not match its inputs hash (rewritten)`)
      const h = resultVersionHash(v)
      const want = allocated.get(version)
      if (want === undefined) problem(`${vname} is in no audit entry (inserted)`)
      else if (want !== null && want !== h)
        problem(`${vname} differs from its round.allocated entry (rewritten)`)
      const pub = published.get(version)
      if (pub !== undefined && pub !== null && pub !== h)
        problem(`${vname} differs from its round.published entry (rewritten)`)
    }
    return stored
  }

  /** Every withdrawn application against its entry, then every entry left over; returns how many are withdrawn. */
  private async checkWithdrawals(repo: AdmissionRepository, problem: (p: string) => void): Promise<number> {
    let withdrawn = 0
    for (const w of await repo.withdrawals()) {
      const key = `${w.roundId}\n${w.applicationRef}`
      const want = this.withdrawals.get(key)
      this.withdrawals.delete(key)
      const name = `application ${w.applicationRef} of round ${w.roundId}`
      if (w.status === 'active') {
        problem(
          want === undefined
            ? `${name} is active but carries a withdrawal instant (rewritten)`
            : `${name} is active, its audit entry withdrew it (withdrawal undone)`,
        )
        continue
      }
      withdrawn++
      if (want === undefined)
        problem(`${name} is withdrawn, but no audit entry withdrew it (withdrawn outside the service)`)
      else if (want !== null && want !== withdrawalHash(w.roundId, w.applicationRef, w.withdrawnAt))
        problem(`${name}: its withdrawal instant differs from its audit entry (rewritten)`)
    }
    // entries whose application is not withdrawn: active again, or gone
    const byRound = new Map<string, string[]>()
    for (const key of this.withdrawals.keys()) {
      const i = key.indexOf('\n')
      const refs = byRound.get(key.slice(0, i)) ?? []
      refs.push(key.slice(i + 1))
      byRound.set(key.slice(0, i), refs)
    }
    for (const [roundId, refs] of byRound) {
      const found = new Set((await repo.getApplications(roundId, refs)).map((a) => a.applicationRef))
      for (const ref of refs)
        problem(
          found.has(ref)
            ? `application ${ref} of round ${roundId} is active, its audit entry withdrew it (withdrawal undone)`
            : `application ${ref} of round ${roundId} is withdrawn in the audit log but not stored (deleted)`,
        )
    }
    return withdrawn
  }
}
