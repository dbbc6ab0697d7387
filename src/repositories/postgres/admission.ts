// Admission rounds in PostgreSQL: rounds (locked FOR UPDATE by every write), applications and immutable result versions.
import { type SQL, sql } from 'drizzle-orm'
import type {
  AdmissionRepository,
  ApplicationBatchCount,
  StoredApplication,
  StoredApplicationText,
  StoredResultVersion,
  StoredRound,
  StoredWithdrawal,
} from '../types.ts'
import type { PgDb } from './db.ts'

type Row = Record<string, unknown>

// a fragment without values (no sql.raw: SQL text is never built from strings)
const ROUND_COLUMNS = sql`r.id, r.district, r.spec_json, r.status, r.published_version, r.created_at,
  (SELECT count(*) FROM admission_applications a WHERE a.round_id = r.id AND a.status = 'active') AS applications,
  (SELECT max(version) FROM admission_results v WHERE v.round_id = r.id) AS latest_version`

function toRound(r: Row): StoredRound {
  return {
    id: r.id as string,
    district: r.district as string,
    spec: JSON.parse(r.spec_json as string) as unknown,
    status: r.status as StoredRound['status'],
    publishedVersion: r.published_version === null ? null : Number(r.published_version),
    createdAt: r.created_at as string,
    applications: Number(r.applications),
    latestVersion: r.latest_version === null ? null : Number(r.latest_version),
  }
}

function toApplication(r: Row): StoredApplication {
  return {
    roundId: r.round_id as string,
    applicationRef: r.application_ref as string,
    childKey: r.child_key as string,
    idNumberMasked: r.id_number_masked as string | null,
    household: JSON.parse(r.household_json as string) as unknown,
    evaluation: JSON.parse(r.evaluation_json as string) as unknown,
    input: JSON.parse(r.input_json as string) as unknown,
    status: r.status as StoredApplication['status'],
    createdAt: r.created_at as string,
    withdrawnAt: r.withdrawn_at as string | null,
    batch: r.batch === null ? null : Number(r.batch),
    position: r.position === null ? null : Number(r.position),
  }
}

function toResult(r: Row): StoredResultVersion {
  return {
    roundId: r.round_id as string,
    version: Number(r.version),
    inputsSha256: r.inputs_sha256 as string,
    inputs: JSON.parse(r.inputs_json as string) as unknown,
    result: JSON.parse(r.result_json as string) as unknown,
    createdAt: r.created_at as string,
  }
}

/** Rows per multi-row INSERT: 12 parameters each, well under PostgreSQL's 65,535. */
const INSERT_CHUNK = 1000

export class PgAdmissionRepository implements AdmissionRepository {
  constructor(private readonly db: PgDb) {}

  private async rows(db: PgDb, q: SQL): Promise<Row[]> {
    return (await db.execute<Row>(q)).rows
  }

  async listRounds(after: string | null, limit: number): Promise<StoredRound[]> {
    const rows = await this.rows(
      this.db,
      sql`SELECT ${ROUND_COLUMNS} FROM admission_rounds r WHERE r.id > ${after ?? ''} ORDER BY r.id LIMIT ${limit}`,
    )
    return rows.map(toRound)
  }

  async getRound(id: string): Promise<StoredRound | null> {
    const [row] = await this.rows(
      this.db,
      sql`SELECT ${ROUND_COLUMNS} FROM admission_rounds r WHERE r.id = ${id}`,
    )
    return row ? toRound(row) : null
  }

  async listApplications(roundId: string, after: string | null, limit: number): Promise<StoredApplication[]> {
    const rows = await this.rows(
      this.db,
      sql`SELECT * FROM admission_applications WHERE round_id = ${roundId} AND application_ref > ${after ?? ''}
          ORDER BY application_ref LIMIT ${limit}`,
    )
    return rows.map(toApplication)
  }

  async getApplications(roundId: string, refs: readonly string[]): Promise<StoredApplication[]> {
    if (refs.length === 0) return []
    const rows = await this.rows(
      this.db,
      sql`SELECT * FROM admission_applications WHERE round_id = ${roundId}
          AND application_ref = ANY(${sql.param([...refs])}::text[]) ORDER BY application_ref`,
    )
    return rows.map(toApplication)
  }

  async applicationBatches(): Promise<ApplicationBatchCount[]> {
    const rows = await this.rows(
      this.db,
      sql`SELECT round_id, batch, count(*) AS n FROM admission_applications GROUP BY round_id, batch
          ORDER BY round_id, batch NULLS FIRST`,
    )
    return rows.map((r) => ({
      roundId: r.round_id as string,
      batch: r.batch === null ? null : Number(r.batch),
      applications: Number(r.n),
    }))
  }

  async batchText(roundId: string, batch: number): Promise<StoredApplicationText[]> {
    const rows = await this.rows(
      this.db,
      sql`SELECT application_ref, child_key, id_number_masked, household_json, evaluation_json, input_json
          FROM admission_applications WHERE round_id = ${roundId} AND batch = ${batch} ORDER BY position`,
    )
    return rows.map((r) => ({
      applicationRef: r.application_ref as string,
      childKey: r.child_key as string,
      idNumberMasked: r.id_number_masked as string | null,
      householdJson: r.household_json as string,
      evaluationJson: r.evaluation_json as string,
      inputJson: r.input_json as string,
    }))
  }

