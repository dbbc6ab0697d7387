// The settlement scheme: its table and result schemas, compile, score (numbers only) and explain.
import type { Applicant } from '../../../schema/applicant.ts'
import type { RouteResult, SettlementResult } from '../../../schema/result.ts'
import type { Table } from '../../../schema/table.ts'
import type { AllocationApplication, FailedGate } from '../../allocation.ts'
import { toDay } from '../../calendar.ts'
import type { CompiledTable, SchemeParts } from '../../compiled.ts'
import type { Env, FactScope } from '../../conditions.ts'
import { type EvalContext, personEnv } from '../../env.ts'
import { toScaled } from '../../exact.ts'
import { groupsFor, PERSON_INDEX } from '../../facts.ts'
import { CompiledGate } from '../../gates.ts'
import { factsSha256 } from '../../hash.ts'
import { isProvisional, reasonOf } from '../../provisional.ts'
import { expectScheme, provisionalMarks, referencesOf } from '../common.ts'
import type { PointsUsed } from '../points/index.ts'

export { SettlementResultSchema as ResultSchema } from '../../../schema/result.ts'
export { SettlementTableSchema as TableSchema } from '../../../schema/table.ts'

export const SCHEME = 'settlement'

/** What `score()` returns: each route's gates, and points settlement when the table has it. */
export interface SettlementOutcome {
  scheme: 'settlement'
  asOf: string
  jurisdiction: string
  eligible: boolean
  /** per route: passed, and each of its gates (empty for a route unavailable in the period) */
  routes: { passed: boolean; gates: boolean[] }[]
  pointsSettlement: {
    passed: boolean
    gates: boolean[]
    /** the points in force are on another table's scale than the threshold's */
    wrongScale: boolean
    /** the points used (null: none in force, or on the wrong scale) */
    points: PointsUsed | null
    /** the points table in force when it was on the wrong scale */
    otherRuleset: string | null
  } | null
}

/** Compiles the routes' gates and the points-settlement gates. */
export function compile(
  table: Table,
  scope: FactScope,
): Pick<SchemeParts, 'routes' | 'pointsSettlementGates'> {
  return {
    routes: table.routes.map((r, i) => ({
      r,
      gates: r.gates.map((g, j) => new CompiledGate(g, scope, `routes[${i}].gates[${j}]`)),
    })),
    pointsSettlementGates: (table.pointsSettlement?.gates ?? []).map(
      (g, i) => new CompiledGate(g, scope, `pointsSettlement.gates[${i}]`),
    ),
  }
}

function envOf(c: CompiledTable, applicant: Applicant, ctx: EvalContext): Env {
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  return personEnv(applicant, c.table, toDay(ctx.asOf), jurisdiction, ctx, c.factGroups)
}

/**
 * `points` is the applicant's points under the points table in force, which the caller looks up
 * (null when none is in force): a PointsResult, or `pointsUsed` of a points outcome.
 */
export function score(
  c: CompiledTable,
  applicant: Applicant,
  ctx: EvalContext,
  deps: { points: PointsUsed | null },
): SettlementOutcome {
  expectScheme(c, 'settlement')
  return scoreIn(c, envOf(c, applicant, ctx), ctx, deps)
}

function scoreIn(
  c: CompiledTable,
  env: Env,
  ctx: EvalContext,
  deps: { points: PointsUsed | null },
): SettlementOutcome {
  const routes = c.parts.routes.map(({ r, gates }) => {
    if (r.unavailable !== undefined) return { passed: false, gates: [] }
    const passed = gates.map((g) => g.test(env))
    return { passed: passed.every((p) => p), gates: passed }
  })
  let pointsSettlement: SettlementOutcome['pointsSettlement'] = null
  const ps = c.table.pointsSettlement
  if (ps) {
    const gates = c.parts.pointsSettlementGates.map((g) => g.test(env))
    // a threshold is on one table's scale: points from another table in force do not count
    const wrongScale =
      deps.points !== null && ps.pointsTable !== undefined && deps.points.ruleset.id !== ps.pointsTable
    const points = wrongScale ? null : deps.points
    const passed =
      points !== null && points.total >= ps.threshold && points.eligible === true && gates.every((g) => g)
    pointsSettlement = {
      passed,
      gates,
      wrongScale,
      points:
        points === null
          ? null
          : {
              total: points.total,
              eligible: points.eligible,
              frozenUntil: points.frozenUntil,
              ruleset: points.ruleset,
            },
      otherRuleset: wrongScale ? (deps.points?.ruleset.id ?? null) : null,
    }
  }
  return {
    scheme: 'settlement',
    asOf: ctx.asOf,
    jurisdiction: ctx.jurisdiction ?? c.table.jurisdiction,
    eligible: routes.some((r) => r.passed) || (pointsSettlement?.passed ?? false),
    routes,
    pointsSettlement,
  }
}

