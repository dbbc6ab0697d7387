// Points: official evaluations (stored, numbered, audited, replayable), lookups by ID number, and previews (store nothing).
import { v7 as timeOrderedUuid } from 'uuid'
import type {
  EvaluationRequest,
  PointsEvaluation,
  Preview,
  PreviewRequest,
  Replay,
} from '../../schema/api.ts'
import type { PointsResult } from '../../schema/result.ts'
import { advise } from '../../scoring/advice.ts'
import { type CompiledTable, type EvalContext, EvaluationError } from '../../scoring/compile.ts'
import { defaultProjectionEnd, latestProjectionEnd, projectPoints } from '../../scoring/projection.ts'
import { type Clock, todayOf } from '../clock.ts'
import { AppError } from '../errors.ts'
import {
  type RecordRepository,
  type StoredFacts,
  type StoredRecord,
  TablesChangedError,
} from '../repositories/types.ts'
import { protectIdNumber } from '../security/id-hmac.ts'
import { recordHash } from '../security/object-hashes.ts'
import { checkDistrictItems, districtItemsOf } from './district-items.ts'
import { futureDates } from './future-dates.ts'
import type { Recorder, WriteContext, Written } from './recorder.ts'
import { replayRecord } from './replay.ts'
import { type RulesetService, rulesetIdOf } from './rulesets.ts'

/** A points record as the points routes show it. */
type PointsRecord = StoredRecord<StoredFacts, PointsResult>

/** Attempts at storing a record when the tables keep changing under it (each a fresh scoring). */
const TABLE_CHANGE_ATTEMPTS = 3

/** Runs the engine, turning a date the table needs but the caller did not give into a 422 naming it. */
export function evaluateOrExplain<T>(run: () => T): T {
  try {
    return run()
  } catch (err) {
    if (err instanceof EvaluationError) {
      throw new AppError('EVALUATION', err.message, [{ path: `body.${err.path}`, message: err.message }])
    }
    throw err
  }
}

/** Refuses an as-of date or a fact dated after today. `raw` is the body as sent, before defaults. */
export function refuseFuture(
  req: { asOf: string; applicant: unknown },
  clock: Clock,
  bodyPath = 'body',
): void {
  const today = todayOf(clock)
  const errors = [
    ...futureDates(req.asOf, `${bodyPath}.asOf`, today),
    ...futureDates(req.applicant, `${bodyPath}.applicant`, today),
  ]
  if (errors.length > 0)
    throw new AppError('FUTURE_DATE', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors)
}

/** The engine's frame for a request: its as-of date, jurisdiction and any named dates it supplies. */
export function contextOf(req: EvaluationRequest): EvalContext {
  return { asOf: req.asOf, jurisdiction: req.jurisdiction, dates: req.dates }
}

function toView(e: PointsRecord): PointsEvaluation {
  return {
    id: e.id,
    reference: e.reference,
    createdAt: e.createdAt,
    rulesetId: e.rulesetId,
    idNumberMasked: e.idNumberMasked,
    result: e.result,
  }
}

/** The id of an item, gate, layer or deduction a result path points into: `items[age].points` → `age`. */
function rowOf(path: string): string | null {
  const m = /^[a-zA-Z]+\[([^\]]+)\]/.exec(path)
  return m ? m[1] : null
}

export class PointsService {
  constructor(
    private readonly rulesets: RulesetService,
    private readonly records: RecordRepository,
    private readonly recorder: Recorder,
    private readonly clock: Clock,
    /** key of the ID-number HMAC; from configuration (src/security/id-secret.ts) */
    private readonly idHmacSecret: string,
  ) {}

  private compute(req: EvaluationRequest): { compiled: CompiledTable; result: PointsResult } {
    refuseFuture(req, this.clock)
    const compiled = this.rulesets.current().find('points', req.jurisdiction, req.asOf)
    checkDistrictItems(req.applicant.districtItems, [districtItemsOf(compiled.table)])
    const result = evaluateOrExplain(() => compiled.evaluatePoints(req.applicant, contextOf(req)))
    return { compiled, result }
  }