  async withdrawals(): Promise<StoredWithdrawal[]> {
    const rows = await this.rows(
      this.db,
      sql`SELECT round_id, application_ref, status, withdrawn_at FROM admission_applications
          WHERE status <> 'active' OR withdrawn_at IS NOT NULL ORDER BY round_id, application_ref`,
    )
    return rows.map((r) => ({
      roundId: r.round_id as string,
      applicationRef: r.application_ref as string,
      status: r.status as StoredWithdrawal['status'],
      withdrawnAt: r.withdrawn_at as string | null,
    }))
  }

  async getResult(roundId: string, version: number | null): Promise<StoredResultVersion | null> {
    const [row] = await this.rows(
      this.db,
      version === null
        ? sql`SELECT * FROM admission_results WHERE round_id = ${roundId} ORDER BY version DESC LIMIT 1`
        : sql`SELECT * FROM admission_results WHERE round_id = ${roundId} AND version = ${version}`,
    )
    return row ? toResult(row) : null
  }

  // ---------------------------------------------------------------- writes, in the unit's transaction

  async createRoundInTx(tx: PgDb, r: Omit<StoredRound, 'applications' | 'latestVersion'>): Promise<void> {
    await tx.execute(sql`INSERT INTO admission_rounds (id, district, spec_json, status, published_version, created_at)
      VALUES (${r.id}, ${r.district}, ${JSON.stringify(r.spec)}, ${r.status}, ${r.publishedVersion}, ${r.createdAt})`)
  }

  /** The round's row locked to the end of the transaction: writes to one round run one after another. */
  async lockRoundInTx(tx: PgDb, id: string): Promise<StoredRound | null> {
    const [locked] = await this.rows(tx, sql`SELECT id FROM admission_rounds WHERE id = ${id} FOR UPDATE`)
    if (locked === undefined) return null
    const [row] = await this.rows(tx, sql`SELECT ${ROUND_COLUMNS} FROM admission_rounds r WHERE r.id = ${id}`)
    return row ? toRound(row) : null
  }

  async setRoundStatusInTx(
    tx: PgDb,
    id: string,
    status: StoredRound['status'],
    publishedVersion: number | null,
  ): Promise<void> {
    await tx.execute(
      sql`UPDATE admission_rounds SET status = ${status}, published_version = ${publishedVersion} WHERE id = ${id}`,
    )
  }

  async conflictsInTx(
    tx: PgDb,
    roundId: string,
    refs: readonly string[],
    childKeys: readonly string[],
  ): Promise<{ refs: string[]; children: { childKey: string; applicationRef: string }[] }> {
    const taken = await this.rows(
      tx,
      sql`SELECT application_ref FROM admission_applications WHERE round_id = ${roundId}
          AND application_ref = ANY(${sql.param([...refs])}::text[])`,
    )
    const children = await this.rows(
      tx,
      sql`SELECT child_key, application_ref FROM admission_applications WHERE round_id = ${roundId}
          AND status = 'active' AND child_key = ANY(${sql.param([...childKeys])}::text[])`,
    )
    return {
      refs: taken.map((r) => r.application_ref as string),
      children: children.map((r) => ({
        childKey: r.child_key as string,
        applicationRef: r.application_ref as string,
      })),
    }
  }

  async nextBatchInTx(tx: PgDb, roundId: string): Promise<number> {
    const [row] = await this.rows(
      tx,
      sql`SELECT coalesce(max(batch), 0) + 1 AS next FROM admission_applications WHERE round_id = ${roundId}`,
    )
    return Number(row.next)
  }

  async insertApplicationsInTx(tx: PgDb, rows: readonly StoredApplication[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const values = rows.slice(i, i + INSERT_CHUNK).map(
        (a) =>
          sql`(${a.roundId}, ${a.applicationRef}, ${a.childKey}, ${a.idNumberMasked}, ${JSON.stringify(a.household)},
              ${JSON.stringify(a.evaluation)}, ${JSON.stringify(a.input)}, ${a.status}, ${a.createdAt}, ${a.withdrawnAt},
              ${a.batch}, ${a.position})`,
      )
      await tx.execute(sql`INSERT INTO admission_applications (round_id, application_ref, child_key, id_number_masked,
        household_json, evaluation_json, input_json, status, created_at, withdrawn_at, batch, position) VALUES ${sql.join(values, sql`, `)}`)
    }
  }

  async withdrawInTx(tx: PgDb, roundId: string, ref: string, at: string): Promise<boolean> {
    const r =
      await tx.execute(sql`UPDATE admission_applications SET status = 'withdrawn', withdrawn_at = ${at}
      WHERE round_id = ${roundId} AND application_ref = ${ref} AND status = 'active'`)
    return r.rowCount === 1
  }

  async activeInputsInTx(tx: PgDb, roundId: string): Promise<unknown[]> {
    const rows = await this.rows(
      tx,
      sql`SELECT input_json FROM admission_applications WHERE round_id = ${roundId} AND status = 'active'
          ORDER BY application_ref`,
    )
    return rows.map((r) => JSON.parse(r.input_json as string) as unknown)
  }

  async insertResultInTx(tx: PgDb, r: StoredResultVersion): Promise<void> {
    await tx.execute(sql`INSERT INTO admission_results (round_id, version, inputs_sha256, inputs_json, result_json, created_at)
      VALUES (${r.roundId}, ${r.version}, ${r.inputsSha256}, ${JSON.stringify(r.inputs)}, ${JSON.stringify(r.result)},
        ${r.createdAt})`)
  }
}
