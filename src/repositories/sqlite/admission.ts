// Admission rounds in SQLite: rounds, applications (withdrawn, never erased) and immutable result versions.
import type { Database, Statement } from 'better-sqlite3'
import type {
  AdmissionRepository,
  ApplicationBatchCount,
  StoredApplication,
  StoredApplicationText,
  StoredResultVersion,
  StoredRound,
  StoredWithdrawal,
} from '../types.ts'

interface RoundRow {
  id: string
  district: string
  spec_json: string
  status: StoredRound['status']
  published_version: number | null
  created_at: string
  applications: number
  latest_version: number | null
}

interface ApplicationRow {
  round_id: string
  application_ref: string
  child_key: string
  id_number_masked: string | null
  household_json: string
  evaluation_json: string
  input_json: string
  status: StoredApplication['status']
  created_at: string
  withdrawn_at: string | null
  batch: number | null
  position: number | null
}

interface ResultRow {
  round_id: string
  version: number
  inputs_sha256: string
  inputs_json: string
  result_json: string
  created_at: string
}

// A round with its counts; written out in each statement, since SQL text is never built from parts
// (test/security/hardening.test.ts)
const ROUNDS_AFTER = `SELECT r.id, r.district, r.spec_json, r.status, r.published_version, r.created_at,
  (SELECT count(*) FROM admission_applications a WHERE a.round_id = r.id AND a.status = 'active') AS applications,
  (SELECT max(version) FROM admission_results v WHERE v.round_id = r.id) AS latest_version
  FROM admission_rounds r WHERE r.id > ? ORDER BY r.id LIMIT ?`
const ROUND_BY_ID = `SELECT r.id, r.district, r.spec_json, r.status, r.published_version, r.created_at,
  (SELECT count(*) FROM admission_applications a WHERE a.round_id = r.id AND a.status = 'active') AS applications,
  (SELECT max(version) FROM admission_results v WHERE v.round_id = r.id) AS latest_version
  FROM admission_rounds r WHERE r.id = ?`

export function toRound(r: RoundRow): StoredRound {
  return {
    id: r.id,
    district: r.district,
    spec: JSON.parse(r.spec_json) as unknown,
    status: r.status,
    publishedVersion: r.published_version,
    createdAt: r.created_at,
    applications: Number(r.applications),
    latestVersion: r.latest_version === null ? null : Number(r.latest_version),
  }
}

export function toApplication(r: ApplicationRow): StoredApplication {
  return {
    roundId: r.round_id,
    applicationRef: r.application_ref,
    childKey: r.child_key,
    idNumberMasked: r.id_number_masked,
    household: JSON.parse(r.household_json) as unknown,
    evaluation: JSON.parse(r.evaluation_json) as unknown,
    input: JSON.parse(r.input_json) as unknown,
    status: r.status,
    createdAt: r.created_at,
    withdrawnAt: r.withdrawn_at,
    batch: r.batch,
    position: r.position,
  }
}

export function toResult(r: ResultRow): StoredResultVersion {
  return {
    roundId: r.round_id,
    version: Number(r.version),
    inputsSha256: r.inputs_sha256,
    inputs: JSON.parse(r.inputs_json) as unknown,
    result: JSON.parse(r.result_json) as unknown,
    createdAt: r.created_at,
  }
}

export class SqliteAdmissionRepository implements AdmissionRepository {
  private readonly r: Database
  private readonly w: Database
  private readonly insertApplication: Statement

