// Bulks of applications against their `round.applications_stored` entries, on the backend under test: verify recomputes each hash from the stored rows; rows from before batch numbers migrate and are counted.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Config } from '../../src/config.ts'
import { openStorage } from '../../src/repositories/open.ts'
import { PG_MIGRATIONS_DIR } from '../../src/repositories/postgres/database.ts'
import { MIGRATIONS_DIR } from '../../src/repositories/sqlite/database.ts'
import type { Storage } from '../../src/repositories/types.ts'
import { applicationsHash, roundSpecHash, withdrawalHash } from '../../src/security/object-hashes.ts'
import { AuditService } from '../../src/services/audit.ts'
import { bypassAdmissionTriggers, openRaw } from '../backend.ts'
import {
  authHeaders,
  build,
  bulkApplication,
  bulkRound,
  json,
  NOW,
  TEST_AUDIT_KEY,
  TEST_AUDIT_KEY_SECRET,
  TEST_BACKEND,
  tempDatabase,
  tempDir,
} from '../helper.ts'
import { jifen } from '../security/cli.ts'

t.comment(`backend: ${TEST_BACKEND}`)

type Target = Pick<Config, 'dbPath' | 'databaseUrl'>

async function verify(storage: Storage) {
  return new AuditService(storage, TEST_AUDIT_KEY).verify()
}

t.test(
  'two bulks verify with a withdrawal; a row rewritten below the triggers is found by round and batch',
  async (tt) => {
    const target = await tempDatabase(tt)
    const app = await build(tt, { config: { ...target, dbPoolSize: 2 } })
    const auth = await authHeaders(app, ['education'])
    const id = json(
      await app.inject({
        method: 'POST',
        url: '/v1/admission/rounds',
        headers: auth,
        payload: bulkRound('b'),
      }),
    ).id
    const url = `/v1/admission/rounds/${id}/applications`
    for (const [batch, rows] of [
      [1, 3],
      [2, 2],
    ]) {
      const applications = Array.from({ length: rows }, (_, n) => bulkApplication(n, { batch }))
      const res = await app.inject({ method: 'POST', url, headers: auth, payload: { applications } })
      tt.equal(res.statusCode, 201, res.body)
    }
    const withdrawn = await app.inject({ method: 'DELETE', url: `${url}/B1-00001`, headers: auth })
    tt.equal(withdrawn.statusCode, 200)
    const storage = await openStorage({ ...target, dbPoolSize: 1 })
    tt.teardown(() => storage.close())

    const stored = (await storage.audit.page(0, 10_000)).entries.filter(
      (e) => e.action === 'round.applications_stored',
    )
    tt.same(
      stored.map((e) => e.objectId),
      [`${id}:3:1`, `${id}:2:2`],
      'the entry names the round, the count and the batch',
    )
    const rows = await storage.admission.listApplications(id, null, 10)
    tt.same(
      rows.map((a) => [a.applicationRef, a.batch, a.position, a.status]),
      [
        ['B1-00000', 1, 0, 'active'],
        ['B1-00001', 1, 1, 'withdrawn'],
        ['B1-00002', 1, 2, 'active'],
        ['B2-00000', 2, 0, 'active'],
        ['B2-00001', 2, 1, 'active'],
      ],
    )
    tt.equal(applicationsHash(await storage.admission.batchText(id, 2)), stored[1].objectHash)
    const intact = await verify(storage)
    tt.match(intact, { ok: true, problems: [], checked: { applicationBatches: 2, applicationsUnchecked: 0 } })

    const raw = await openRaw(tt, target)
    await bypassAdmissionTriggers(raw, ['admission_applications'])
    const [row] = await raw.all<{ household_json: string }>(
      `SELECT household_json FROM admission_applications WHERE round_id = ? AND application_ref = 'B2-00001'`,
      [id],
    )
    const edited = row.household_json.replace('"bachelor"', '"doctorate"')
    tt.not(edited, row.household_json)
    const setHousehold = (text: string) =>
      raw.run(
        `UPDATE admission_applications SET household_json = ? WHERE round_id = ? AND application_ref = 'B2-00001'`,
        [text, id],
      )
    await setHousehold(edited)
    const rewritten = await verify(storage)
    tt.match(rewritten, { ok: false, chain: { ok: true } })
    tt.same(rewritten.problems, [`round ${id} batch 2 differs from its audit entry (rewritten)`])

    // the CLI says so and exits 1
    const cli = jifen(['audit', 'verify', '--db', target.databaseUrl ?? target.dbPath], {
      JIFEN_AUDIT_KEY: TEST_AUDIT_KEY_SECRET,
    })
    tt.equal(cli.code, 1, cli.err)
    tt.match(cli.out, 'records, ')
    tt.match(
      cli.out,
      ' 1 admission rounds, 2 bulks of applications, 1 withdrawals, 0 result versions against their entries',
    )
    tt.match(cli.out, `TAMPERED: round ${id} batch 2 differs from its audit entry (rewritten)`)
    tt.match(cli.out, 'verdict: tampered')

    // the same bytes back: the hash is recomputed exactly
    await setHousehold(row.household_json)
    tt.match(await verify(storage), { ok: true })

    // the order within a bulk is hashed too
    const swap = (a: number, b: number) =>
      raw.run(
        `UPDATE admission_applications SET position = ? WHERE round_id = ? AND batch = 1 AND position = ?`,
        [b, id, a],
      )
    await swap(0, 9)
    await swap(2, 0)
    await swap(9, 2)
    tt.same((await verify(storage)).problems, [
      `round ${id} batch 1 differs from its audit entry (rewritten)`,
    ])
    await swap(0, 9)
    await swap(2, 0)
    await swap(9, 2)
    tt.match(await verify(storage), { ok: true })

    // a row moved out of its bulk (its batch number erased) is counted on both sides
    await raw.run(
      `UPDATE admission_applications SET batch = NULL WHERE round_id = ? AND application_ref = 'B1-00002'`,
      [id],
    )
    tt.same((await verify(storage)).problems, [
      `round ${id}: 1 applications carry no batch number, its audit entries from before batch numbers stored 0 (inserted, deleted or renumbered)`,
      `round ${id} batch 1 holds 2 applications, its audit entry stored 3 (inserted or deleted)`,
    ])
  },
)

