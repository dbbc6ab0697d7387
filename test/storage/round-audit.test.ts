// Admission rounds against their round.* entries, on the backend under test: verify finds a round's definition or status, a withdrawal or a result version changed below the service.
import t from 'tap'
import { openStorage } from '../../src/repositories/open.ts'
import type { Storage } from '../../src/repositories/types.ts'
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
} from '../helper.ts'
import { jifen } from '../security/cli.ts'

t.comment(`backend: ${TEST_BACKEND}`)

async function verify(storage: Storage) {
  return new AuditService(storage, TEST_AUDIT_KEY).verify()
}

t.test(
  'a round with withdrawals and two result versions verifies; each change below the service is found',
  async (tt) => {
    const target = await tempDatabase(tt)
    const app = await build(tt, { config: { ...target, dbPoolSize: 2 } })
    const auth = await authHeaders(app, ['education'])
    const create = async (seed: string) =>
      json(
        await app.inject({
          method: 'POST',
          url: '/v1/admission/rounds',
          headers: auth,
          payload: bulkRound(seed),
        }),
      ).id as string
    const id = await create('r')
    const empty = await create('e')
    const base = `/v1/admission/rounds/${id}`
    const step = async (method: 'POST' | 'DELETE', url: string, status: number, payload?: unknown) => {
      const res = await app.inject({ method, url: `${base}${url}`, headers: auth, payload: payload as never })
      tt.equal(res.statusCode, status, `${method} ${url}: ${res.body}`)
    }
    await step('POST', '/applications', 201, { applications: [0, 1, 2, 3].map((n) => bulkApplication(n)) })
    await step('DELETE', '/applications/B0-00001', 200)
    await step('POST', '/close', 200)
    await step('POST', '/allocate', 201)
    // withdrawn after version 1: version 2 allocates without it; version 1 is the one published
    await step('DELETE', '/applications/B0-00002', 200)
    await step('POST', '/allocate', 201)
    await step('POST', '/publish', 200, { version: 1 })

    const storage = await openStorage({ ...target, dbPoolSize: 1 })
    tt.teardown(() => storage.close())
    tt.match(await verify(storage), {
      ok: true,
      problems: [],
      checked: { rounds: 2, applicationBatches: 1, withdrawals: 2, resultVersions: 2 },
    })

    const raw = await openRaw(tt, target)
    const clean = async (what: string) =>
      tt.same((await verify(storage)).problems, [], `${what}: intact again`)
    const setApplication = (ref: string, status: string, withdrawnAt: string | null) =>
      raw.run(
        'UPDATE admission_applications SET status = ?, withdrawn_at = ? WHERE round_id = ? AND application_ref = ?',
        [status, withdrawnAt, id, ref],
      )
    const [w1, w2] = await storage.admission.getApplications(id, ['B0-00001', 'B0-00002'])

    // the triggers let the one active → withdrawn UPDATE through: a withdrawal with no entry needs no bypass
    await setApplication('B0-00003', 'withdrawn', NOW)
    tt.same((await verify(storage)).problems, [
      `application B0-00003 of round ${id} is withdrawn, but no audit entry withdrew it (withdrawn outside the service)`,
    ])
    // nor does the round's status, which the service itself moves
    await raw.run(`UPDATE admission_rounds SET status = 'allocated', published_version = NULL WHERE id = ?`, [
      id,
    ])
    const cli = jifen(['audit', 'verify', '--db', target.databaseUrl ?? target.dbPath], {
      JIFEN_AUDIT_KEY: TEST_AUDIT_KEY_SECRET,
    })
    tt.equal(cli.code, 1, cli.err)
    tt.match(
      cli.out,
      ' 2 admission rounds, 1 bulks of applications, 3 withdrawals, 2 result versions against their entries',
    )
    tt.match(
      cli.out,
      `TAMPERED: round ${id} is allocated, its audit entries leave it published (version 1 published) (status rewritten)`,
    )
    tt.match(cli.out, 'verdict: tampered')
    await raw.run(`UPDATE admission_rounds SET status = 'published', published_version = 2 WHERE id = ?`, [
      id,
    ])
    tt.same((await verify(storage)).problems, [
      `round ${id} is published (version 2 published), its audit entries leave it published (version 1 published) (status rewritten)`,
      `application B0-00003 of round ${id} is withdrawn, but no audit entry withdrew it (withdrawn outside the service)`,
    ])
    await raw.run(`UPDATE admission_rounds SET published_version = 1 WHERE id = ?`, [id])

    // the round's status moves without the service: the application, result and round triggers
    await bypassAdmissionTriggers(raw, ['admission_applications', 'admission_results', 'admission_rounds'])
    await setApplication('B0-00003', 'active', null)
    await clean('the forged withdrawal undone')

    // a withdrawal undone, and one moved in time
    await setApplication('B0-00001', 'active', null)
    await setApplication('B0-00002', 'withdrawn', '2026-05-01T00:00:00.000Z')
    tt.same((await verify(storage)).problems, [
      `application B0-00002 of round ${id}: its withdrawal instant differs from its audit entry (rewritten)`,
      `application B0-00001 of round ${id} is active, its audit entry withdrew it (withdrawal undone)`,
    ])
    // active, but with the instant left behind
    await setApplication('B0-00001', 'active', w1.withdrawnAt)
    tt.same((await verify(storage)).problems, [
      `application B0-00001 of round ${id} is active, its audit entry withdrew it (withdrawal undone)`,
      `application B0-00002 of round ${id}: its withdrawal instant differs from its audit entry (rewritten)`,
    ])
    await setApplication('B0-00001', 'withdrawn', w1.withdrawnAt)
    await setApplication('B0-00002', 'withdrawn', w2.withdrawnAt)
    await clean('both withdrawals back')

    // the definition, and the district it is filed under
    const [round] = await raw.all<{ spec_json: string }>(
      'SELECT spec_json FROM admission_rounds WHERE id = ?',
      [id],
    )
    const seats = round.spec_json.replace('"seats":3000', '"seats":3001')
    tt.not(seats, round.spec_json)
    await raw.run('UPDATE admission_rounds SET spec_json = ? WHERE id = ?', [seats, id])
    await raw.run(`UPDATE admission_rounds SET district = '330203' WHERE id = ?`, [empty])
    tt.same((await verify(storage)).problems, [
      `round ${id} differs from its round.created entry (its definition was rewritten)`,
      `round ${empty} is filed under district 330203, its definition says 330212 (rewritten)`,
    ])
    await raw.run('UPDATE admission_rounds SET spec_json = ? WHERE id = ?', [round.spec_json, id])
    await raw.run(`UPDATE admission_rounds SET district = '330212' WHERE id = ?`, [empty])
    await clean('the definition back')

    // result versions: the published one's result, the other's inputs
    const versions = await raw.all<{ version: number; inputs_json: string; result_json: string }>(
      'SELECT version, inputs_json, result_json FROM admission_results WHERE round_id = ? ORDER BY version',
      [id],
    )
    const result = JSON.parse(versions[0].result_json) as {
      applications: { placed: { unit: string } | null }[]
    }
    const placed = result.applications.find((a) => a.placed !== null)
    if (placed?.placed == null) throw new Error('version 1 places someone')
    placed.placed.unit = placed.placed.unit === 's1' ? 's2' : 's1'
    const inputs = JSON.parse(versions[1].inputs_json) as { applications: { points: number | null }[] }
    inputs.applications[0].points = (inputs.applications[0].points ?? 0) + 10_000
    const setVersion = (version: number, column: string, text: string) =>
      raw.run(`UPDATE admission_results SET ${column} = ? WHERE round_id = ? AND version = ?`, [
        text,
        id,
        version,
      ])
    await setVersion(1, 'result_json', JSON.stringify(result))
    await setVersion(2, 'inputs_json', JSON.stringify(inputs))
    tt.same((await verify(storage)).problems, [
      `version 1 of round ${id} differs from its round.allocated entry (rewritten)`,
      `version 1 of round ${id} differs from its round.published entry (rewritten)`,
      `version 2 of round ${id}: its inputs do not match its inputs hash (rewritten)`,
    ])
    await setVersion(1, 'result_json', versions[0].result_json)
    await setVersion(2, 'inputs_json', versions[1].inputs_json)
    await clean('the versions back')

    // a version deleted, and one inserted (a copy of version 2 as version 3)
    const copyVersion = (from: number, to: number) =>
      raw.run(
        `INSERT INTO admission_results (round_id, version, inputs_sha256, inputs_json, result_json, created_at)
       SELECT round_id, ?, inputs_sha256, inputs_json, result_json, created_at FROM admission_results
       WHERE round_id = ? AND version = ?`,
        [to, id, from],
      )
    await copyVersion(2, 3)
    await raw.run('DELETE FROM admission_results WHERE round_id = ? AND version = 2', [id])
    tt.same((await verify(storage)).problems, [
      `version 2 of round ${id} is in the audit log but not stored (deleted)`,
      `version 3 of round ${id} is in no audit entry (inserted)`,
    ])
    await copyVersion(3, 2)
    await raw.run('DELETE FROM admission_results WHERE round_id = ? AND version = 3', [id])
    await clean('version 2 back, version 3 gone')

    // a round deleted, and one inserted in its place
    await raw.run(
      `INSERT INTO admission_rounds (id, district, spec_json, status, published_version, created_at)
     SELECT ?, district, spec_json, status, published_version, created_at FROM admission_rounds WHERE id = ?`,
      ['forged-round', empty],
    )
    await raw.run('DELETE FROM admission_rounds WHERE id = ?', [empty])
    tt.same((await verify(storage)).problems, [
      'round forged-round is in no audit entry (inserted)',
      `round ${empty} is in the audit log but not stored (deleted)`,
    ])
  },
)
