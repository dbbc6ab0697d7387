// Policy simulation (issue 13): scores a population under the table in force and a draft, as an audited in-process job with an immutable record.
import { createHash, randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { FastifyBaseLogger } from 'fastify'
import { v7 as timeOrderedUuid } from 'uuid'
import type { RoundCreate } from '../../schema/admission.ts'
import type { Applicant } from '../../schema/applicant.ts'
import type { Household } from '../../schema/household.ts'
import {
  MAX_UPLOAD_APPLICANTS,
  type SimulationInputs,
  type SimulationRequest,
  type SimulationView,
} from '../../schema/simulation.ts'
import type { Table } from '../../schema/table.ts'
import type { AllocationApplication, AllocationRound } from '../../scoring/allocation.ts'
import { type CompiledTable, compileTable, type EvalContext } from '../../scoring/compile.ts'
import { fromScaled } from '../../scoring/exact.ts'
import { contentSha256, factsSha256 } from '../../scoring/hash.ts'
import { compilePopulationScorer, PopulationBuilder, type PopulationFacts } from '../../scoring/population.ts'
import { jurisdictionChain } from '../../scoring/regions.ts'
import { resolveTable } from '../../scoring/resolve.ts'
import { score as scoreAdmission } from '../../scoring/schemes/admission/index.ts'
import {
  compareRound,
  itemIdsOf,
  type OutcomeColumns,
  type RoundComparison,
  type SimulatedColumns,
  type SimulationReport,
  simulationReportOfColumns,
} from '../../scoring/simulation.ts'
import { type Clock, systemClock } from '../clock.ts'
import { AppError, type Bilingual, bi, notFound } from '../errors.ts'
import type { Storage, StoredSimulation } from '../repositories/types.ts'
import { evaluateOrExplain } from './points.ts'
import { type Recorder, SYSTEM_ACTOR, type WriteContext, type Written } from './recorder.ts'
import { type RulesetService, tableInvalidError } from './rulesets.ts'

/** Applicants scored between two yields to the event loop: probes and other requests still answer. */
const YIELD_EVERY = 2_000

/** The report as stored: the population report, and for a round the placement comparison. */
export type StoredReport = SimulationReport & { round: RoundComparison | null }

/** One unit of a population: an applicant (upload, evaluations) or an application's household (round). */
type Unit =
  | { key: string; applicant: Applicant }
  | { key: string; household: Household; input: AllocationApplication }

interface Prepared {
  inputs: SimulationInputs
  draft: CompiledTable
  inForce: CompiledTable
  /** a round's admission table and allocation round, or null */
  round: { admission: CompiledTable; spec: AllocationRound } | null
  units: Unit[]
  ctx: EvalContext
}

const problem = (name: 'SIMULATION_DRAFT' | 'SIMULATION_POPULATION', path: string, message: Bilingual) =>
  new AppError(name, message, [{ path, message }])

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** The stages of a simulation, for a caller timing them (the bench): milliseconds each. */
export type SimulationStage = 'hash' | 'derive' | 'score' | 'report'
export type StageObserver = (stage: SimulationStage, ms: number) => void

/**
 * Applicants scored in one go of the column loops before a yield to the event loop: a chunk takes
 * about 20 to 60 ms on the loaded 2-core machine (0.3 to 1 s per million), so probes and other
 * requests still answer while a million are scored. Each chunk is scored straight into columns
 * allocated once, so that the result is the one-pass result and a chunk allocates no column.
 */
export const SCORE_CHUNK = 65_536

const STOPPED = 'the service stopped while the simulation ran'

/** Rows [start, end) of a population: views, no copy (record offsets stay absolute, as `score` reads them). */
function rowsOf(pop: PopulationFacts, start: number, end: number): PopulationFacts {
  const columns = new Map<string, Float64Array>()
  for (const [k, col] of pop.columns) columns.set(k, col.subarray(start, end))
  return {
    ...pop,
    size: end - start,
    columns,
    recordStart: pop.recordStart.subarray(start, end + 1),
  }
}

/**
 * A population under one table as report columns: the columnar scorer (scoring/population.ts),
 * compiled once, over chunks of `chunk` rows with a yield between them; the same numbers as one pass.
 */
export async function scoreColumns(
  c: CompiledTable,
  pop: PopulationFacts,
  ctx: EvalContext,
  cancelled: () => boolean = () => false,
  chunk = SCORE_CHUNK,
): Promise<OutcomeColumns> {
  const scorer = compilePopulationScorer(c, ctx)
  const n = pop.size
  // the columns, allocated once; each chunk is scored straight into its rows (views, no copy)
  const total = new Float64Array(n)
  const eligible = new Uint8Array(n)
  const provisional = new Uint8Array(n)
  const layers = c.points.layerCaps.map(() => new Float64Array(n))
  const items = c.table.items.map(() => new Float64Array(n))
  for (let start = 0; ; ) {
    const end = Math.min(n, start + chunk)
    scorer.score(rowsOf(pop, start, end), {
      table: c,
      ctx,
      size: end - start,
      total: total.subarray(start, end),
      layers: layers.map((x) => x.subarray(start, end)),
      layerCaps: c.points.layerCaps,
      items: items.map((x) => x.subarray(start, end)),
      eligible: eligible.subarray(start, end),
      provisional: provisional.subarray(start, end),
    })
    if (end === n) break
    start = end
    await yieldToLoop()
    if (cancelled()) throw new Error(STOPPED)
  }
  return { total, eligible, items: new Map(c.table.items.map((x, k) => [x.id, items[k]])) }
}

/**
 * THE scoring of applicants (upload, evaluations): each applicant's facts derived once into one
 * columnar store for both tables, then scored under each (scoring/population.ts), with no object
 * per applicant. The numbers are those of `points.score()` (test/scoring/population.test.ts) and
 * the report is byte for byte the per-applicant path's (test/scoring/simulation-columnar.test.ts).
 */
async function scoreApplicants(
  p: Prepared,
  progress: (done: number) => void,
  cancelled: () => boolean,
  observe: StageObserver,
): Promise<SimulatedColumns> {
  const n = p.units.length
  let t = performance.now()
  const builder = new PopulationBuilder([p.inForce, p.draft], p.ctx, n)
  const keys = new Array<string>(n)
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) {
      progress(i)
      await yieldToLoop()
      if (cancelled()) throw new Error(STOPPED)
    }
    const u = p.units[i] as Extract<Unit, { applicant: Applicant }>
    keys[i] = u.key
    builder.add(u.applicant)
  }
  const pop = builder.finish()
  observe('derive', performance.now() - t)
  t = performance.now()
  const before = await scoreColumns(p.inForce, pop, p.ctx, cancelled)
  await yieldToLoop()
  if (cancelled()) throw new Error(STOPPED)
  const after = await scoreColumns(p.draft, pop, p.ctx, cancelled)
  observe('score', performance.now() - t)
  progress(n)
  return { keys, before, after }
}

