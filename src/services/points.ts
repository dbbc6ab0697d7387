// Points: official evaluations (stored, numbered, audited, replayable), lookups by ID number, and previews (store nothing).
import { v7 as timeOrderedUuid } from 'uuid'
import type {
  EvaluationRequest,
  PointsEvaluation,
  Preview,
  PreviewRequest,
  Replay,
  Verification,
  VoidResult,
} from '../../schema/api.ts'
import type { PointsResult } from '../../schema/result.ts'
import { advise } from '../../scoring/advice.ts'
import { type CompiledTable, type EvalContext, EvaluationError } from '../../scoring/compile.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import { defaultProjectionEnd, latestProjectionEnd, projectPoints } from '../../scoring/projection.ts'
import { type Clock, todayOf } from '../clock.ts'
import { AppError, bi, joined, notFound } from '../errors.ts'
import {
  type RecordLife,
  type RecordRepository,
  type StoredFacts,
  type StoredRecord,
  TablesChangedError,
} from '../repositories/types.ts'
import { protectIdNumber } from '../security/id-hmac.ts'
import { codeMatches, noticeKey, verificationCode } from '../security/notice-code.ts'
import { recordHash } from '../security/object-hashes.ts'
import { checkDistrictItems, districtItemsOf } from './district-items.ts'
import { futureDates } from './future-dates.ts'
import { renderNotice } from './notice.ts'
import type { Actor, Recorder, Work, WriteContext, Written } from './recorder.ts'
import { replayRecord } from './replay.ts'
import { type RulesetService, rulesetIdOf, rulesetKeyOf } from './rulesets.ts'

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
      const message = bi(`无法计算：${err.message}`, err.message)
      throw new AppError('EVALUATION', message, [{ path: `body.${err.path}`, message }])
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
  if (errors.length > 0) throw new AppError('FUTURE_DATE', joined(errors), errors)
}

/** The engine's frame for a request: its as-of date, jurisdiction and any named dates it supplies. */
export function contextOf(req: EvaluationRequest): EvalContext {
  return { asOf: req.asOf, jurisdiction: req.jurisdiction, dates: req.dates }
}

const NEW_LIFE: RecordLife = { void: null, corrects: null }

/** A record as callers see it: its table named one way (`ruleset`), and its state (valid or void, what it corrects). */
function toView(e: PointsRecord, life: RecordLife = NEW_LIFE): PointsEvaluation {
  const v = life.void
  return {
    id: e.id,
    reference: e.reference,
    createdAt: e.createdAt,
    rulesetId: e.rulesetId,
    ruleset: rulesetKeyOf(e.rulesetId),
    idNumberMasked: e.idNumberMasked,
    status: v === null ? 'valid' : 'void',
    void: v === null ? null : { reason: v.reason, at: v.at, by: v.keyName, correctedBy: v.correctedBy },
    corrects: life.corrects,
    result: e.result,
  }
}

/** The id of an item, gate, layer or deduction a result path points into: `items[age].points` → `age`. */
function rowOf(path: string): string | null {
  const m = /^[a-zA-Z]+\[([^\]]+)\]/.exec(path)
  return m ? m[1] : null
}

function alreadyVoid(record: PointsRecord): AppError {
  return new AppError(
    'RECORD_VOID',
    bi(`${record.reference} 已作废`, `${record.reference} is already void`),
    [
      {
        path: 'params.id',
        message: bi(
          `${record.reference} 已作废；作废不可撤销`,
          `${record.reference} is already void; a void is final`,
        ),
      },
    ],
  )
}

/** What a record's verification code vouches for. */
function vouched(e: PointsRecord) {
  return {
    id: e.id,
    reference: e.reference,
    total: e.result.total,
    factsSha256: e.factsSha256,
    rulesetSha256: e.rulesetSha256,
  }
}

export class PointsService {
  private readonly codeKey: Buffer

  constructor(
    private readonly rulesets: RulesetService,
    private readonly records: RecordRepository,
    private readonly recorder: Recorder,
    private readonly clock: Clock,
    /** key of the ID-number HMAC; from configuration (src/security/id-secret.ts) */
    private readonly idHmacSecret: string,
  ) {
    this.codeKey = noticeKey(idHmacSecret)
  }

  /** The printable notice of a record (HTML), with its verification code; a void record says so on it. */
  async notice(id: string): Promise<string> {
    const e = await this.mustGet(id)
    const [view] = await this.views([e])
    return renderNotice(view, verificationCode(this.codeKey, vouched(e)))
  }

