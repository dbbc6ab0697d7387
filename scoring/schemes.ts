// Residence-permit, settlement and admission evaluation on top of compiled tables.
import type { Applicant } from '../schema/applicant.ts'
import type { Household } from '../schema/household.ts'
import type {
  AdmissionResult,
  EntitlementResult,
  GateResult,
  PermitResult,
  PointsResult,
  RouteResult,
  SettlementResult,
} from '../schema/result.ts'
import type { Table } from '../schema/table.ts'
import { fromDay, toDay } from './calendar.ts'
import type { CompiledTable } from './compile.ts'
import type { Env } from './conditions.ts'
import { DatedEnv, type EvalContext, HouseholdDeriver, personEnv } from './env.ts'
import { PERSON_INDEX, permitStatus } from './facts.ts'
import { contentSha256, factsSha256 } from './hash.ts'
import { provisionalForEveryResult } from './provisional.ts'

function expectScheme(c: CompiledTable, scheme: Table['scheme']): void {
  if (c.table.scheme !== scheme) throw new Error(`${c.table.id} is a ${c.table.scheme} table, not ${scheme}`)
}

/** The provisional rows a result used, and whether the result is provisional (a row, or a table field every result reads). */
function provisionalMarks(
  c: CompiledTable,
  rows: readonly { id: string; provisional: boolean }[],
): { provisional: boolean; provisionalRows: string[] } {
  const provisionalRows = provisionalOf(rows)
  return { provisional: provisionalRows.length > 0 || provisionalForEveryResult(c.table), provisionalRows }
}

function provisionalOf(rows: readonly { id: string; provisional: boolean }[]): string[] {
  return [...new Set(rows.filter((r) => r.provisional).map((r) => r.id))]
}

/** Gates of the table evaluated as of the as-of date (or the named date each names). */
function runGates(c: CompiledTable, env: Env, asOf: string): GateResult[] {
  return c.gates.map((g) => g.run(env, asOf))
}