/**
 * A round's households under one points table, from their parents' scores in the columnar store:
 * per household the admission scheme (gates, tier, the scoring parent: the higher-scoring eligible
 * parent) with each parent's points read from the columns, as `points.score()` would give them;
 * the allocator's input with those points; the household's outcome (the scoring parent's total and
 * items) as report columns.
 */
function householdsUnder(
  admission: CompiledTable,
  points: CompiledTable,
  scores: OutcomeColumns,
  households: readonly Extract<Unit, { household: Household }>[],
  firstRow: Int32Array,
  ctx: EvalContext,
): { columns: OutcomeColumns; inputs: AllocationApplication[] } {
  const n = households.length
  const total = new Float64Array(n)
  const eligible = new Uint8Array(n)
  const parentItems = [...scores.items]
  const items = new Map(parentItems.map(([id]) => [id, new Float64Array(n)]))
  const inputs = new Array<AllocationApplication>(n)
  for (let h = 0; h < n; h++) {
    const u = households[h]
    const row0 = firstRow[h]
    const o = scoreAdmission(admission, u.household, ctx, (parent) => {
      const row = row0 + u.household.parents.indexOf(parent)
      // what pointsUsed gives of the parent's outcome (the admission scheme reads total and eligible)
      return {
        total: fromScaled(scores.total[row]),
        eligible: scores.eligible[row] === 1,
        frozenUntil: null,
        ruleset: points.ref,
      }
    })
    const points_ = o.tieBreak.points
    total[h] = points_ ?? 0
    eligible[h] = o.eligible && points_ !== null ? 1 : 0
    if (o.scoringParent !== null) {
      const row = row0 + o.scoringParent
      for (const [id, col] of parentItems) items.get(id)![h] = col[row]
    }
    inputs[h] = {
      ...u.input,
      points: points_,
      insuranceMonths: o.tieBreak.insuranceMonths,
      residenceMonths: o.tieBreak.residenceMonths,
    }
  }
  return { columns: { total, eligible, items }, inputs }
}