t.test('an application inserted below the service with a batch number is in no audit entry', async (tt) => {
  const target = await tempDatabase(tt)
  const app = await build(tt, { config: { ...target, dbPoolSize: 2 } })
  const auth = await authHeaders(app, ['education'])
  const id = json(
    await app.inject({ method: 'POST', url: '/v1/admission/rounds', headers: auth, payload: bulkRound('i') }),
  ).id
  const url = `/v1/admission/rounds/${id}/applications`
  const res = await app.inject({
    method: 'POST',
    url,
    headers: auth,
    payload: { applications: [bulkApplication(0)] },
  })
  tt.equal(res.statusCode, 201, res.body)
  // inserts are allowed by the triggers (the table is append-only): no trigger to bypass
  const raw = await openRaw(tt, target)
  for (const [batch, position] of [
    [1, 1],
    [2, 0],
  ])
    await raw.run(
      `INSERT INTO admission_applications (round_id, application_ref, child_key, id_number_masked, household_json,
        evaluation_json, input_json, status, created_at, withdrawn_at, batch, position)
       SELECT round_id, ?, ?, id_number_masked, household_json, evaluation_json, input_json, status, created_at,
        withdrawn_at, ?, ? FROM admission_applications WHERE round_id = ? AND application_ref = 'B0-00000'`.replace(
        /\s+/g,
        ' ',
      ),
      [`X-${batch}`, `k-${batch}`, batch, position, id],
    )
  const storage = await openStorage({ ...target, dbPoolSize: 1 })
  tt.teardown(() => storage.close())
  tt.same((await verify(storage)).problems, [
    `round ${id} batch 1 holds 2 applications, its audit entry stored 1 (inserted or deleted)`,
    `round ${id} batch 2 (1 applications) is in no audit entry (inserted)`,
  ])
})

/** A copy of the migrations without the last one (0013 on SQLite, 0008 on PostgreSQL): the schema before batches. */
function migrationsBefore(tt: Test, dir: string, tag: string): string {
  const copy = join(tempDir(tt), 'migrations')
  cpSync(dir, copy, { recursive: true })
  const journal = join(copy, 'meta', '_journal.json')
  const j = JSON.parse(readFileSync(journal, 'utf8')) as { entries: { tag: string }[] }
  tt.equal(j.entries[j.entries.length - 1].tag, tag, 'the last migration is the one that adds batches')
  j.entries.pop()
  writeFileSync(journal, JSON.stringify(j))
  return copy
}