export function explain(
  c: CompiledTable,
  o: SettlementOutcome,
  applicant: Applicant,
  ctx: EvalContext,
): SettlementResult {
  expectScheme(c, 'settlement')
  return explainIn(c, o, envOf(c, applicant, ctx), applicant, ctx)
}

function explainIn(
  c: CompiledTable,
  o: SettlementOutcome,
  env: Env,
  applicant: Applicant,
  ctx: EvalContext,
): SettlementResult {
  const routes: RouteResult[] = c.parts.routes.map(({ r, gates }, i) => {
    if (r.unavailable !== undefined) {
      return {
        id: r.id,
        label: r.label,
        available: false,
        passed: false,
        reason: r.unavailable,
        gates: [],
        ref: r.ref,
        provisional: isProvisional(r.provisional),
        ...reasonOf(r.provisional),
      }
    }
    const results = gates.map((g, j) => g.explain(env, o.routes[i].gates[j], ctx.asOf))
    const failed = results.filter((g) => !g.passed)
    return {
      id: r.id,
      label: r.label,
      available: true,
      passed: o.routes[i].passed,
      reason:
        failed.length === 0
          ? '全部条件均符合'
          : `不符合：${failed.map((g) => `${g.label}——${g.reason}`).join('；')}`,
      gates: results,
      ref: r.ref,
      provisional: isProvisional(r.provisional) || results.some((g) => g.provisional),
      ...reasonOf(r.provisional),
    }
  })
  let pointsSettlement: SettlementResult['pointsSettlement'] = null
  const ps = c.table.pointsSettlement
  const pso = o.pointsSettlement
  if (ps && pso) {
    const gates = c.parts.pointsSettlementGates.map((g, i) => g.explain(env, pso.gates[i], ctx.asOf))
    const points = pso.points
    const over = points !== null && points.total >= ps.threshold
    const reasons: string[] = []
    if (pso.wrongScale)
      reasons.push(
        `积分落户门槛按积分表 ${ps.pointsTable} 计分，而计算日适用的积分表是 ${pso.otherRuleset}，分值不可比较`,
      )
    else if (points === null) reasons.push('计算日没有适用的积分表，无法计算积分')
    else {
      reasons.push(`积分 ${points.total} 分，门槛 ${ps.threshold} 分：${over ? '已达到' : '未达到'}`)
      if (!points.eligible) reasons.push('积分当前不可用于申请（处于冻结期或有一票否决记录）')
    }
    for (const g of gates) if (!g.passed) reasons.push(`${g.label}：${g.reason}`)
    if (pso.passed) reasons.push(`可以申请；年度名额 ${ps.yearlyQuota} 户，按积分排名录取`)
    pointsSettlement = {
      threshold: ps.threshold,
      yearlyQuota: ps.yearlyQuota,
      points: points?.total ?? null,
      passed: pso.passed,
      reason: reasons.join('；'),
      gates,
      pointsRuleset: points?.ruleset ?? null,
      ref: ps.ref,
      provisional: isProvisional(ps.provisional) || gates.some((g) => g.provisional),
      ...reasonOf(ps.provisional),
    }
  }
  // a settlement table without points settlement says so, instead of a bare null
  const pointsSettlementReason =
    pointsSettlement === null
      ? `计算日适用的落户政策（${c.ref.id} 第 ${c.ref.version} 版）未设积分落户，只按上列落户渠道判断`
      : undefined
  const rows = [
    ...routes,
    ...(pointsSettlement ? [{ id: 'points_settlement', provisional: pointsSettlement.provisional }] : []),
  ]
  return {
    scheme: 'settlement',
    jurisdiction: o.jurisdiction,
    asOf: o.asOf,
    eligible: o.eligible,
    routes,
    pointsSettlement,
    ...(pointsSettlementReason === undefined ? {} : { pointsSettlementReason }),
    ...provisionalMarks(c, rows),
    ruleset: c.ref,
    ...referencesOf(c),
    factsSha256: factsSha256(applicant),
  }
}