  /** Scores and stores an official record with its audit entry; a retry with the same Idempotency-Key gets it back. */
  async createOfficial(req: EvaluationRequest, ctx: WriteContext): Promise<Written<PointsEvaluation>> {
    const earlier = await this.recorder.replay<PointsEvaluation>(ctx)
    if (earlier !== null) return earlier
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.storeOfficial(req, ctx)
      } catch (e) {
        // a publication or retirement committed between scoring and storing: score again on the new tables
        if (!(e instanceof TablesChangedError) || attempt === TABLE_CHANGE_ATTEMPTS) throw e
        await this.rulesets.reloadRegistry(e.actual)
      }
    }
  }

  private async storeOfficial(req: EvaluationRequest, ctx: WriteContext): Promise<Written<PointsEvaluation>> {
    const tablesGeneration = this.rulesets.generation()
    const { compiled, result } = this.compute(req)
    const { idNumber, ...facts } = req.applicant
    const id = idNumber === undefined ? null : protectIdNumber(idNumber, this.idHmacSecret)
    // reference numbers count per calendar year in China Standard Time, like the date on the counter
    const year = Number(todayOf(this.clock).slice(0, 4))
    return this.recorder.record(ctx, 201, async ({ tx, at, audit }) => {
      const stored = await tx.records.create<StoredFacts, PointsResult>({
        // time-ordered (UUIDv7): new records go to the end of the primary-key index instead of a random
        // page of it, so a batch of inserts dirties a few pages, not one per record
        id: timeOrderedUuid(),
        scheme: 'points',
        rulesetId: rulesetIdOf(compiled.table),
        rulesetSha256: compiled.sha256,
        asOf: req.asOf,
        jurisdiction: req.jurisdiction,
        facts,
        factsSha256: result.factsSha256,
        idNumberMasked: id?.masked ?? null,
        idNumberHmac: id?.hmac ?? null,
        dates: req.dates ?? {},
        // serialised once, by the repository (see NewEvaluation.result)
        result,
        at,
        year,
        tablesGeneration,
      })
      await audit('evaluation.created', stored.id, recordHash(stored))
      return { body: toView(stored), location: `/v1/points/evaluations/${stored.id}` }
    })
  }

  /** A person's official records, newest first, found through the HMAC of the ID number. */
  async listByIdNumber(idNumber: string, limit: number): Promise<PointsEvaluation[]> {
    const { hmac } = protectIdNumber(idNumber, this.idHmacSecret)
    const records = await this.records.listByIdHmac(hmac, limit)
    return records.filter((r) => r.scheme === 'points').map((r) => toView(r as PointsRecord))
  }

  /** A points record; a record of another scheme is not found here. */
  private async mustGet(id: string): Promise<PointsRecord> {
    const e = await this.records.get(id)
    if (e === null || e.scheme !== 'points')
      throw new AppError('NOT_FOUND', `no evaluation ${id}`, [
        { path: 'params.id', message: `no evaluation ${id}` },
      ])
    return e as PointsRecord
  }

  async get(id: string): Promise<PointsEvaluation> {
    return toView(await this.mustGet(id))
  }

  /** Recomputes a record with its stored table and stored facts, never with the tables in force now. */
  async replay(id: string): Promise<Replay> {
    const e = await this.mustGet(id)
    const compiled = await this.rulesets.compiledForRecord(e.rulesetId, e.rulesetSha256)
    const { replayed, differences: diff } = replayRecord(e, compiled, evaluateOrExplain)
    const differences = diff.map((d) => ({
      path: d.path,
      item: rowOf(d.path),
      stored: d.from,
      replayed: d.to,
    }))
    return {
      id: e.id,
      reference: e.reference,
      identical: differences.length === 0,
      differences,
      rulesetId: e.rulesetId,
      replayed: replayed as PointsResult,
    }
  }

  /** Scores without storing: the result, advice priced by the engine, and with a target the projection to it. */
  preview(req: PreviewRequest): Preview {
    const { compiled, result } = this.compute(req)
    const ctx = contextOf(req)
    const advice = evaluateOrExplain(() => advise(compiled, req.applicant, ctx, result))
    const target = req.target
    if (target === undefined) return { result, advice, projection: null }
    const latest = latestProjectionEnd(req.asOf)
    if (target.by !== undefined && (target.by <= req.asOf || target.by > latest)) {
      const message = `must be after asOf (${req.asOf}) and no later than ${latest}`
      throw new AppError('VALIDATION', `body.target.by: ${message}`, [{ path: 'body.target.by', message }])
    }
    const to = target.by ?? defaultProjectionEnd(req.asOf)
    const projection = evaluateOrExplain(() =>
      projectPoints(compiled, req.applicant, ctx, to, { points: target.points, by: target.by ?? null }),
    )
    return { result, advice, projection }
  }
}