  /**
   * Whether a printed notice is genuine: the same answer for an unknown reference and a wrong code,
   * and for a genuine one only its state and total. Public, so it reveals nothing more.
   */
  async verify(reference: string, code: string): Promise<Verification> {
    const e = await this.records.getByReference(reference)
    if (e === null || e.scheme !== 'points' || !codeMatches(this.codeKey, vouched(e as PointsRecord), code))
      return { reference, genuine: false, status: null, total: null }
    const life = (await this.records.lives([e.id])).get(e.id) ?? NEW_LIFE
    return {
      reference,
      genuine: true,
      status: life.void === null ? 'valid' : 'void',
      total: (e as PointsRecord).result.total,
    }
  }

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
    return this.withFreshTables(() => this.storeOfficial(req, ctx))
  }

  /** Scores a request against the tables in force, retrying when they change before the record is stored. */
  private async withFreshTables<T>(attemptOnce: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce()
      } catch (e) {
        // a publication or retirement committed between scoring and storing: score again on the new tables
        if (!(e instanceof TablesChangedError) || attempt === TABLE_CHANGE_ATTEMPTS) throw e
        await this.rulesets.reloadRegistry(e.actual)
      }
    }
  }

  /** Scores a request for an official record; `insert` then stores it inside a unit of work. */
  private prepare(req: EvaluationRequest) {
    const tablesGeneration = this.rulesets.generation()
    const { compiled, result } = this.compute(req)
    const { idNumber, ...facts } = req.applicant
    const id = idNumber === undefined ? null : protectIdNumber(idNumber, this.idHmacSecret)
    // reference numbers count per calendar year in China Standard Time, like the date on the counter
    const year = Number(todayOf(this.clock).slice(0, 4))
    return async ({ tx, at, audit }: Work): Promise<PointsRecord> => {
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
      return stored
    }
  }

  private async storeOfficial(req: EvaluationRequest, ctx: WriteContext): Promise<Written<PointsEvaluation>> {
    const insert = this.prepare(req)
    return this.recorder.record(ctx, 201, async (work) => {
      const stored = await insert(work)
      return { body: toView(stored), location: `/v1/points/evaluations/${stored.id}` }
    })
  }

  /**
   * Voids a record: a void row and an audit entry, never a change to the record, which still reads
   * and replays. With a correction, the corrected request is stored as a new record pointing to the
   * voided one, in the same unit (all or nothing). A record voids once: a second void is a 409.
   */
  async void(
    id: string,
    body: { reason: string; correction?: EvaluationRequest },
    ctx: WriteContext,
  ): Promise<Written<VoidResult>> {
    const earlier = await this.recorder.replay<VoidResult>(ctx)
    if (earlier !== null) return earlier
    const record = await this.mustGet(id)
    const life = (await this.records.lives([id])).get(id) ?? NEW_LIFE
    if (life.void !== null) throw alreadyVoid(record)
    const { correction } = body
    return this.withFreshTables(async () => {
      const insert = correction === undefined ? null : this.prepare(correction)
      return this.recorder.record(ctx, 200, async (work) => {
        const corrected = insert === null ? null : await insert(work)
        const v = {
          recordId: id,
          reason: body.reason,
          at: work.at,
          keyName: ctx.actor.keyName,
          correctedBy: corrected?.id ?? null,
        }
        // the row's primary key settles a race between two voids: the second finds it taken
        if (!(await work.tx.records.void(v))) throw alreadyVoid(record)
        await work.audit('evaluation.voided', id, contentSha256(v))
        return {
          body: {
            voided: toView(record, { void: v, corrects: life.corrects }),
            correction: corrected === null ? null : toView(corrected, { void: null, corrects: id }),
          },
        }
      })
    })
  }

  /** Records as callers see them, with their states, read in one query. */
  private async views(records: PointsRecord[]): Promise<PointsEvaluation[]> {
    const lives = await this.records.lives(records.map((r) => r.id))
    return records.map((r) => toView(r, lives.get(r.id)))
  }

  /**
   * A person's official records, newest first, found through the HMAC of the ID number. The search
   * itself is audited: who searched, when, and how many records it found; never the ID number (nor
   * its hash, which would let anyone holding the log test a guessed number).
   */
  async listByIdNumber(idNumber: string, limit: number, actor: Actor): Promise<PointsEvaluation[]> {
    const { hmac } = protectIdNumber(idNumber, this.idHmacSecret)
    const records = (await this.records.listByIdHmac(hmac, limit)).filter((r) => r.scheme === 'points')
    await this.recorder.audited(actor, ({ audit }) =>
      // no object to hash: the ID searched for must not be recorded in any form
      audit('evaluation.id_searched', `results:${records.length}`, null),
    )
    return this.views(records as PointsRecord[])
  }

  /** The record with this reference number (the one printed for the applicant). */
  async getByReference(reference: string): Promise<PointsEvaluation> {
    const e = await this.records.getByReference(reference)
    if (e === null || e.scheme !== 'points')
      throw notFound(bi(`参考号为 ${reference} 的计算记录`, `evaluation ${reference}`), 'params.reference')
    return (await this.views([e as PointsRecord]))[0]
  }

  /** A points record; a record of another scheme is not found here. */
  private async mustGet(id: string): Promise<PointsRecord> {
    const e = await this.records.get(id)
    if (e === null || e.scheme !== 'points')
      throw notFound(bi(`计算记录 ${id}`, `evaluation ${id}`), 'params.id')
    return e as PointsRecord
  }

  async get(id: string): Promise<PointsEvaluation> {
    return (await this.views([await this.mustGet(id)]))[0]
  }

  /** Recomputes a record with its stored table and stored facts, never with the tables in force now. */
  async replay(id: string): Promise<Replay> {
    const e = await this.mustGet(id)
    const life = (await this.records.lives([id])).get(id) ?? NEW_LIFE
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
      ruleset: rulesetKeyOf(e.rulesetId),
      status: life.void === null ? 'valid' : 'void',
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
      const message = bi(
        `必须晚于计算日（${req.asOf}），且不晚于 ${latest}`,
        `must be after asOf (${req.asOf}) and no later than ${latest}`,
      )
      throw new AppError('VALIDATION', bi(`body.target.by：${message.zh}`, `body.target.by: ${message.en}`), [
        { path: 'body.target.by', message },
      ])
    }
    const to = target.by ?? defaultProjectionEnd(req.asOf)
    const projection = evaluateOrExplain(() =>
      projectPoints(compiled, req.applicant, ctx, to, { points: target.points, by: target.by ?? null }),
    )
    return { result, advice, projection }
  }
}
