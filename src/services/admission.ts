// School admission: one household's eligibility, rounds, bulk applications, allocation versions, replay and publication.
import { stringify } from 'csv-stringify/sync'
import { v7 as timeOrderedUuid } from 'uuid'
import type {
  AdmissionEligibilityRequest,
  Application,
  Publication,
  ResultVersion,
  Round,
  RoundCreate,
} from '../../schema/admission.ts'
import {
  ApplicationInputSchema,
  MAX_BULK_APPLICATIONS,
  SettlementApplicationInputSchema,
} from '../../schema/admission.ts'
import type { Applicant } from '../../schema/applicant.ts'
import type { Household } from '../../schema/household.ts'
import type { AdmissionResult, SettlementResult } from '../../schema/result.ts'
import {
  type AllocationApplication,
  type AllocationResult,
  type AllocationRound,
  allocate,
} from '../../scoring/allocation.ts'
import { fromScaled, toScaled } from '../../scoring/exact.ts'
import { contentSha256, factsSha256 } from '../../scoring/hash.ts'
import { quotaApplication, quotaTieBreak } from '../../scoring/schemes/settlement/index.ts'
import { evaluateAdmission, evaluateSettlement } from '../../scoring/schemes.ts'
import { type Clock, todayOf } from '../clock.ts'
import { AppError, bi, type FieldText, joined, notFound, textIn } from '../errors.ts'
import type { AdmissionRepository, StoredApplication, StoredRound, WriteTx } from '../repositories/types.ts'
import { idHmac } from '../security/id-hmac.ts'
import {
  applicationsHash,
  applicationsStoredTarget,
  resultVersionHash,
  roundClosedHash,
  roundSpecHash,
  withdrawalHash,
} from '../security/object-hashes.ts'
import { futureDates } from './future-dates.ts'
import { diffJson } from './json-diff.ts'
import { evaluateOrExplain } from './points.ts'
import type { Recorder, WriteContext, Written } from './recorder.ts'
import type { RulesetService } from './rulesets.ts'

/** A ruleset a result depends on: `<tableId>@<version>` and its content hash. */
interface RulesetUse {
  id: string
  sha256: string
}

/** What a result version stores as its inputs, and what its hash covers. */
interface VersionInputs {
  round: AllocationRound
  applications: AllocationApplication[]
  rulesets: RulesetUse[]
  /** applicationRef → the child's masked ID (publication form), for the public list */
  masks: Record<string, string | null>
}

/**
 * The publication mask: the 6-digit region code and nothing else (product.md capability 7: with the
 * intake year known, the last digits would narrow a child's ID to a few dozen candidates).
 */
export function publicationMask(idNumber: string): string {
  return `${idNumber.slice(0, 6)}${'*'.repeat(12)}`
}

/**
 * Names the child in a round without holding its ID: the keyed hash of the ID number or, without
 * one, of the birth date and the parents (their ID hashes, or their birth dates).
 */
export function childKeyOf(h: Household, secret: string): string {
  if (h.child.idNumber !== undefined) return `id:${idHmac(h.child.idNumber, secret)}`
  const parents = h.parents
    .map((p) => (p.idNumber === undefined ? `born:${p.birthDate}` : `id:${idHmac(p.idNumber, secret)}`))
    .sort()
  return `bp:${idHmac(`${h.child.birthDate}|${parents.join('|')}`, secret)}`
}

/**
 * Names the applicant in a settlement round without holding the ID: the keyed hash of the ID number or,
 * without one, the hash of the applicant's facts (the same facts twice are the same applicant).
 */
export function applicantKeyOf(a: Applicant, secret: string): string {
  return a.idNumber !== undefined ? `id:${idHmac(a.idNumber, secret)}` : `facts:${factsSha256(a)}`
}

/** The kind of a stored round: rounds stored before settlement rounds existed are admission rounds. */
export function kindOf(spec: RoundCreate): 'admission' | 'settlement' {
  return spec.kind ?? 'admission'
}

/** The household as stored: no ID number of anyone. */
function withoutIds(h: Household): unknown {
  const { idNumber: _child, ...child } = h.child
  return { ...h, child, parents: h.parents.map(({ idNumber: _id, ...p }) => p) }
}

/** The audit hash of a bulk insert (src/security/object-hashes.ts), over the JSON the store writes. */
function storedRowsSha256(rows: readonly StoredApplication[]): string {
  return applicationsHash(
    rows.map((a) => ({
      applicationRef: a.applicationRef,
      childKey: a.childKey,
      idNumberMasked: a.idNumberMasked,
      householdJson: JSON.stringify(a.household),
      evaluationJson: JSON.stringify(a.evaluation),
      inputJson: JSON.stringify(a.input),
    })),
  )
}

/** A settlement applicant as stored: without the ID number. */
function withoutId(a: Applicant): unknown {
  const { idNumber: _id, ...rest } = a
  return rest
}

