// The residence-permit scheme: its table and result schemas, compile, score (numbers only) and explain.
import type { Applicant } from '../../../schema/applicant.ts'
import type { EntitlementResult, PermitResult } from '../../../schema/result.ts'
import type { Table } from '../../../schema/table.ts'
import { type DayNumber, fromDay, toDay } from '../../calendar.ts'
import type { CompiledTable, SchemeParts } from '../../compiled.ts'
import { compileCondition, type Env, type FactScope } from '../../conditions.ts'
import { type EvalContext, personEnv } from '../../env.ts'
import { permitStatus } from '../../facts.ts'
import { factsSha256 } from '../../hash.ts'
import { isProvisional, reasonOf } from '../../provisional.ts'
import { expectScheme, provisionalMarks, referencesOf } from '../common.ts'

export { PermitResultSchema as ResultSchema } from '../../../schema/result.ts'
export { PermitTableSchema as TableSchema } from '../../../schema/table.ts'

export const SCHEME = 'residence-permit'

/** What `score()` returns: the gate for holding a permit, the permit's state, each entitlement granted. */
export interface PermitOutcome {
  scheme: 'residence-permit'
  asOf: string
  jurisdiction: string
  eligible: boolean
  /** per table gate: passed */
  gates: boolean[]
  /** per entitlement: granted */
  entitlements: boolean[]
  held: boolean
  valid: boolean
  validSince: DayNumber | null
  lateEndorsements: number
}

/** Compiles the entitlements (their conditions read the person scope). */
export function compile(table: Table, scope: FactScope): SchemeParts['entitlements'] {
  return table.entitlements.map((e, i) => ({
    e,
    cond: e.when ? compileCondition(e.when, scope, `entitlements[${i}].when`) : null,
  }))
}

function envOf(c: CompiledTable, applicant: Applicant, ctx: EvalContext): Env {
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  return personEnv(applicant, c.table, toDay(ctx.asOf), jurisdiction, ctx, c.factGroups)
}

export function score(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PermitOutcome {
  expectScheme(c, 'residence-permit')
  return scoreIn(c, envOf(c, applicant, ctx), applicant, ctx)
}

function scoreIn(c: CompiledTable, env: Env, applicant: Applicant, ctx: EvalContext): PermitOutcome {
  const gates = c.gates.map((g) => g.test(env))
  const status = permitStatus(applicant.residence?.permit ?? null, toDay(ctx.asOf))
  return {
    scheme: 'residence-permit',
    asOf: ctx.asOf,
    jurisdiction: ctx.jurisdiction ?? c.table.jurisdiction,
    eligible: gates.every((g) => g),
    gates,
    entitlements: c.parts.entitlements.map(({ cond }) => cond === null || cond.test(env)),
    held: status.held,
    valid: status.valid,
    validSince: status.validSince,
    lateEndorsements: status.lateEndorsements,
  }
}

export function explain(
  c: CompiledTable,
  o: PermitOutcome,
  applicant: Applicant,
  ctx: EvalContext,
): PermitResult {
  expectScheme(c, 'residence-permit')
  return explainIn(c, o, envOf(c, applicant, ctx), applicant, ctx)
}

function explainIn(
  c: CompiledTable,
  o: PermitOutcome,
  env: Env,
  applicant: Applicant,
  ctx: EvalContext,
): PermitResult {
  const gates = c.gates.map((g, i) => g.explain(env, o.gates[i], ctx.asOf))
  const entitlements: EntitlementResult[] = c.parts.entitlements.map(({ e, cond }, i) => {
    const granted = o.entitlements[i]
    return {
      id: e.id,
      label: e.label,
      kind: e.kind,
      granted,
      reason:
        cond === null
          ? '无附加条件，持证即可享有'
          : `${granted ? '符合条件' : '不符合条件'}：${cond.explain(env)}`,
      ref: e.ref,
      provisional: isProvisional(e.provisional),
      ...reasonOf(e.provisional),
    }
  })
  return {
    scheme: 'residence-permit',
    jurisdiction: o.jurisdiction,
    asOf: o.asOf,
    eligible: o.eligible,
    gates,
    permit: {
      held: o.held,
      valid: o.valid,
      validSince: o.validSince === null ? null : fromDay(o.validSince),
      lateEndorsements: o.lateEndorsements,
    },
    entitlements,
    ...provisionalMarks(c, [...gates, ...entitlements]),
    ruleset: c.ref,
    ...referencesOf(c),
    factsSha256: factsSha256(applicant),
  }
}

/** score + explain on one environment: the full result. */
export function evaluate(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PermitResult {
  expectScheme(c, 'residence-permit')
  const env = envOf(c, applicant, ctx)
  return explainIn(c, scoreIn(c, env, applicant, ctx), env, applicant, ctx)
}