/** score + explain on one environment: the full result. */
export function evaluate(
  c: CompiledTable,
  applicant: Applicant,
  ctx: EvalContext,
  deps: { points: PointsUsed | null },
): SettlementResult {
  expectScheme(c, 'settlement')
  const env = envOf(c, applicant, ctx)
  return explainIn(c, scoreIn(c, env, ctx, deps), env, applicant, ctx)
}

// ---------------------------------------------------------------- points-settlement quota rounds

/** The facts a quota round ranks by after points (as admission rounds do): read whatever the table reads. */
export const QUOTA_TIE_BREAK_FACTS = ['insurance.ningbo.months', 'residence.months'] as const
const INSURANCE = PERSON_INDEX.get('insurance.ningbo.months')!
const RESIDENCE = PERSON_INDEX.get('residence.months')!
const QUOTA_GROUPS = groupsFor(QUOTA_TIE_BREAK_FACTS)

/** An integer ≥ 0, or 0 (an unknown fact ranks as none). */
const months = (v: number): number => (Number.isSafeInteger(v) && v >= 0 ? v : 0)

/**
 * The applicant's tie-break values in a quota round: Ningbo social-insurance months and residence months as
 * of the round's as-of date (the same facts an admission round takes from the scoring parent).
 */
export function quotaTieBreak(
  c: CompiledTable,
  applicant: Applicant,
  ctx: EvalContext,
): { insuranceMonths: number; residenceMonths: number } {
  expectScheme(c, 'settlement')
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  const env = personEnv(applicant, c.table, toDay(ctx.asOf), jurisdiction, ctx, QUOTA_GROUPS)
  return { insuranceMonths: months(env.facts[INSURANCE]), residenceMonths: months(env.facts[RESIDENCE]) }
}

/**
 * Why a points-settlement result may not enter the quota ranking, as the allocator's failed gate, or null
 * when it may (policy.md §4: over the threshold, every gate passed, points usable). In this order: no
 * points-settlement in the table; no points (none in force, or on another scale); below the threshold;
 * the first failed gate with its reason; points not usable (frozen or vetoed).
 */
export function quotaRefusal(result: SettlementResult): FailedGate | null {
  const ps = result.pointsSettlement
  if (ps === null)
    return { id: 'no_points_settlement', label: '积分落户', reason: '本表没有积分落户（门槛与年度名额）' }
  if (ps.passed) return null
  if (ps.points === null) return { id: 'no_points', label: '计算日有适用的积分', reason: ps.reason }
  if (ps.points < ps.threshold)
    return {
      id: 'below_threshold',
      label: `积分达到门槛 ${ps.threshold}`,
      reason: `积分 ${ps.points}，门槛 ${ps.threshold}：未达到`,
    }
  const gate = ps.gates.find((g) => !g.passed)
  if (gate !== undefined) return { id: gate.id, label: gate.label, reason: gate.reason }
  return { id: 'points_not_usable', label: '积分可用于申请', reason: ps.reason }
}

/**
 * The allocator's input for one applicant of a quota round (scoring/allocation.ts, `cutoffScope: 'quota'`):
 * eligible when over the threshold with every points-settlement gate passed, ranked by points (1/10,000
 * point) then the round's keys, and listing the round's one pool. No priority tier.
 */
export function quotaApplication(
  ref: string,
  result: SettlementResult,
  tieBreak: { insuranceMonths: number; residenceMonths: number },
  appliedAt: string | null,
  pool: string,
): AllocationApplication {
  const refusal = quotaRefusal(result)
  const points = result.pointsSettlement?.points ?? null
  return {
    ref,
    eligible: refusal === null,
    failedGate: refusal,
    tier: null,
    points: points === null ? null : toScaled(points),
    insuranceMonths: tieBreak.insuranceMonths,
    residenceMonths: tieBreak.residenceMonths,
    appliedAt,
    preferences: [pool],
  }
}