/** One valid row of a bulk request: a household (admission round) or an applicant (settlement round). */
type Parsed =
  | { ref: string; household: Household; appliedAt: string | undefined }
  | { ref: string; applicant: Applicant; appliedAt: string | undefined }

const subjectOf = (p: Parsed): unknown => ('household' in p ? p.household : p.applicant)

/** A round's status and the actions on it as the Chinese problem text says them. */
const ROUND_STATUS_ZH: Readonly<Record<string, string>> = {
  open: '申请中',
  closed: '已截止',
  allocated: '已分配',
  published: '已公布',
}
const ACTION_ZH: Readonly<Record<string, string>> = {
  'adding applications': '提交申请',
  allocation: '分配',
  closing: '截止申请',
  publication: '公布',
  withdrawing: '撤回申请',
}

function rulesetsOf(r: AdmissionResult | SettlementResult): RulesetUse[] {
  const uses = (
    r.scheme === 'admission'
      ? [r.ruleset, ...r.parents.map((p) => p.ruleset)]
      : [r.ruleset, r.pointsSettlement?.pointsRuleset ?? null]
  ).filter((x) => x !== null)
  return uses.map((u) => ({ id: `${u.id}@${u.version}`, sha256: u.sha256 }))
}

/** The allocator's input for one evaluated application. */
function allocationInput(ref: string, h: Household, r: AdmissionResult): AllocationApplication {
  const failed = r.gates.find((g) => !g.passed)
  return {
    ref,
    eligible: r.eligible,
    failedGate:
      r.eligible || failed === undefined
        ? null
        : { id: failed.id, label: failed.label, reason: failed.reason },
    tier: r.priorityTier?.rank ?? null,
    points: r.points === null ? null : toScaled(r.points),
    insuranceMonths: r.insuranceMonths,
    residenceMonths: r.residenceMonths,
    appliedAt: h.appliedAt ?? null,
    preferences: h.preferences,
  }
}

/**
 * The named dates a round's applications are evaluated with: registration = the round's as-of date,
 * checking = its permit check date, enrolmentOpens = the calendar day (Beijing time, UTC+8) of the
 * window's opening instant (Zhenhai: points applied for before online enrolment opens).
 */
export function roundDates(
  spec: Pick<RoundCreate, 'asOf' | 'permitCheckDate' | 'window'>,
): Record<string, string> {
  const opens = new Date(Date.parse(spec.window.opens) + 8 * 3600_000).toISOString().slice(0, 10)
  return { registration: spec.asOf, checking: spec.permitCheckDate ?? spec.asOf, enrolmentOpens: opens }
}

export class AdmissionService {
  constructor(
    private readonly rulesets: RulesetService,
    private readonly repo: AdmissionRepository,
    private readonly recorder: Recorder,
    private readonly clock: Clock,
    /** key of the ID-number HMAC (src/security/id-secret.ts) */
    private readonly idHmacSecret: string,
  ) {}

  // ---------------------------------------------------------------- one household

  /** The district's admission table on asOf, and the points table in force then for the parents. */
  private evaluate(
    district: string,
    asOf: string,
    household: Household,
    dates: Record<string, string> | undefined,
  ): AdmissionResult {
    const registry = this.rulesets.current()
    const compiled = registry.find('admission', district, asOf)
    const points = registry.inForce('points', district, asOf)
    const ctx = { asOf, jurisdiction: district, dates }
    return evaluateOrExplain(() =>
      evaluateAdmission(compiled, household, ctx, (p) =>
        points === null ? null : points.evaluatePoints(p, ctx),
      ),
    )
  }

  /**
   * A settlement-round applicant: the settlement table in force for the district on asOf, with the points
   * under the points table in force (policy.md §4), and the allocator's input from it.
   */
  private evaluateSettlement(
    district: string,
    asOf: string,
    ref: string,
    applicant: Applicant,
    appliedAt: string | null,
    pool: string,
  ): { evaluation: SettlementResult; input: AllocationApplication } {
    const registry = this.rulesets.current()
    const compiled = registry.find('settlement', district, asOf)
    const pointsTable = registry.inForce('points', district, asOf)
    const ctx = { asOf, jurisdiction: district }
    return evaluateOrExplain(() => {
      const points = pointsTable === null ? null : pointsTable.evaluatePoints(applicant, ctx)
      const evaluation = evaluateSettlement(compiled, applicant, ctx, { points })
      const input = quotaApplication(
        ref,
        evaluation,
        quotaTieBreak(compiled, applicant, ctx),
        appliedAt,
        pool,
      )
      return { evaluation, input }
    })
  }

  eligibility(req: AdmissionEligibilityRequest): AdmissionResult {
    const today = todayOf(this.clock)
    const errors = [
      ...futureDates(req.asOf, 'body.asOf', today),
      ...futureDates(req.household, 'body.household', today),
    ]
    if (errors.length > 0) throw new AppError('FUTURE_DATE', joined(errors), errors)
    return this.evaluate(req.district, req.asOf, req.household, req.dates)
  }

