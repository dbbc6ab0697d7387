// Hand-computed table cases (the *.cases.yaml beside each table): evaluate one and list its checks.
import { z } from 'zod'
import { ApplicantSchema } from '../schema/applicant.ts'
import { HouseholdSchema } from '../schema/household.ts'
import type { PointsResult } from '../schema/result.ts'
import type { Scheme } from '../schema/table.ts'
import type { EvalContext } from './compile.ts'
import type { TableRegistry } from './registry.ts'
import { evaluateAdmission, evaluatePermit, evaluateSettlement } from './schemes.ts'

const checksOf = <T extends z.ZodType>(value: T) =>
  z
    .record(z.string().min(1), value)
    .refine((r) => Object.keys(r).length > 0, { message: 'lists no row: it would check nothing' })

/**
 * What a case may expect. Strict: a misspelt key (`totl: 999`) is an error, not a check of nothing.
 * At least one value must be checked.
 */
export const CaseExpectSchema = z
  .object({
    table: z.string().min(1).optional(),
    /** the evaluation fails with a message containing this text */
    error: z.string().min(1).optional(),
    total: z.number().optional(),
    items: checksOf(z.number()).optional(),
    layers: checksOf(z.number()).optional(),
    eligible: z.boolean().optional(),
    frozenUntil: z.string().nullable().optional(),
    gates: checksOf(z.boolean()).optional(),
    provisionalRows: z.array(z.string()).optional(),
    entitlements: checksOf(z.boolean()).optional(),
    routes: checksOf(z.boolean()).optional(),
    pointsSettlement: z.boolean().optional(),
    priorityTier: z.string().nullable().optional(),
    points: z.number().nullable().optional(),
    scoringParent: z.number().int().nullable().optional(),
  })
  .strict()
  .refine((e) => Object.values(e).some((v) => v !== undefined), {
    message: 'expects nothing: a case must check at least one value',
  })

export const TableCaseSchema = z
  .object({
    name: z.string().min(1),
    /** a known gap: the case documents what policy says and why the engine does not yet do it */
    todo: z.string().min(1).optional(),
    jurisdiction: z.string().min(1),
    asOf: z.string().min(1),
    dates: z.record(z.string(), z.string()).optional(),
    /** checked by the applicant schema (strict) when the case runs */
    applicant: z.unknown().optional(),
    household: z.unknown().optional(),
    expect: CaseExpectSchema,
  })
  .strict()
  .refine((c) => (c.applicant === undefined) !== (c.household === undefined), {
    message: 'a case has an applicant or a household',
  })
export type TableCase = z.output<typeof TableCaseSchema>

/** A `*.cases.yaml` file: its cases, nothing else. */
export const CaseFileSchema = z.object({ cases: z.array(TableCaseSchema).min(1) }).strict()

export interface CaseCheck {
  what: string
  expected: unknown
  actual: unknown
}

type AnyResult = Record<string, unknown> & {
  ruleset: { id: string }
  gates?: { id: string; passed: boolean }[]
}

function pick<T>(
  rows: readonly T[],
  key: (r: T) => string,
  value: (r: T) => unknown,
  wanted: Record<string, unknown>,
) {
  const out: Record<string, unknown> = {}
  for (const id of Object.keys(wanted)) {
    const row = rows.find((r) => key(r) === id)
    out[id] = row === undefined ? '(no such row)' : value(row)
  }
  return out
}

function run(registry: TableRegistry, scheme: Scheme, c: TableCase): AnyResult {
  const ctx: EvalContext = { asOf: c.asOf, jurisdiction: c.jurisdiction, dates: c.dates }
  const table = registry.find(scheme, c.jurisdiction, c.asOf)
  /** the points result under the table in force, or null when none is (as the service does) */
  const pointsTable = registry.inForce('points', c.jurisdiction, c.asOf)
  const pointsOf = (a: ReturnType<typeof ApplicantSchema.parse>): PointsResult | null =>
    pointsTable === null ? null : pointsTable.evaluatePoints(a, ctx)
  switch (scheme) {
    case 'points':
      return table.evaluatePoints(ApplicantSchema.parse(c.applicant), ctx) as unknown as AnyResult
    case 'residence-permit':
      return evaluatePermit(table, ApplicantSchema.parse(c.applicant), ctx) as unknown as AnyResult
    case 'settlement': {
      const a = ApplicantSchema.parse(c.applicant)
      return evaluateSettlement(table, a, ctx, { points: pointsOf(a) }) as unknown as AnyResult
    }
    case 'admission':
      return evaluateAdmission(
        table,
        HouseholdSchema.parse(c.household),
        ctx,
        pointsOf,
      ) as unknown as AnyResult
  }
}

/** Evaluates a case and returns each expectation beside what the engine produced. */
export function evaluateCase(registry: TableRegistry, scheme: Scheme, c: TableCase): { checks: CaseCheck[] } {
  const e = c.expect
  const checks: CaseCheck[] = []
  let r: AnyResult
  try {
    r = run(registry, scheme, c)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (e.error !== undefined)
      return {
        checks: [{ what: 'error message', expected: true, actual: message.includes(e.error) || message }],
      }
    return { checks: [{ what: 'evaluation', expected: 'a result', actual: `threw: ${message}` }] }
  }
  if (e.error !== undefined) checks.push({ what: 'error', expected: e.error, actual: 'no error' })
  const add = (what: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined) checks.push({ what, expected, actual })
  }
  add('table', e.table, r.ruleset.id)
  add('total', e.total, r.total)
  add('eligible', e.eligible, r.eligible)
  add('frozenUntil', e.frozenUntil, r.frozenUntil)
  add('points', e.points, r.points)
  add('scoringParent', e.scoringParent, r.scoringParent)
  if (e.items)
    add(
      'items',
      e.items,
      pick(
        r.items as { id: string; points: number }[],
        (x) => x.id,
        (x) => x.points,
        e.items,
      ),
    )
  if (e.layers)
    add(
      'layers',
      e.layers,
      pick(
        r.layers as { id: string; points: number }[],
        (x) => x.id,
        (x) => x.points,
        e.layers,
      ),
    )
  if (e.gates)
    add(
      'gates',
      e.gates,
      pick(
        r.gates ?? [],
        (x) => x.id,
        (x) => x.passed,
        e.gates,
      ),
    )
  if (e.entitlements) {
    const rows = r.entitlements as { id: string; granted: boolean }[]
    add(
      'entitlements',
      e.entitlements,
      pick(
        rows,
        (x) => x.id,
        (x) => x.granted,
        e.entitlements,
      ),
    )
  }
  if (e.routes)
    add(
      'routes',
      e.routes,
      pick(
        r.routes as { id: string; passed: boolean }[],
        (x) => x.id,
        (x) => x.passed,
        e.routes,
      ),
    )
  if (e.pointsSettlement !== undefined) {
    add(
      'pointsSettlement',
      e.pointsSettlement,
      (r.pointsSettlement as { passed: boolean } | null)?.passed ?? '(none)',
    )
  }
  if (e.priorityTier !== undefined)
    add('priorityTier', e.priorityTier, (r.priorityTier as { id: string } | null)?.id ?? null)
  if (e.provisionalRows)
    add('provisionalRows', [...e.provisionalRows].sort(), [...(r.provisionalRows as string[])].sort())
  return { checks }
}