  /** the raw connections: these statements are plain SQL, and the writer's run in its open transaction */
  constructor(reader: Database, writer: Database) {
    this.r = reader
    this.w = writer
    this.insertApplication = this.w.prepare(
      `INSERT INTO admission_applications (round_id, application_ref, child_key, id_number_masked, household_json,
        evaluation_json, input_json, status, created_at, withdrawn_at, batch, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
  }

  async listRounds(after: string | null, limit: number): Promise<StoredRound[]> {
    const rows = this.r.prepare(ROUNDS_AFTER).all(after ?? '', limit) as RoundRow[]
    return rows.map(toRound)
  }

  private roundOn(db: Database, id: string): StoredRound | null {
    const row = db.prepare(ROUND_BY_ID).get(id) as RoundRow | undefined
    return row ? toRound(row) : null
  }

  async getRound(id: string): Promise<StoredRound | null> {
    return this.roundOn(this.r, id)
  }

  async listApplications(roundId: string, after: string | null, limit: number): Promise<StoredApplication[]> {
    const rows = this.r
      .prepare(
        'SELECT * FROM admission_applications WHERE round_id = ? AND application_ref > ? ORDER BY application_ref LIMIT ?',
      )
      .all(roundId, after ?? '', limit) as ApplicationRow[]
    return rows.map(toApplication)
  }

  // a list of values goes in as one JSON parameter (json_each), whatever its length: one bound
  // parameter, so SQLite's limit on parameters never applies and the SQL text never grows with the list
  async getApplications(roundId: string, refs: readonly string[]): Promise<StoredApplication[]> {
    const rows = this.r
      .prepare(
        `SELECT * FROM admission_applications WHERE round_id = ? AND application_ref IN (SELECT value FROM json_each(?)) ORDER BY application_ref`,
      )
      .all(roundId, JSON.stringify(refs)) as ApplicationRow[]
    return rows.map(toApplication)
  }

  async applicationBatches(): Promise<ApplicationBatchCount[]> {
    const rows = this.r
      .prepare(
        'SELECT round_id, batch, count(*) AS n FROM admission_applications GROUP BY round_id, batch ORDER BY round_id, batch NULLS FIRST',
      )
      .all() as { round_id: string; batch: number | null; n: number }[]
    return rows.map((r) => ({ roundId: r.round_id, batch: r.batch, applications: Number(r.n) }))
  }

  async batchText(roundId: string, batch: number): Promise<StoredApplicationText[]> {
    const rows = this.r
      .prepare(
        `SELECT application_ref, child_key, id_number_masked, household_json, evaluation_json, input_json
         FROM admission_applications WHERE round_id = ? AND batch = ? ORDER BY position`,
      )
      .all(roundId, batch) as ApplicationRow[]
    return rows.map((r) => ({
      applicationRef: r.application_ref,
      childKey: r.child_key,
      idNumberMasked: r.id_number_masked,
      householdJson: r.household_json,
      evaluationJson: r.evaluation_json,
      inputJson: r.input_json,
    }))
  }

  async withdrawals(): Promise<StoredWithdrawal[]> {
    const rows = this.r
      .prepare(
        `SELECT round_id, application_ref, status, withdrawn_at FROM admission_applications
         WHERE status <> 'active' OR withdrawn_at IS NOT NULL ORDER BY round_id, application_ref`,
      )
      .all() as ApplicationRow[]
    return rows.map((r) => ({
      roundId: r.round_id,
      applicationRef: r.application_ref,
      status: r.status,
      withdrawnAt: r.withdrawn_at,
    }))
  }

  async getResult(roundId: string, version: number | null): Promise<StoredResultVersion | null> {
    const row = (
      version === null
        ? this.r
            .prepare('SELECT * FROM admission_results WHERE round_id = ? ORDER BY version DESC LIMIT 1')
            .get(roundId)
        : this.r
            .prepare('SELECT * FROM admission_results WHERE round_id = ? AND version = ?')
            .get(roundId, version)
    ) as ResultRow | undefined
    return row ? toResult(row) : null
  }

  // ---------------------------------------------------------------- writes, in the writer's transaction

  createRoundInTx(r: Omit<StoredRound, 'applications' | 'latestVersion'>): void {
    this.w
      .prepare(
        'INSERT INTO admission_rounds (id, district, spec_json, status, published_version, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(r.id, r.district, JSON.stringify(r.spec), r.status, r.publishedVersion, r.createdAt)
  }

  /** The writer's transaction is IMMEDIATE: the round is read under the database's write lock. */
  lockRoundInTx(id: string): StoredRound | null {
    return this.roundOn(this.w, id)
  }

  setRoundStatusInTx(id: string, status: StoredRound['status'], publishedVersion: number | null): void {
    this.w
      .prepare('UPDATE admission_rounds SET status = ?, published_version = ? WHERE id = ?')
      .run(status, publishedVersion, id)
  }

  conflictsInTx(
    roundId: string,
    refs: readonly string[],
    childKeys: readonly string[],
  ): { refs: string[]; children: { childKey: string; applicationRef: string }[] } {
    const taken = this.w
      .prepare(
        `SELECT application_ref FROM admission_applications WHERE round_id = ? AND application_ref IN (SELECT value FROM json_each(?))`,
      )
      .all(roundId, JSON.stringify(refs)) as { application_ref: string }[]
    const children = this.w
      .prepare(
        `SELECT child_key, application_ref FROM admission_applications WHERE round_id = ? AND status = 'active' AND child_key IN (SELECT value FROM json_each(?))`,
      )
      .all(roundId, JSON.stringify(childKeys)) as { child_key: string; application_ref: string }[]
    return {
      refs: taken.map((r) => r.application_ref),
      children: children.map((r) => ({ childKey: r.child_key, applicationRef: r.application_ref })),
    }
  }

  nextBatchInTx(roundId: string): number {
    const row = this.w
      .prepare('SELECT coalesce(max(batch), 0) + 1 AS next FROM admission_applications WHERE round_id = ?')
      .get(roundId) as { next: number }
    return Number(row.next)
  }

  insertApplicationsInTx(rows: readonly StoredApplication[]): void {
    for (const a of rows)
      this.insertApplication.run(
        a.roundId,
        a.applicationRef,
        a.childKey,
        a.idNumberMasked,
        JSON.stringify(a.household),
        JSON.stringify(a.evaluation),
        JSON.stringify(a.input),
        a.status,
        a.createdAt,
        a.withdrawnAt,
        a.batch,
        a.position,
      )
  }

  withdrawInTx(roundId: string, ref: string, at: string): boolean {
    const r = this.w
      .prepare(
        "UPDATE admission_applications SET status = 'withdrawn', withdrawn_at = ? WHERE round_id = ? AND application_ref = ? AND status = 'active'",
      )
      .run(at, roundId, ref)
    return r.changes === 1
  }

  activeInputsInTx(roundId: string): unknown[] {
    const rows = this.w
      .prepare(
        "SELECT input_json FROM admission_applications WHERE round_id = ? AND status = 'active' ORDER BY application_ref",
      )
      .all(roundId) as { input_json: string }[]
    return rows.map((r) => JSON.parse(r.input_json) as unknown)
  }

  insertResultInTx(r: StoredResultVersion): void {
    this.w
      .prepare(
        'INSERT INTO admission_results (round_id, version, inputs_sha256, inputs_json, result_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        r.roundId,
        r.version,
        r.inputsSha256,
        JSON.stringify(r.inputs),
        JSON.stringify(r.result),
        r.createdAt,
      )
  }
}
