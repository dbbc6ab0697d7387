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

/**
 * Recomputes a record with `compiled` (its own stored table, never the tables in force now) and its
 * stored facts; the differences from the stored result, path by path (none: identical). `evaluate`
 * wraps the engine call (the service turns engine errors into problems).
 */
export function replayRecord(
  record: StoredRecord,
  compiled: CompiledTable,
  evaluate: <T>(run: () => T) => T = (run) => run(),
): { replayed: unknown; differences: RecordDifference[] } {
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
  return { replayed, differences: diffJson(record.result, replayed) }
}