/**
 * The scoring of a round's households: every parent's facts derived once into the columnar store
 * (as the upload path's applicants), scored under both tables in chunks, then each household
 * through the admission scheme with those points (`householdsUnder`). The report is byte for byte
 * the per-household path's (test/scoring/simulation-columnar.test.ts).
 */
async function scoreHouseholds(
  p: Prepared,
  round: NonNullable<Prepared['round']>,
  progress: (done: number) => void,
  cancelled: () => boolean,
  observe: StageObserver,
): Promise<{
  columns: SimulatedColumns
  before: AllocationApplication[]
  after: AllocationApplication[]
}> {
  let t = performance.now()
  const households = p.units.filter((u): u is Extract<Unit, { household: Household }> => 'household' in u)
  const builder = new PopulationBuilder([p.inForce, p.draft], p.ctx, households.length * 2)
  const firstRow = new Int32Array(households.length)
  for (let h = 0; h < households.length; h++) {
    if (h > 0 && h % YIELD_EVERY === 0) {
      progress(h)
      await yieldToLoop()
      if (cancelled()) throw new Error(STOPPED)
    }
    firstRow[h] = -1
    for (const parent of households[h].household.parents) {
      const row = builder.add(parent)
      if (firstRow[h] < 0) firstRow[h] = row
    }
  }
  const pop = builder.finish()
  observe('derive', performance.now() - t)
  t = performance.now()
  const parentsBefore = await scoreColumns(p.inForce, pop, p.ctx, cancelled)
  await yieldToLoop()
  if (cancelled()) throw new Error(STOPPED)
  const parentsAfter = await scoreColumns(p.draft, pop, p.ctx, cancelled)
  await yieldToLoop()
  if (cancelled()) throw new Error(STOPPED)
  const b = householdsUnder(round.admission, p.inForce, parentsBefore, households, firstRow, p.ctx)
  const a = householdsUnder(round.admission, p.draft, parentsAfter, households, firstRow, p.ctx)
  observe('score', performance.now() - t)
  progress(p.units.length)
  return {
    columns: { keys: households.map((u) => u.key), before: b.columns, after: a.columns },
    before: b.inputs,
    after: a.inputs,
  }
}

/**
 * SHA-256 of the population's [key, facts hash] pairs: the digest `contentSha256(pairs)` gives
 * (canonical JSON of strings is JSON.stringify's), streamed, without canonicalising a million arrays.
 */
export function populationSha256(pairs: readonly (readonly string[])[]): string {
  const h = createHash('sha256')
  let open = '['
  const parts: string[] = []
  for (const pair of pairs) {
    parts.push(JSON.stringify(pair))
    if (parts.length === 4096) {
      h.update(`${open}${parts.join(',')}`)
      open = ','
      parts.length = 0
    }
  }
  h.update(parts.length > 0 ? `${open}${parts.join(',')}]` : open === '[' ? '[]' : ']')
  return h.digest('hex')
}

interface Job {
  done: number
  total: number
  promise: Promise<void>
  /** its record is no longer running (another instance found its heartbeat stale and failed it): stop */
  lost: boolean
}

/**
 * How an instance's simulation jobs live with other instances on one database: each running
 * record names its owner and carries a heartbeat the owner moves while the job runs; any instance
 * fails a running record whose heartbeat is stale (its owner is gone), at start and periodically.
 * Instances' clocks must agree to well within `staleMs`.
 */
