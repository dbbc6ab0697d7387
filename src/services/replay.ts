// Replaying an official record of any scheme: its stored facts through its stored table, compared with its stored result.

import { ApplicantSchema } from '../../schema/applicant.ts'
import type { Scheme } from '../../schema/table.ts'
import type { CompiledTable, EvalContext } from '../../scoring/compile.ts'
import { factsSha256 } from '../../scoring/hash.ts'
import { evaluatePermit } from '../../scoring/schemes.ts'
import { AppError, bi } from '../errors.ts'
import type { StoredRecord } from '../repositories/types.ts'
import { diffJson } from './json-diff.ts'

/**
 * How a scheme's record is replayed: its stored facts parsed back into the engine's input (and
 * checked against their hash), and the engine run on them. A scheme that stores records adds one
 * entry here; nothing else in the record plumbing depends on the scheme.
 */
interface Replayer<Subject> {
  parseFacts(facts: unknown): Subject
  factsSha256(subject: Subject): string
  evaluate(compiled: CompiledTable, subject: Subject, ctx: EvalContext): unknown
}

const applicantFacts = {
  parseFacts: (facts: unknown) => ApplicantSchema.parse(facts),
  factsSha256,
}

const REPLAYERS: Partial<Record<Scheme, Replayer<ReturnType<typeof ApplicantSchema.parse>>>> = {
  points: { ...applicantFacts, evaluate: (c, a, ctx) => c.evaluatePoints(a, ctx) },
  'residence-permit': { ...applicantFacts, evaluate: (c, a, ctx) => evaluatePermit(c, a, ctx) },
}

export interface RecordDifference {
  path: string
  from: unknown
  to: unknown
}

/** A result as it reads back from JSON (no undefined members), so stored and fresh results compare equal. */
function asStored(result: unknown): unknown {
  return JSON.parse(JSON.stringify(result)) as unknown
}

/** Result members that are wording, not decisions: what the explain format of a release may reword. */
const WORDING = /(^|\.)(reason|detail|pointsSettlementReason)$/

/**
 * Whether a stored result was worded by the explain format before reasons were sentences (issue 15):
 * item values were bare facts (not `{ raw, label }`), and conditions read "…（需 ≥ 36）✓".
 */
export function oldWording(result: unknown): boolean {
  const r = result as { items?: { value?: unknown }[] }
  if (Array.isArray(r.items)) {
    for (const i of r.items) {
      const v = i.value as { raw?: unknown; label?: unknown } | null | undefined
      if (v === null || typeof v !== 'object' || !('raw' in v) || typeof v.label !== 'string') return true
    }
  }
  return /（需 [≥>≤<=≠属]|[✓✗]|"(不)?满足：/.test(JSON.stringify(result))
}

/** A fresh result in the old shape: each item's value as its bare fact (`raw` was the old `value`). */
function inOldShape(result: unknown): unknown {
  const r = result as { items?: { value: { raw: unknown } }[] }
  if (!Array.isArray(r.items)) return result
  return { ...r, items: r.items.map((i) => ({ ...i, value: i.value.raw })) }
}

/**
 * Recomputes a record with `compiled` (its own stored table, never the tables in force now) and its
 * stored facts; the differences from the stored result, path by path (none: identical), and apart
 * from them the sentences an older explain format worded otherwise. `evaluate` wraps the engine
 * call (the service turns engine errors into problems).
 */
export function replayRecord(
  record: StoredRecord,
  compiled: CompiledTable,
  evaluate: <T>(run: () => T) => T = (run) => run(),
): { replayed: unknown; differences: RecordDifference[]; wording: RecordDifference[] } {
  const replayer = REPLAYERS[record.scheme]
  if (replayer === undefined)
    throw new AppError(
      'RECORD_CORRUPT',
      bi(`${record.scheme} 类别的记录无法重放`, `records of the ${record.scheme} scheme cannot be replayed`),
    )
  const subject = replayer.parseFacts(record.facts)
  if (replayer.factsSha256(subject) !== record.factsSha256) {
    throw new AppError(
      'RECORD_CORRUPT',
      bi(
        `与 ${record.reference} 一同存储的事实与其哈希不符`,
        `the facts stored with ${record.reference} do not match their hash`,
      ),
    )
  }
  const ctx = { asOf: record.asOf, jurisdiction: record.jurisdiction, dates: record.dates }
  const replayed = asStored(evaluate(() => replayer.evaluate(compiled, subject, ctx)))
  // like with like: a record worded by an older explain format is compared with the fresh result in
  // its shape (item values as bare facts, still compared exactly), and its reworded sentences are
  // set apart as `wording`; numbers, passed flags, dates, ruleset and facts hashes all still count
  if (!oldWording(record.result))
    return { replayed, differences: diffJson(record.result, replayed), wording: [] }
  const all = diffJson(record.result, inOldShape(replayed))
  return {
    replayed,
    differences: all.filter((d) => !WORDING.test(d.path)),
    wording: all.filter((d) => WORDING.test(d.path)),
  }
}