  // ---------------------------------------------------------------- rounds

  /** `open` reads as closed once the window has closed: nothing needs to run at the closing instant. */
  private statusOf(r: StoredRound): Round['status'] {
    if (r.status !== 'open') return r.status
    return this.clock.now().getTime() >= Date.parse((r.spec as RoundCreate).window.closes) ? 'closed' : 'open'
  }

  private view(r: StoredRound): Round {
    const spec = r.spec as RoundCreate
    return {
      ...spec,
      id: r.id,
      kind: kindOf(spec),
      status: this.statusOf(r),
      createdAt: r.createdAt,
      applications: r.applications,
      latestVersion: r.latestVersion,
      publishedVersion: r.publishedVersion,
    }
  }

  async createRound(spec: RoundCreate, ctx: WriteContext): Promise<Written<Round>> {
    const earlier = await this.recorder.replay<Round>(ctx)
    if (earlier !== null) return earlier
    const errors: FieldText[] = []
    if (Number(spec.asOf.slice(0, 4)) !== spec.intakeYear)
      errors.push({
        path: 'body.asOf',
        message: bi(
          `计算日必须在招生年度 ${spec.intakeYear} 内`,
          `the as-of date must fall in the intake year ${spec.intakeYear}`,
        ),
      })
    if (Date.parse(spec.window.closes) <= Date.parse(spec.window.opens))
      errors.push({
        path: 'body.window.closes',
        message: bi('截止时间（closes）必须晚于开始时间（opens）', 'closes must be after opens'),
      })
    const seen = new Map<string, number>()
    spec.units.forEach((u, i) => {
      if (seen.has(u.id))
        errors.push({
          path: `body.units[${i}].id`,
          message: bi(
            `招生单位编号重复（与 units[${seen.get(u.id)}] 相同）`,
            `duplicate unit id (also units[${seen.get(u.id)}])`,
          ),
        })
      seen.set(u.id, i)
    })
    const keys = new Set(spec.tieBreak)
    if (keys.size !== spec.tieBreak.length)
      errors.push({
        path: 'body.tieBreak',
        message: bi('每个同分排序键最多出现一次', 'each tie-break key at most once'),
      })
    const kind = kindOf(spec)
    if (kind === 'admission') {
      if (spec.grade === undefined)
        errors.push({
          path: 'body.grade',
          message: bi('录取批次须写明年级（P1 或 J1）', 'an admission round needs its grade (P1 or J1)'),
        })
      if (spec.permitCheckDate === undefined)
        errors.push({
          path: 'body.permitCheckDate',
          message: bi('录取批次须写明居住证核验日', 'an admission round needs its permit check date'),
        })
    } else errors.push(...this.settlementSpecProblems(spec))
    if (errors.length > 0) throw new AppError('VALIDATION', joined(errors), errors)
    // the tables must be there for the district: refused now rather than at the first application
    if (kind === 'admission') this.rulesets.current().find('admission', spec.district, spec.asOf)
    return this.recorder.record(ctx, 201, async ({ tx, at, audit }) => {
      const id = timeOrderedUuid()
      await tx.admission.createRound({
        id,
        district: spec.district,
        spec,
        status: 'open',
        publishedVersion: null,
        createdAt: at,
      })
      await audit('round.created', id, roundSpecHash(spec))
      const body = this.view({
        id,
        district: spec.district,
        spec,
        status: 'open',
        publishedVersion: null,
        createdAt: at,
        applications: 0,
        latestVersion: null,
      })
      return { body, location: `/v1/admission/rounds/${id}` }
    })
  }

  /**
   * A settlement round (policy.md §4): ranked by points first, one unit (the year's quota) of at most the
   * table's yearly quota, no grade or permit check date, and a settlement table in force with points
   * settlement (throws NO_TABLE_IN_FORCE when none is).
   */
  private settlementSpecProblems(spec: RoundCreate): FieldText[] {
    const errors: FieldText[] = []
    if (spec.grade !== undefined)
      errors.push({
        path: 'body.grade',
        message: bi('落户指标批次不设年级', 'a settlement round has no grade'),
      })
    if (spec.permitCheckDate !== undefined)
      errors.push({
        path: 'body.permitCheckDate',
        message: bi('落户指标批次不设居住证核验日', 'a settlement round has no permit check date'),
      })
    if (spec.cutoffScope !== 'school')
      errors.push({
        path: 'body.cutoffScope',
        message: bi('落户指标批次只有一个指标，不分学区', 'a settlement round has one quota, not pools'),
      })
    if (spec.tieBreak[0] !== 'points')
      errors.push({
        path: 'body.tieBreak',
        message: bi('落户指标批次须先按积分排序', 'a settlement round ranks by points first'),
      })
    if (spec.units.length !== 1)
      errors.push({
        path: 'body.units',
        message: bi(
          '落户指标批次只有一个单位：当年指标',
          'a settlement round has one unit: the year’s quota',
        ),
      })
    const table = this.rulesets.current().find('settlement', spec.district, spec.asOf).table
    const ps = table.pointsSettlement
    if (ps === null)
      errors.push({
        path: 'body.district',
        message: bi(
          `现行落户表（${table.id}@${table.version}）未设积分落户`,
          `the settlement table in force (${table.id}@${table.version}) has no points settlement`,
        ),
      })
    else if (spec.units.length === 1 && spec.units[0].seats > ps.yearlyQuota)
      errors.push({
        path: 'body.units[0].seats',
        message: bi(
          `名额超过 ${table.id}@${table.version} 的年度指标（${ps.yearlyQuota}）`,
          `more seats than the yearly quota of ${table.id}@${table.version} (${ps.yearlyQuota})`,
        ),
      })
    return errors
  }