export interface JobLifecycle {
  /** this instance's id, written as the owner of the simulations it runs */
  instanceId: string
  /** how often the heartbeat of this instance's running simulations moves */
  heartbeatMs: number
  /** a running simulation whose heartbeat is older than this is failed */
  staleMs: number
  /** heartbeats and staleness are read on this clock */
  clock: Clock
}

/** An id for this process: host, process id and a random part (two processes never share one). */
export function newInstanceId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`
}

export class SimulationService {
  private readonly jobs = new Map<string, Job>()
  private stopping = false
  private readonly life: JobLifecycle
  private heartbeat: NodeJS.Timeout | null = null
  private beating = false

  constructor(
    private readonly rulesets: RulesetService,
    private readonly storage: Storage,
    private readonly recorder: Recorder,
    private readonly log: FastifyBaseLogger,
    /** the most applicants an upload may hold (the API's bound; the CLI passes its own) */
    private readonly maxUpload = MAX_UPLOAD_APPLICANTS,
    /** told each stage's time (the bench); nothing by default */
    private readonly observe: StageObserver = () => {},
    /** owner, heartbeat and staleness (defaults: a new instance id, 5 s, 60 s, the system clock) */
    lifecycle: Partial<JobLifecycle> = {},
  ) {
    this.life = {
      instanceId: lifecycle.instanceId ?? newInstanceId(),
      heartbeatMs: lifecycle.heartbeatMs ?? 5_000,
      staleMs: lifecycle.staleMs ?? 60_000,
      clock: lifecycle.clock ?? systemClock,
    }
  }

  /** this instance's id, the owner of the simulations it runs */
  get instanceId(): string {
    return this.life.instanceId
  }

  /**
   * A simulation left running by an instance that is gone (restart, crash) never finishes: failed,
   * with the reason, once its heartbeat is older than `staleMs`; one another live instance runs is
   * left alone. Called at start and every `staleMs` (src/app.ts). Returns the ids so failed.
   */
  async failStale(): Promise<string[]> {
    const before = new Date(this.life.clock.now().getTime() - this.life.staleMs).toISOString()
    const ids = (await this.storage.simulations.stale(before)).filter((id) => !this.jobs.has(id))
    const failed: string[] = []
    for (const id of ids)
      if (
        await this.finish(id, {
          state: 'failed',
          failure: `interrupted: its instance stopped (a restart or a crash of the service), no heartbeat since before ${before}`,
        })
      )
        failed.push(id)
    return failed
  }

  /** Moves the heartbeat of this instance's running jobs; a job whose record is no longer running stops. */
  private async beat(): Promise<void> {
    const ids = [...this.jobs.keys()]
    if (ids.length === 0 || this.beating) return
    this.beating = true
    try {
      const at = this.life.clock.now().toISOString()
      const moved = new Set(
        await this.storage.transaction((tx) => tx.simulations.heartbeat(ids, this.life.instanceId, at)),
      )
      for (const id of ids) {
        const job = this.jobs.get(id)
        if (job !== undefined && !moved.has(id)) job.lost = true
      }
    } catch (err) {
      this.log.error({ err }, 'could not move the heartbeat of the running simulations')
    } finally {
      this.beating = false
    }
  }

  /**
   * Stops taking work, stops the running jobs and fails their records (the job ends with its
   * process); a job whose record cannot be written now is failed by the next instance to find its
   * heartbeat stale.
   */
  async stop(): Promise<void> {
    this.stopping = true
    await Promise.allSettled([...this.jobs.values()].map((j) => j.promise))
  }

  /** running → completed or failed, audited; false when it was no longer running (another instance failed it). */
  private async finish(
    id: string,
    end: { state: 'completed'; report: unknown } | { state: 'failed'; failure: string },
  ): Promise<boolean> {
    return this.recorder.audited(
      SYSTEM_ACTOR,
      async ({ tx, at, audit }) => {
        if (!(await tx.simulations.finish(id, end, at))) return false
        await audit(
          `simulation.${end.state}`,
          id,
          end.state === 'completed' ? contentSha256(end.report) : contentSha256({ failure: end.failure }),
        )
        return true
      },
      true,
    )
  }

  // ---------------------------------------------------------------- inputs

  private async draftOf(
    req: SimulationRequest,
  ): Promise<{ compiled: CompiledTable; ruleset: string | null }> {
    if ('ruleset' in req.draft) {
      const key = req.draft.ruleset
      const stored = await this.storage.rulesets.get(key)
      if (stored === null) throw notFound(bi(`积分表 ${key}`, `ruleset ${key}`), 'body.draft.ruleset')
      if (stored.scheme !== 'points')
        throw problem(
          'SIMULATION_DRAFT',
          'body.draft.ruleset',
          bi(
            `${key} 是 ${stored.scheme} 表；模拟只比较积分（points）表`,
            `${key} is a ${stored.scheme} table; a simulation compares points tables`,
          ),
        )
      return { compiled: compileTable(stored.table), ruleset: key }
    }
    const source = req.draft.table
    if (source.scheme !== 'points')
      throw problem(
        'SIMULATION_DRAFT',
        'body.draft.table.scheme',
        bi(
          `草案是 ${source.scheme} 表；模拟只比较积分（points）表`,
          `the draft is a ${source.scheme} table; a simulation compares points tables`,
        ),
      )
    const published = await this.storage.rulesets.list({ status: 'published' })
    try {
      const table: Table = resolveTable(source, (pinned) => published.find((r) => r.id === pinned)?.table)
      return { compiled: compileTable(table), ruleset: null }
    } catch (err) {
      throw tableInvalidError(err, 'body.draft.table') ?? err
    }
  }

  /** The population's units, its description for the inputs, and its hash (facts without ID numbers). */
  private async populationOf(req: SimulationRequest): Promise<{
    units: Unit[]
    district: string | null
    spec: RoundCreate | null
    hashes: string[][]
    /** time spent hashing facts here (the upload's), for the stage observer */
    hashMs: number
  }> {
    const pop = req.population
    if (pop.source === 'upload') {
      if (pop.applicants.length > this.maxUpload)
        throw problem(
          'SIMULATION_POPULATION',
          'body.population.applicants',
          bi(`最多上传 ${this.maxUpload} 名申请人`, `at most ${this.maxUpload} applicants may be uploaded`),
        )
      const width = String(pop.applicants.length).length
      const units = pop.applicants.map((applicant, i) => ({
        key: String(i + 1).padStart(width, '0'),
        applicant,
      }))
      const t = performance.now()
      const hashes = units.map((u) => [u.key, factsSha256(u.applicant)])
      return { units, district: null, spec: null, hashes, hashMs: performance.now() - t }
    }
    if (pop.source === 'evaluations') {
      if (pop.from > pop.to)
        throw problem(
          'SIMULATION_POPULATION',
          'body.population.to',
          bi('日期范围的结束早于开始', 'the range ends before it starts'),
        )
      const units: Unit[] = []
      const hashes: string[][] = []
      // in batches of 1,000: a void record no longer stands, it is not part of the population; and
      // the population is bounded as an upload is, checked as it grows (never more than a batch over)
      let batch: { id: string; key: string; applicant: Applicant; factsSha256: string }[] = []
      const take = async () => {
        const lives = await this.storage.records.lives(batch.map((f) => f.id))
        for (const f of batch) {
          if (lives.get(f.id)?.void != null) continue
          units.push({ key: f.key, applicant: f.applicant })
          hashes.push([f.key, f.factsSha256])
        }
        batch = []
        if (units.length > this.maxUpload)
          throw problem(
            'SIMULATION_POPULATION',
            'body.population',
            bi(
              `${pop.from} 至 ${pop.to} 的积分记录超过 ${this.maxUpload} 条（模拟人群的上限）：请缩小日期范围`,
              `the points records from ${pop.from} to ${pop.to} are more than ${this.maxUpload} (the most a simulation takes): narrow the range`,
            ),
          )
      }
      for await (const r of this.storage.records.all()) {
        if (r.scheme !== 'points') continue
        const day = r.createdAt.slice(0, 10)
        if (day < pop.from || day > pop.to) continue
        if (!jurisdictionChain(r.jurisdiction).includes(req.jurisdiction)) continue
        batch.push({
          id: r.id,
          key: r.reference,
          applicant: r.facts as Applicant,
          factsSha256: r.factsSha256,
        })
        if (batch.length === 1000) await take()
      }
      if (batch.length > 0) await take()
      return { units, district: null, spec: null, hashes, hashMs: 0 }
    }
    const round = await this.storage.admission.getRound(pop.roundId)
    if (round === null)
      throw notFound(bi(`录取批次 ${pop.roundId}`, `round ${pop.roundId}`), 'body.population.roundId')
    const units: Unit[] = []
    const hashes: string[][] = []
    let after: string | null = null
    for (;;) {
      const page = await this.storage.admission.listApplications(round.id, after, 1000)
      if (page.length === 0) break
      for (const a of page) {
        if (a.status !== 'active') continue
        units.push({
          key: a.applicationRef,
          household: a.household as Household,
          input: a.input as AllocationApplication,
        })
        hashes.push([a.applicationRef, contentSha256(a.household)])
      }
      after = page[page.length - 1].applicationRef
    }
    return { units, district: round.district, spec: round.spec as RoundCreate, hashes, hashMs: 0 }
  }

  private async prepare(req: SimulationRequest): Promise<Prepared> {
    const draft = await this.draftOf(req)
    const pop = await this.populationOf(req)
    if (pop.units.length === 0)
      throw problem(
        'SIMULATION_POPULATION',
        'body.population',
        bi('模拟人群为空：没有可计算的人', 'the population is empty: nobody to score'),
      )
    const jurisdiction = pop.district ?? req.jurisdiction
    const registry = this.rulesets.current()
    const inForce = registry.find('points', jurisdiction, req.asOf)
    const round =
      pop.spec === null
        ? null
        : {
            admission: registry.find('admission', jurisdiction, req.asOf),
            spec: {
              units: pop.spec.units,
              cutoffScope: pop.spec.cutoffScope,
              tieBreak: pop.spec.tieBreak,
              lotterySeed: pop.spec.lotterySeed,
            } as AllocationRound,
          }
    const p = req.population
    const t = performance.now()
    const populationHash = populationSha256(pop.hashes)
    this.observe('hash', performance.now() - t + pop.hashMs)
    const inputs: SimulationInputs = {
      draft: {
        ruleset: draft.ruleset,
        id: draft.compiled.table.id,
        version: draft.compiled.table.version,
        sha256: draft.compiled.sha256,
      },
      table: { ruleset: `${inForce.table.id}@${inForce.table.version}`, sha256: inForce.sha256 },
      population: {
        source: p.source,
        ...(p.source === 'round' ? { roundId: p.roundId } : {}),
        ...(p.source === 'evaluations' ? { from: p.from, to: p.to } : {}),
        count: pop.units.length,
        sha256: populationHash,
      },
      asOf: req.asOf,
      jurisdiction,
      thresholds: [...new Set(req.thresholds ?? [])].sort((a, b) => a - b),
      binWidth: req.binWidth ?? 10,
      top: req.top ?? 10,
    }
    return {
      inputs,
      draft: draft.compiled,
      inForce,
      round,
      units: pop.units,
      ctx: { asOf: req.asOf, jurisdiction },
    }
  }

  // ---------------------------------------------------------------- the job

  /** Scores and reports (the whole computation, for the job and for the CLI). */
  static async compute(
    p: Prepared,
    progress: (done: number) => void,
    cancelled = () => false,
    observe: StageObserver = () => {},
  ): Promise<StoredReport> {
    const params = {
      binWidth: p.inputs.binWidth,
      thresholds: p.inputs.thresholds,
      top: p.inputs.top,
      itemsBefore: itemIdsOf(p.inForce),
      itemsAfter: itemIdsOf(p.draft),
    }
    const round = p.round
    if (round === null) {
      const columns = await evaluateOrExplainAsync(() => scoreApplicants(p, progress, cancelled, observe))
      const t = performance.now()
      const report = simulationReportOfColumns(columns, params)
      observe('report', performance.now() - t)
      return { ...report, round: null }
    }
    const { columns, before, after } = await evaluateOrExplainAsync(() =>
      scoreHouseholds(p, round, progress, cancelled, observe),
    )
    const t = performance.now()
    const report = simulationReportOfColumns(columns, params)
    const comparison = compareRound(round.spec, before, after)
    observe('report', performance.now() - t)
    return { ...report, round: comparison }
  }

  private start(id: string, p: Prepared): void {
    const job: Job = { done: 0, total: p.units.length, promise: Promise.resolve(), lost: false }
    job.promise = (async () => {
      // after the answer: the 202 goes out first
      await yieldToLoop()
      try {
        const report = await SimulationService.compute(
          p,
          (done) => {
            job.done = done
          },
          () => this.stopping || job.lost,
          this.observe,
        )
        await this.finish(id, { state: 'completed', report })
      } catch (err) {
        if (job.lost && !this.stopping) {
          this.log.warn(
            { simulation: id },
            'simulation failed by another instance (stale heartbeat): stopped',
          )
          return
        }
        const failure = this.stopping
          ? 'interrupted: the service stopped while the simulation ran'
          : err instanceof AppError || err instanceof Error
            ? err.message
            : String(err)
        if (!this.stopping) this.log.error({ simulation: id, err }, 'simulation failed')
        await this.finish(id, { state: 'failed', failure }).catch((e: unknown) =>
          this.log.error({ simulation: id, err: e }, 'could not record the failed simulation'),
        )
      } finally {
        this.jobs.delete(id)
        if (this.jobs.size === 0 && this.heartbeat !== null) {
          clearInterval(this.heartbeat)
          this.heartbeat = null
        }
      }
    })()
    this.jobs.set(id, job)
    if (this.heartbeat === null)
      this.heartbeat = setInterval(() => void this.beat(), this.life.heartbeatMs).unref()
  }

  /** Validates, stores the record running (audited `simulation.created` with the inputs hash) and starts the job: 202. */
  async create(req: SimulationRequest, ctx: WriteContext): Promise<Written<SimulationView>> {
    const earlier = await this.recorder.replay<SimulationView>(ctx)
    if (earlier !== null) return earlier
    const p = await this.prepare(req)
    const id = timeOrderedUuid()
    const inputsSha256 = contentSha256(p.inputs)
    const written = await this.recorder.record(ctx, 202, async ({ tx, at, audit }) => {
      const row = {
        id,
        createdAt: at,
        createdBy: ctx.actor.keyName,
        inputsSha256,
        inputs: p.inputs,
        total: p.units.length,
        owner: this.life.instanceId,
      }
      await tx.simulations.insert(row)
      await audit('simulation.created', id, inputsSha256)
      return {
        body: this.view({
          ...row,
          state: 'running',
          report: null,
          failure: null,
          finishedAt: null,
          heartbeatAt: at,
        }),
        location: `/v1/simulations/${id}`,
      }
    })
    if (!written.replayed) this.start(id, p)
    return written
  }

  /** Runs a simulation in this process and waits for it (the CLI): the same record, job and audit. */
  async run(req: SimulationRequest, ctx: WriteContext): Promise<SimulationView> {
    const written = await this.create(req, ctx)
    const id = written.body.id
    await this.jobs.get(id)?.promise
    return this.get(id)
  }

  private view(s: StoredSimulation): SimulationView {
    const job = this.jobs.get(s.id)
    const done =
      s.state === 'running' ? (job?.done ?? 0) : s.state === 'completed' ? s.total : (job?.done ?? 0)
    return {
      id: s.id,
      createdAt: s.createdAt,
      createdBy: s.createdBy,
      state: s.state,
      progress: { done, total: s.total },
      inputsSha256: s.inputsSha256,
      inputs: s.inputs as SimulationInputs,
      report: (s.report as StoredReport | null) ?? null,
      failure: s.failure,
      finishedAt: s.finishedAt,
    }
  }

  async get(id: string): Promise<SimulationView> {
    const s = await this.storage.simulations.get(id)
    if (s === null) throw notFound(bi(`模拟 ${id}`, `simulation ${id}`), 'params.id')
    return this.view(s)
  }
}

/** evaluateOrExplain for an async computation: a date the table needs and the facts lack becomes a 422's message. */
async function evaluateOrExplainAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    return evaluateOrExplain(() => {
      throw err
    })
  }
}