async function migrateBefore(tt: Test, target: Target): Promise<void> {
  if (target.databaseUrl !== null) {
    const { default: pg } = await import('pg')
    const { drizzle } = await import('drizzle-orm/node-postgres')
    const { migrate } = await import('drizzle-orm/node-postgres/migrator')
    const client = new pg.Client({ connectionString: target.databaseUrl })
    await client.connect()
    try {
      await migrate(drizzle(client), {
        migrationsFolder: migrationsBefore(tt, PG_MIGRATIONS_DIR, '0008_application_batches'),
      })
    } finally {
      await client.end()
    }
  } else {
    const { default: Database } = await import('better-sqlite3')
    const { drizzle } = await import('drizzle-orm/better-sqlite3')
    const { migrate } = await import('drizzle-orm/better-sqlite3/migrator')
    const db = new Database(target.dbPath)
    try {
      migrate(drizzle(db), {
        migrationsFolder: migrationsBefore(tt, MIGRATIONS_DIR, '0013_application_batches'),
      })
    } finally {
      db.close()
    }
  }
}

t.test(
  'a database with applications from before batch numbers migrates: they are counted, not hashed, and still withdraw',
  async (tt) => {
    const target = await tempDatabase(tt)
    await migrateBefore(tt, target)
    const roundId = 'round-from-before'
    {
      const raw = await openRaw(tt, target)
      await raw.run(
        `INSERT INTO admission_rounds (id, district, spec_json, status, published_version, created_at)
         VALUES (?, '330212', '{}', 'open', NULL, ?)`,
        [roundId, NOW],
      )
      for (const ref of ['old-1', 'old-2'])
        await raw.run(
          `INSERT INTO admission_applications (round_id, application_ref, child_key, id_number_masked, household_json,
            evaluation_json, input_json, status, created_at, withdrawn_at)
           VALUES (?, ?, ?, NULL, '{}', '{}', '{}', 'active', ?, NULL)`,
          [roundId, ref, `k-${ref}`, NOW],
        )
      await raw.close()
    }
    const storage = await openStorage({ ...target, dbPoolSize: 1 })
    tt.teardown(() => storage.close())
    const old = await storage.admission.listApplications(roundId, null, 10)
    tt.same(
      old.map((a) => [a.applicationRef, a.batch, a.position]),
      [
        ['old-1', null, null],
        ['old-2', null, null],
      ],
    )
    // the round's entry, and its bulk's as written then: `<round>:<count>`
    const entry = (action: string, objectId: string, objectHash: string) =>
      storage.transaction((tx) =>
        tx.audit.append({ at: NOW, keyName: 'test', action, objectId, objectHash }, TEST_AUDIT_KEY),
      )
    const append = (objectId: string, objectHash: string) =>
      entry('round.applications_stored', objectId, objectHash)
    await entry('round.created', roundId, roundSpecHash({}))
    await append(`${roundId}:2`, 'f'.repeat(64))
    tt.match(await verify(storage), {
      ok: true,
      checked: { applicationBatches: 0, applicationsUnchecked: 2 },
    })
    tt.equal(await storage.transaction((tx) => tx.admission.withdraw(roundId, 'old-1', NOW)), true)
    await entry('round.application_withdrawn', `${roundId}/old-1`, withdrawalHash(roundId, 'old-1', NOW))

    // the next bulk of that round is batch 1
    const batch = await storage.transaction((tx) => tx.admission.nextBatch(roundId))
    tt.equal(batch, 1)
    const row = {
      roundId,
      applicationRef: 'new-1',
      childKey: 'k-new-1',
      idNumberMasked: '420102************',
      household: { n: 1 },
      evaluation: { eligible: true },
      input: { ref: 'new-1' },
      status: 'active' as const,
      createdAt: NOW,
      withdrawnAt: null,
      batch,
      position: 0,
    }
    await storage.transaction((tx) => tx.admission.insertApplications([row]))
    await append(
      `${roundId}:1:1`,
      applicationsHash([
        {
          applicationRef: 'new-1',
          childKey: 'k-new-1',
          idNumberMasked: '420102************',
          householdJson: '{"n":1}',
          evaluationJson: '{"eligible":true}',
          inputJson: '{"ref":"new-1"}',
        },
      ]),
    )
    tt.match(await verify(storage), {
      ok: true,
      problems: [],
      checked: { applicationBatches: 1, applicationsUnchecked: 2 },
    })

    // an application slipped in without a batch number is one more than the old entries stored
    const raw = await openRaw(tt, target)
    await raw.run(
      `INSERT INTO admission_applications (round_id, application_ref, child_key, id_number_masked, household_json,
        evaluation_json, input_json, status, created_at, withdrawn_at)
       VALUES (?, 'old-3', 'k-old-3', NULL, '{}', '{}', '{}', 'active', ?, NULL)`,
      [roundId, NOW],
    )
    tt.same((await verify(storage)).problems, [
      `round ${roundId}: 3 applications carry no batch number, its audit entries from before batch numbers stored 2 (inserted, deleted or renumbered)`,
    ])
  },
)