  async listRounds(after: string | null, limit: number): Promise<{ rounds: Round[]; next: string | null }> {
    const rows = await this.repo.listRounds(after, limit + 1)
    const page = rows.slice(0, limit)
    return {
      rounds: page.map((r) => this.view(r)),
      next: rows.length > limit ? page[page.length - 1].id : null,
    }
  }

  private async mustGetRound(id: string): Promise<StoredRound> {
    const r = await this.repo.getRound(id)
    if (r === null) throw notFound(bi(`录取批次 ${id}`, `round ${id}`), 'params.id')
    return r
  }

  async getRound(id: string): Promise<Round> {
    return this.view(await this.mustGetRound(id))
  }

  /** The round under the write's lock, in one of the states `allowed`, or a 404 / 409. */
  private async lockedRound(tx: WriteTx, id: string, allowed: readonly Round['status'][], action: string) {
    const r = await tx.admission.lockRound(id)
    if (r === null) throw notFound(bi(`录取批次 ${id}`, `round ${id}`), 'params.id')
    const status = this.statusOf(r)
    if (!allowed.includes(status))
      throw new AppError(
        'ROUND_STATE',
        bi(
          `录取批次当前为 ${ROUND_STATUS_ZH[status]}（${status}）：${ACTION_ZH[action] ?? action}需要批次处于 ${allowed.map((a) => `${ROUND_STATUS_ZH[a]}（${a}）`).join('或')}`,
          `the round is ${status}: ${action} needs ${allowed.join(' or ')}`,
        ),
        [
          {
            path: 'params.id',
            message: bi(`录取批次当前为 ${ROUND_STATUS_ZH[status]}（${status}）`, `the round is ${status}`),
          },
        ],
      )
    return { round: r, status, spec: r.spec as RoundCreate }
  }

  /** Closes the window early (open → closed); a round whose window has passed is closed already. */
  async close(id: string, ctx: WriteContext): Promise<Round> {
    return this.recorder.audited(ctx.actor, async ({ tx, audit }) => {
      const { round } = await this.lockedRound(tx, id, ['open'], 'closing')
      await tx.admission.setRoundStatus(id, 'closed', null)
      await audit('round.closed', id, roundClosedHash(id))
      return this.view({ ...round, status: 'closed' })
    })
  }

  // ---------------------------------------------------------------- applications