/** Residence permit: the gate for holding one (663号 art. 2), the permit's state, and what it entitles to. */
export function evaluatePermit(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PermitResult {
  expectScheme(c, 'residence-permit')
  const asOf = toDay(ctx.asOf)
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  const env = personEnv(applicant, c.table, asOf, jurisdiction, ctx, c.factGroups)
  const gates = runGates(c, env, ctx.asOf)
  const status = permitStatus(applicant.residence?.permit ?? null, asOf)
  const entitlements: EntitlementResult[] = c.parts.entitlements.map(({ e, cond }) => {
    const granted = cond === null || cond.test(env)
    return {
      id: e.id,
      label: e.label,
      kind: e.kind,
      granted,
      reason: cond === null ? '无附加条件' : `${granted ? '满足' : '不满足'}：${cond.explain(env)}`,
      ref: e.ref,
      provisional: e.provisional,
    }
  })
  return {
    scheme: 'residence-permit',
    jurisdiction,
    asOf: ctx.asOf,
    eligible: gates.every((g) => g.passed),
    gates,
    permit: {
      held: status.held,
      valid: status.valid,
      validSince: status.validSince === null ? null : fromDay(status.validSince),
      lateEndorsements: status.lateEndorsements,
    },
    entitlements,
    ...provisionalMarks(c, [...gates, ...entitlements]),
    ruleset: c.ref,
    references: c.references,
    factsSha256: factsSha256(applicant),
  }
}

/**
 * Settlement: every route of the period with each gate's reason, and points settlement (threshold +
 * yearly quota) when the table has it. `points` is the applicant's points result under the points
 * table in force, which the caller looks up (null when none is in force).
 */
export function evaluateSettlement(
  c: CompiledTable,
  applicant: Applicant,
  ctx: EvalContext,
  deps: { points: PointsResult | null },
): SettlementResult {
  expectScheme(c, 'settlement')
  const asOf = toDay(ctx.asOf)
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  const env = personEnv(applicant, c.table, asOf, jurisdiction, ctx, c.factGroups)
  const parts = c.parts
  const routes: RouteResult[] = parts.routes.map(({ r, gates }) => {
    if (r.unavailable !== undefined) {
      return {
        id: r.id,
        label: r.label,
        available: false,
        passed: false,
        reason: r.unavailable,
        gates: [],
        ref: r.ref,
        provisional: r.provisional,
      }
    }
    const results = gates.map((g) => g.run(env, ctx.asOf))
    const failed = results.filter((g) => !g.passed)
    return {
      id: r.id,
      label: r.label,
      available: true,
      passed: failed.length === 0,
      reason: failed.length === 0 ? '全部条件满足' : failed.map((g) => `${g.label}：${g.reason}`).join('；'),
      gates: results,
      ref: r.ref,
      provisional: r.provisional || results.some((g) => g.provisional),
    }
  })
  let pointsSettlement: SettlementResult['pointsSettlement'] = null
  const ps = c.table.pointsSettlement
  if (ps) {
    const gates = parts.pointsSettlementGates.map((g) => g.run(env, ctx.asOf))
    // a threshold is on one table's scale: points from another table in force do not count
    const wrongScale =
      deps.points !== null && ps.pointsTable !== undefined && deps.points.ruleset.id !== ps.pointsTable
    const points = wrongScale ? null : deps.points
    const over = points !== null && points.total >= ps.threshold
    const usable = points?.eligible === true
    const passed = over && usable && gates.every((g) => g.passed)
    const reasons: string[] = []
    if (wrongScale)
      reasons.push(`门槛按 ${ps.pointsTable} 计分，计算日适用的是 ${deps.points?.ruleset.id}，不可比较`)
    else if (points === null) reasons.push('计算日无适用的积分表')
    else {
      reasons.push(`积分 ${points.total}，门槛 ${ps.threshold}：${over ? '达到' : '未达到'}`)
      if (!points.eligible) reasons.push('积分当前不可用于申请（冻结或否决）')
    }
    for (const g of gates) if (!g.passed) reasons.push(`${g.label}：${g.reason}`)
    if (passed) reasons.push(`可申请；年度名额 ${ps.yearlyQuota} 户，按积分排名`)
    pointsSettlement = {
      threshold: ps.threshold,
      yearlyQuota: ps.yearlyQuota,
      points: points?.total ?? null,
      passed,
      reason: reasons.join('；'),
      gates,
      pointsRuleset: points?.ruleset ?? null,
      ref: ps.ref,
      provisional: ps.provisional || gates.some((g) => g.provisional),
    }
  }
  const rows = [
    ...routes,
    ...(pointsSettlement ? [{ id: 'points_settlement', provisional: pointsSettlement.provisional }] : []),
  ]
  return {
    scheme: 'settlement',
    jurisdiction,
    asOf: ctx.asOf,
    eligible: routes.some((r) => r.passed) || (pointsSettlement?.passed ?? false),
    routes,
    pointsSettlement,
    ...provisionalMarks(c, rows),
    ruleset: c.ref,
    references: c.references,
    factsSha256: factsSha256(applicant),
  }
}

/**
 * School admission of a migrant child (policy.md §5): the district's gates on the household,
 * the priority tier, and household points = the higher-scoring parent whose score may be used
 * (first parent on a tie). `pointsOf` scores one parent under the points table in force, or
 * returns null when none is in force (legacy gate-only rules): the gates still decide eligibility.
 */
export function evaluateAdmission(
  c: CompiledTable,
  household: Household,
  ctx: EvalContext,
  pointsOf: (parent: Applicant) => PointsResult | null,
): AdmissionResult {
  expectScheme(c, 'admission')
  const asOf = toDay(ctx.asOf)
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  const members = household.parents.map((p) => personEnv(p, c.table, asOf, jurisdiction, ctx, c.factGroups))
  const env = new DatedEnv(
    new HouseholdDeriver(household.child, household.ownsHomeIn, jurisdiction),
    c.table,
    asOf,
    ctx,
    members,
  )
  const gates = runGates(c, env, ctx.asOf)
  const tiers = c.parts.tiers.filter(({ cond }) => cond.test(env)).sort((a, b) => a.t.rank - b.t.rank)
  const tier = tiers[0]?.t ?? null
  const parents = household.parents.map(pointsOf)
  let best: number | null = null
  parents.forEach((p, i) => {
    if (p?.eligible && (best === null || p.total > (parents[best]?.total ?? 0))) best = i
  })
  const scoring = best === null ? null : members[best]
  const rows = [...gates, ...(tier ? [tier] : [])]
  return {
    scheme: 'admission',
    jurisdiction,
    asOf: ctx.asOf,
    eligible: gates.every((g) => g.passed),
    gates,
    priorityTier: tier
      ? { id: tier.id, label: tier.label, rank: tier.rank, ref: tier.ref, provisional: tier.provisional }
      : null,
    points: best === null ? null : (parents[best]?.total ?? null),
    scoringParent: best,
    parents: parents.map((p) =>
      p === null
        ? { total: null, eligible: false, frozenUntil: null, ruleset: null }
        : { total: p.total, eligible: p.eligible, frozenUntil: p.frozenUntil, ruleset: p.ruleset },
    ),
    insuranceMonths: scoring ? scoring.facts[PERSON_INDEX.get('insurance.ningbo.months')!] : 0,
    residenceMonths: scoring ? scoring.facts[PERSON_INDEX.get('residence.months')!] : 0,
    ...provisionalMarks(c, rows),
    ruleset: c.ref,
    references: c.references,
    factsSha256: contentSha256({
      parents: household.parents.map((p) => factsSha256(p)),
      child: { ...household.child, idNumber: undefined },
      ownsHomeIn: household.ownsHomeIn,
    }),
  }
}