  /**
   * Validates every row in full and evaluates it, then stores all of them in one transaction, or none:
   * a 400 names each bad row (index, applicationRef, field), a 409 each duplicate child or ref.
   */
  async addApplications(
    id: string,
    body: { applications: { applicationRef?: unknown; household?: unknown }[] },
    ctx: WriteContext,
  ): Promise<Written<{ roundId: string; stored: number; eligible: number; ineligible: number }>> {
    const earlier = await this.recorder.replay<{
      roundId: string
      stored: number
      eligible: number
      ineligible: number
    }>(ctx)
    if (earlier !== null) return earlier
    const round = await this.mustGetRound(id)
    const spec = round.spec as RoundCreate
    const rows = body.applications
    if (rows.length > MAX_BULK_APPLICATIONS)
      throw new AppError(
        'VALIDATION',
        bi(`一次最多 ${MAX_BULK_APPLICATIONS} 份申请`, `at most ${MAX_BULK_APPLICATIONS} applications`),
        [
          {
            path: 'body.applications',
            message: bi(`最多 ${MAX_BULK_APPLICATIONS} 份`, `at most ${MAX_BULK_APPLICATIONS}`),
          },
        ],
      )
    const errors: FieldText[] = []
    let omitted = 0
    const bad = (i: number, ref: unknown, field: string, message: string | { zh: string; en: string }) => {
      if (errors.length >= 100) {
        omitted++
        return
      }
      const named = typeof ref === 'string' ? ` (applicationRef ${JSON.stringify(ref.slice(0, 64))})` : ''
      const m = typeof message === 'string' ? { zh: message, en: message } : message
      errors.push({
        path: `body.applications[${i}]${field}`,
        message: bi(`第 ${i} 行${named}：${m.zh}`, `row ${i}${named}: ${m.en}`),
      })
    }
    const kind = kindOf(spec)
    // a row's subject: the household (admission) or the applicant (settlement)
    const field = kind === 'admission' ? 'household' : 'applicant'
    const parsed: Parsed[] = new Array(rows.length)
    const firstByRef = new Map<string, number>()
    rows.forEach((row, i) => {
      const r =
        kind === 'admission'
          ? ApplicationInputSchema.safeParse(row)
          : SettlementApplicationInputSchema.safeParse(row)
      if (!r.success) {
        for (const issue of r.error.issues.slice(0, 5))
          bad(
            i,
            row.applicationRef,
            issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
            issue.message,
          )
        return
      }
      const ref = r.data.applicationRef
      if ('household' in r.data) {
        const household = r.data.household
        if (household.child.entryGrade !== spec.grade)
          bad(
            i,
            ref,
            '.household.child.entryGrade',
            bi(`本批次招收 ${spec.grade}`, `this round admits ${spec.grade}`),
          )
        parsed[i] = { ref, household, appliedAt: household.appliedAt }
      } else parsed[i] = { ref, applicant: r.data.applicant, appliedAt: r.data.appliedAt }
      const dup = firstByRef.get(ref)
      if (dup !== undefined)
        bad(i, ref, '.applicationRef', bi(`与 applications[${dup}] 重复`, `repeats applications[${dup}]`))
      else firstByRef.set(ref, i)
    })
    if (errors.length > 0)
      throw new AppError(
        'VALIDATION',
        bi(
          `申请中有 ${errors.length + omitted} 处问题；均未保存`,
          `${errors.length + omitted} problems in the applications; nothing was stored`,
        ),
        errors,
      )
    // dates after today, then applications made after the window closed
    const today = todayOf(this.clock)
    const future = parsed.flatMap((p, i) =>
      futureDates(subjectOf(p), `body.applications[${i}].${field}`, today),
    )
    if (future.length > 0)
      throw new AppError(
        'FUTURE_DATE',
        bi(
          `${future.length} 个日期晚于今天；均未保存`,
          `${future.length} dates after today; nothing was stored`,
        ),
        future.slice(0, 100),
      )
    const closes = Date.parse(spec.window.closes)
    const late = parsed
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.appliedAt !== undefined && Date.parse(p.appliedAt) > closes)
    if (late.length > 0)
      throw new AppError(
        'APPLICATION_LATE',
        bi(
          `${late.length} 份申请在申请期结束（${spec.window.closes}）之后提交；均未保存`,
          `${late.length} applications were made after the window closed (${spec.window.closes}); nothing was stored`,
        ),
        late.slice(0, 100).map(({ p, i }) => ({
          path: `body.applications[${i}].${'household' in p ? 'household.appliedAt' : 'appliedAt'}`,
          message: bi(
            `申请编号 ${p.ref}：${p.appliedAt} 晚于 ${spec.window.closes}`,
            `applicationRef ${p.ref}: ${p.appliedAt} is after ${spec.window.closes}`,
          ),
        })),
      )
    // the same child twice in this request
    const keys = parsed.map((p) =>
      'household' in p
        ? childKeyOf(p.household, this.idHmacSecret)
        : applicantKeyOf(p.applicant, this.idHmacSecret),
    )
    const who = kind === 'admission' ? 'child' : 'applicant'
    const whoZh = kind === 'admission' ? '儿童' : '申请人'
    const firstByChild = new Map<string, number>()
    const twice: FieldText[] = []
    keys.forEach((k, i) => {
      const j = firstByChild.get(k)
      if (j === undefined) firstByChild.set(k, i)
      else
        twice.push({
          path: `body.applications[${i}].${kind === 'admission' ? 'household.child' : 'applicant'}`,
          message: bi(
            `与申请编号 ${parsed[j].ref} 是同一${whoZh}：${parsed[i].ref} 与 ${parsed[j].ref}`,
            `the same ${who} as applicationRef ${parsed[j].ref}: ${parsed[i].ref} and ${parsed[j].ref}`,
          ),
        })
    })
    if (twice.length > 0)
      throw new AppError(
        'DUPLICATE_APPLICATION',
        bi(
          `同一${whoZh}申请了两次：${textIn(twice[0].message, 'zh')}`,
          `the same ${who} applies twice: ${textIn(twice[0].message, 'en')}`,
        ),
        twice.slice(0, 100),
      )
    // evaluate every row before anything is written
    const dates = kind === 'admission' ? roundDates(spec) : undefined
    const pool = spec.units[0].id
    const evaluated = parsed.map((p, i) => {
      try {
        if (!('household' in p))
          return this.evaluateSettlement(
            spec.district,
            spec.asOf,
            p.ref,
            p.applicant,
            p.appliedAt ?? null,
            pool,
          )
        const evaluation = this.evaluate(spec.district, spec.asOf, p.household, dates)
        return { evaluation, input: allocationInput(p.ref, p.household, evaluation) }
      } catch (e) {
        if (e instanceof AppError)
          throw new AppError(
            e.name_,
            bi(
              `applications[${i}]（申请编号 ${p.ref}）：${e.detailIn('zh')}`,
              `applications[${i}] (applicationRef ${p.ref}): ${e.detailIn('en')}`,
            ),
            e.fields,
          )
        throw e
      }
    })
    const at0 = this.clock.now().toISOString()
    const stored: StoredApplication[] = parsed.map((p, i) => {
      const idNumber = 'household' in p ? p.household.child.idNumber : p.applicant.idNumber
      return {
        roundId: id,
        applicationRef: p.ref,
        childKey: keys[i],
        idNumberMasked: idNumber === undefined ? null : publicationMask(idNumber),
        // settlement rows keep the applicant in the same column, with the application time beside it
        household:
          'household' in p
            ? withoutIds(p.household)
            : { applicant: withoutId(p.applicant), appliedAt: p.appliedAt ?? null },
        evaluation: evaluated[i].evaluation,
        input: evaluated[i].input,
        status: 'active',
        createdAt: at0,
        withdrawnAt: null,
        // numbered in the transaction below
        batch: null,
        position: i,
      }
    })
    const eligible = evaluated.filter((r) => r.input.eligible).length
    return this.recorder.record(ctx, 201, async ({ tx, at, audit }) => {
      await this.lockedRound(tx, id, ['open'], 'adding applications').catch((e: unknown) => {
        if (e instanceof AppError && e.name_ === 'ROUND_STATE' && this.clock.now().getTime() >= closes)
          throw new AppError(
            'APPLICATION_LATE',
            bi(
              `申请期已于 ${spec.window.closes} 结束；均未保存`,
              `the window closed at ${spec.window.closes}; nothing was stored`,
            ),
            [
              {
                path: 'body.applications',
                message: bi(
                  `申请期已于 ${spec.window.closes} 结束`,
                  `the window closed at ${spec.window.closes}`,
                ),
              },
            ],
          )
        throw e
      })
      if (this.clock.now().getTime() < Date.parse(spec.window.opens))
        throw new AppError(
          'ROUND_STATE',
          bi(`申请期于 ${spec.window.opens} 开始`, `the window opens at ${spec.window.opens}`),
          [
            {
              path: 'params.id',
              message: bi(`申请期于 ${spec.window.opens} 开始`, `the window opens at ${spec.window.opens}`),
            },
          ],
        )
      const c = await tx.admission.conflicts(
        id,
        stored.map((s) => s.applicationRef),
        keys,
      )
      if (c.refs.length > 0 || c.children.length > 0) {
        const refIndex = new Map(stored.map((s, i) => [s.applicationRef, i]))
        const keyIndex = new Map(keys.map((k, i) => [k, i]))
        const listed: FieldText[] = [
          ...c.refs.map((ref) => ({
            path: `body.applications[${refIndex.get(ref)}].applicationRef`,
            message: bi(`申请编号 ${ref} 已在本批次中`, `applicationRef ${ref} is already in the round`),
          })),
          ...c.children.map((x) => {
            const i = keyIndex.get(x.childKey) as number
            return {
              path: `body.applications[${i}].household.child`,
              message: bi(
                `与申请编号 ${x.applicationRef} 是同一儿童：${stored[i].applicationRef} 与 ${x.applicationRef}`,
                `the same child as applicationRef ${x.applicationRef}: ${stored[i].applicationRef} and ${x.applicationRef}`,
              ),
            }
          }),
        ]
        throw new AppError(
          'DUPLICATE_APPLICATION',
          bi(
            `${textIn(listed[0].message, 'zh')}；均未保存`,
            `${textIn(listed[0].message, 'en')}; nothing was stored`,
          ),
          listed.slice(0, 100),
        )
      }
      // the batch number is read and written under the round's lock: a bulk's rows and its entry share it
      const batch = await tx.admission.nextBatch(id)
      await tx.admission.insertApplications(stored.map((s) => ({ ...s, createdAt: at, batch })))
      await audit(
        'round.applications_stored',
        applicationsStoredTarget(id, stored.length, batch),
        storedRowsSha256(stored),
      )
      return {
        body: { roundId: id, stored: stored.length, eligible, ineligible: stored.length - eligible },
        location: `/v1/admission/rounds/${id}/applications`,
      }
    })
  }

  /** The newest version's outcome per applicationRef (empty before the first allocation). */
  private async outcomes(id: string): Promise<Map<string, AllocationResult['applications'][number]>> {
    const v = await this.repo.getResult(id, null)
    const out = new Map<string, AllocationResult['applications'][number]>()
    if (v !== null) for (const a of (v.result as AllocationResult).applications) out.set(a.ref, a)
    return out
  }

  private applicationView(a: StoredApplication, outcome: Application['outcome']): Application {
    const input = a.input as AllocationApplication
    return {
      applicationRef: a.applicationRef,
      status: a.status,
      createdAt: a.createdAt,
      withdrawnAt: a.withdrawnAt,
      idNumberMasked: a.idNumberMasked,
      preferences: [...input.preferences],
      appliedAt: input.appliedAt,
      outcome,
      evaluation: a.evaluation as AdmissionResult | SettlementResult,
    }
  }

  async listApplications(
    id: string,
    q: { after?: string; limit: number; outcome?: Application['outcome'] },
  ): Promise<{ applications: Application[]; next: string | null }> {
    await this.mustGetRound(id)
    const outcomes = await this.outcomes(id)
    if (q.outcome === undefined || q.outcome === null) {
      const rows = await this.repo.listApplications(id, q.after ?? null, q.limit + 1)
      const page = rows.slice(0, q.limit)
      return {
        applications: page.map((a) =>
          this.applicationView(a, outcomes.get(a.applicationRef)?.outcome ?? null),
        ),
        next: rows.length > q.limit ? page[page.length - 1].applicationRef : null,
      }
    }
    // the version lists outcomes by ref (code point order, as the database orders refs): page over it
    const after = q.after ?? ''
    const refs = [...outcomes.values()]
      .filter((o) => o.outcome === q.outcome && o.ref > after)
      .map((o) => o.ref)
    const pageRefs = refs.slice(0, q.limit)
    const rows = await this.repo.getApplications(id, pageRefs)
    return {
      applications: rows.map((a) => this.applicationView(a, outcomes.get(a.applicationRef)?.outcome ?? null)),
      next: refs.length > q.limit ? pageRefs[pageRefs.length - 1] : null,
    }
  }

  async getApplication(id: string, ref: string): Promise<Application> {
    await this.mustGetRound(id)
    const [a] = await this.repo.getApplications(id, [ref])
    if (a === undefined)
      throw notFound(bi(`录取批次 ${id} 中的申请 ${ref}`, `application ${ref} in round ${id}`), 'params.ref')
    return this.applicationView(a, (await this.outcomes(id)).get(ref)?.outcome ?? null)
  }

  /** Withdraws an application (kept, marked withdrawn, audited) until a version is published. */
  async withdraw(id: string, ref: string, ctx: WriteContext): Promise<Application> {
    await this.recorder.audited(ctx.actor, async ({ tx, at, audit }) => {
      await this.lockedRound(tx, id, ['open', 'closed', 'allocated'], 'withdrawing')
      if (!(await tx.admission.withdraw(id, ref, at)))
        throw notFound(
          bi(`录取批次 ${id} 中有效的申请 ${ref}`, `active application ${ref} in round ${id}`),
          'params.ref',
        )
      await audit('round.application_withdrawn', `${id}/${ref}`, withdrawalHash(id, ref, at))
    })
    return this.getApplication(id, ref)
  }

  // ---------------------------------------------------------------- allocation, results, publication

  private versionView(
    roundId: string,
    v: { version: number; inputsSha256: string; inputs: unknown; result: unknown; createdAt: string },
    publishedVersion: number | null,
  ): ResultVersion {
    return {
      roundId,
      version: v.version,
      inputsSha256: v.inputsSha256,
      rulesets: (v.inputs as VersionInputs).rulesets,
      createdAt: v.createdAt,
      published: publishedVersion === v.version,
      result: v.result as ResultVersion['result'],
    }
  }

  /**
   * Allocates the active applications of a closed (or allocated) round and stores the result as a new
   * version; when nothing changed since the newest version (same inputs hash), that version is the answer.
   */
  async allocate(id: string, ctx: WriteContext): Promise<{ status: number; body: ResultVersion }> {
    return this.recorder.audited(
      ctx.actor,
      async ({ tx, at, audit }) => {
        const { round, spec } = await this.lockedRound(tx, id, ['closed', 'allocated'], 'allocation')
        const applications = (await tx.admission.activeInputs(id)) as AllocationApplication[]
        const stored = await this.repo.getApplications(
          id,
          applications.map((a) => a.ref),
        )
        const rulesets = new Map<string, string>()
        const masks: Record<string, string | null> = {}
        for (const a of stored) {
          for (const r of rulesetsOf(a.evaluation as AdmissionResult | SettlementResult))
            rulesets.set(r.id, r.sha256)
          masks[a.applicationRef] = a.idNumberMasked
        }
        const inputs: VersionInputs = {
          round: {
            units: spec.units,
            // a settlement round's one unit is the quota: those it does not reach are quota_exhausted
            cutoffScope: kindOf(spec) === 'settlement' ? 'quota' : spec.cutoffScope,
            tieBreak: spec.tieBreak,
            lotterySeed: spec.lotterySeed,
          },
          applications,
          rulesets: [...rulesets]
            .sort((a, b) => (a[0] < b[0] ? -1 : 1))
            .map(([rid, sha256]) => ({ id: rid, sha256 })),
          masks,
        }
        const inputsSha256 = contentSha256(inputs)
        const latest = await this.repo.getResult(id, null)
        if (latest !== null && latest.inputsSha256 === inputsSha256)
          return { status: 200, body: this.versionView(id, latest, round.publishedVersion) }
        const result = allocate(inputs.round, applications)
        const version = (latest?.version ?? 0) + 1
        await tx.admission.insertResult({ roundId: id, version, inputsSha256, inputs, result, createdAt: at })
        await tx.admission.setRoundStatus(id, 'allocated', null)
        await audit('round.allocated', `${id}@${version}`, resultVersionHash({ inputsSha256, result }))
        return {
          status: 201,
          body: this.versionView(id, { version, inputsSha256, inputs, result, createdAt: at }, null),
        }
      },
      true,
    )
  }

  private async mustGetVersion(id: string, version: number | null) {
    const v = await this.repo.getResult(id, version)
    if (v === null)
      throw notFound(
        version === null
          ? bi(`录取批次 ${id} 的结果（尚未分配）`, `result for round ${id} (not allocated yet)`)
          : bi(`录取批次 ${id} 的第 ${version} 版结果`, `version ${version} of round ${id}`),
        version === null ? 'params.id' : 'version',
      )
    return v
  }

  async getResult(id: string, version: number | null): Promise<ResultVersion> {
    const round = await this.mustGetRound(id)
    return this.versionView(id, await this.mustGetVersion(id, version), round.publishedVersion)
  }

  /** Recomputes a stored version from its stored inputs: identical, or the exact differences. */
  async replay(id: string, version: number) {
    await this.mustGetRound(id)
    const v = await this.mustGetVersion(id, version)
    const inputs = v.inputs as VersionInputs
    const replayed = JSON.parse(JSON.stringify(allocate(inputs.round, inputs.applications))) as unknown
    const differences = diffJson(v.result, replayed).map((d) => ({
      path: d.path,
      stored: d.from,
      replayed: d.to,
    }))
    return {
      roundId: id,
      version,
      identical: differences.length === 0,
      inputsIntact: contentSha256(inputs) === v.inputsSha256,
      differences,
    }
  }

  /** Publishes a version (the newest by default) and freezes the round. */
  async publish(id: string, version: number | null, ctx: WriteContext): Promise<Round> {
    return this.recorder.audited(ctx.actor, async ({ tx, audit }) => {
      const { round } = await this.lockedRound(tx, id, ['allocated'], 'publication')
      const v = await this.repo.getResult(id, version)
      if (v === null)
        throw notFound(
          bi(`录取批次 ${id} 的第 ${version} 版结果`, `version ${version} of round ${id}`),
          'body.version',
        )
      await tx.admission.setRoundStatus(id, 'published', v.version)
      await audit('round.published', `${id}@${v.version}`, resultVersionHash(v))
      return this.view({ ...round, status: 'published', publishedVersion: v.version })
    })
  }

  /** The public list of a published round; 404 before publication. */
  async publication(id: string): Promise<Publication> {
    const round = await this.repo.getRound(id)
    if (round === null || round.status !== 'published' || round.publishedVersion === null)
      throw notFound(bi(`录取批次 ${id} 已公布的结果`, `published result for round ${id}`), 'params.id')
    const spec = round.spec as RoundCreate
    const v = await this.mustGetVersion(id, round.publishedVersion)
    const result = v.result as AllocationResult
    const inputs = v.inputs as VersionInputs
    const points = new Map(inputs.applications.map((a) => [a.ref, a.points]))
    return {
      roundId: id,
      version: v.version,
      kind: kindOf(spec),
      district: spec.district,
      intakeYear: spec.intakeYear,
      grade: spec.grade ?? null,
      lotterySeed: spec.lotterySeed,
      tieBreak: result.tieBreak,
      units: result.units.map((u) => ({
        id: u.id,
        name: u.name,
        seats: u.seats,
        placed: u.placed,
        cutoff:
          u.cutoff === null
            ? null
            : {
                points: u.cutoff.points === null ? null : fromScaled(u.cutoff.points),
                tieBreak: u.cutoff.tieBreak.map((t) =>
                  t.key === 'points' && t.value !== null ? { key: t.key, value: fromScaled(t.value) } : t,
                ),
              },
      })),
      rows: result.applications.map((a) => {
        const p = points.get(a.ref) ?? null
        return {
          applicationRef: a.ref,
          idNumberMasked: inputs.masks[a.ref] ?? null,
          placed: a.placed?.unit ?? null,
          outcome: a.outcome,
          points: p === null ? null : fromScaled(p),
        }
      }),
    }
  }
}

/** The publication as CSV: UTF-8 with a byte-order mark, so that Excel reads the Chinese correctly. */
export function publicationCsv(p: Publication): string {
  return stringify(
    p.rows.map((r) => [r.applicationRef, r.idNumberMasked ?? '', r.placed ?? '', r.outcome, r.points ?? '']),
    {
      bom: true,
      header: true,
      columns: ['applicationRef', 'idNumberMasked', 'placed', 'outcome', 'points'],
    },
  )
}
