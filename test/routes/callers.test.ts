// What police windows and enrolment systems need around a record (issue 15): look-up by reference, one table identity, voiding and correcting, audited ID searches.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { authHeaders, build, json, pointsRequest, postOfficial, TODAY } from '../helper.ts'

/** The helper's applicant in Yinzhou on 2026-04-30: 107.5 points (arithmetic in test/routes/points.test.ts). */
const TOTAL = 107.5

async function auditActions(
  app: FastifyInstance,
): Promise<{ action: string; objectId: string; keyName: string }[]> {
  return (await app.jifen.services().audit.page(0, 1000)).entries
}

t.test(
  'GET /v1/points/evaluations/by-reference/{reference} reads the record the reference was printed for',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    await postOfficial(app, police, pointsRequest())
    const second = json(await postOfficial(app, police, pointsRequest()))
    tt.equal(second.reference, 'JF-2026-000002')
    for (const scopes of [['police'], ['education'], ['auditor']] as const) {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/points/evaluations/by-reference/JF-2026-000002',
        headers: await authHeaders(app, scopes),
      })
      tt.equal(res.statusCode, 200, scopes[0])
      tt.same(json(res), second, 'the same record as a read by id')
    }
    const missing = await app.inject({
      method: 'GET',
      url: '/v1/points/evaluations/by-reference/JF-2026-000009',
      headers: police,
    })
    tt.equal(missing.statusCode, 404)
    tt.equal(json(missing).errors[0].path, 'params.reference')
    const bad = await app.inject({
      method: 'GET',
      url: '/v1/points/evaluations/by-reference/2026-000002',
      headers: police,
    })
    tt.equal(bad.statusCode, 400)
    tt.equal(json(bad).code, 'JIFEN_ERR_VALIDATION')
    tt.same(
      (await auditActions(app))
        .map((e) => e.action)
        .filter((a) => a !== 'api_key.created' && a !== 'ruleset.seeded'),
      ['evaluation.created', 'evaluation.created'],
      'a read adds nothing to the audit log, as a read by id does not',
    )
  },
)

t.test('a table is named { id, version } plus its key id@version, in records and in rulesets', async (tt) => {
  const app = await build(tt)
  const police = await authHeaders(app, ['police'])
  const created = json(await postOfficial(app, police, pointsRequest()))
  tt.same(created.ruleset, { id: 'yinzhou-points-2022', version: 1, key: 'yinzhou-points-2022@1' })
  tt.equal(created.rulesetId, created.ruleset.key, 'the existing field stays, spelled as the key')
  tt.equal(created.result.ruleset.id, created.ruleset.id, 'the result names the table by the same id')
  tt.equal(created.result.ruleset.version, created.ruleset.version)
  const byKey = await app.inject({
    method: 'GET',
    url: `/v1/rulesets/${created.ruleset.key}`,
    headers: police,
  })
  tt.equal(byKey.statusCode, 200)
  tt.equal(json(byKey).ruleset.key, 'yinzhou-points-2022@1')
  tt.equal(json(byKey).ruleset.tableId, 'yinzhou-points-2022')
  const replay = json(
    await app.inject({ method: 'POST', url: `/v1/points/evaluations/${created.id}/replay`, headers: police }),
  )
  tt.same(replay.ruleset, created.ruleset)
})

t.test(
  'GET /v1/rulesets/{id} without a version lists the versions and says which one is in force today',
  async (tt) => {
    const app = await build(tt)
    const admin = await authHeaders(app, ['admin'])
    const res = await app.inject({ method: 'GET', url: '/v1/rulesets/yinzhou-points-2022', headers: admin })
    tt.equal(res.statusCode, 200)
    const body = json(res)
    tt.equal(body.id, 'yinzhou-points-2022')
    tt.equal(body.today, TODAY)
    tt.same(body.inForce, { id: 'yinzhou-points-2022', version: 1, key: 'yinzhou-points-2022@1' })
    tt.same(
      body.versions.map((v: { key: string; status: string }) => [v.key, v.status]),
      [['yinzhou-points-2022@1', 'published']],
    )
    // retired: still listed, no longer in force
    const retire = await app.inject({
      method: 'POST',
      url: '/v1/rulesets/yinzhou-points-2022@1/retire',
      headers: admin,
      payload: { reason: 'test: withdrawn' },
    })
    tt.equal(retire.statusCode, 200)
    const after = json(
      await app.inject({ method: 'GET', url: '/v1/rulesets/yinzhou-points-2022', headers: admin }),
    )
    tt.equal(after.inForce, null)
    tt.equal(after.versions[0].status, 'retired')
    // the permit tables: the 2016 one expired, the 2021 one is in force
    const permit = json(
      await app.inject({ method: 'GET', url: '/v1/rulesets/ningbo-residence-permit-2021', headers: admin }),
    )
    tt.equal(permit.inForce?.key, 'ningbo-residence-permit-2021@1')
    const none = await app.inject({ method: 'GET', url: '/v1/rulesets/no-such-table', headers: admin })
    tt.equal(none.statusCode, 404)
    tt.equal(json(none).code, 'JIFEN_ERR_NOT_FOUND')
  },
)

t.test(
  'voiding keeps the record: reads show it void with the reason, replay still works, the audit has both actions',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const created = json(await postOfficial(app, police, pointsRequest()))
    tt.equal(created.status, 'valid')
    tt.equal(created.void, null)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: police,
      payload: { reason: '出生日期录入错误' },
    })
    tt.equal(res.statusCode, 200)
    const body = json(res)
    tt.equal(body.correction, null)
    tt.equal(body.voided.status, 'void')
    tt.match(body.voided.void, {
      reason: '出生日期录入错误',
      correctedBy: null,
      at: '2026-05-15T02:00:00.000Z',
    })
    tt.match(body.voided.void.by, /^test-police-/)
    const read = json(
      await app.inject({ method: 'GET', url: `/v1/points/evaluations/${created.id}`, headers: police }),
    )
    tt.same(read, body.voided, 'a read shows the state')
    tt.same(read.result, created.result, 'the record itself is unchanged')
    const byRef = json(
      await app.inject({
        method: 'GET',
        url: `/v1/points/evaluations/by-reference/${created.reference}`,
        headers: police,
      }),
    )
    tt.equal(byRef.status, 'void')
    const replay = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/replay`,
      headers: police,
    })
    tt.equal(replay.statusCode, 200)
    tt.equal(json(replay).identical, true, 'a void record still replays')
    tt.equal(json(replay).status, 'void')
    tt.equal(json(replay).replayed.total, TOTAL)
    const audit = await auditActions(app)
    tt.same(
      audit.filter((e) => e.objectId === created.id).map((e) => e.action),
      ['evaluation.created', 'evaluation.voided'],
    )
    const again = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: police,
      payload: { reason: 'twice' },
    })
    tt.equal(again.statusCode, 409, 'a void is final')
    tt.equal(json(again).code, 'JIFEN_ERR_RECORD_VOID')
  },
)

t.test(
  'a correction is a new record pointing to the one it corrects, made with the void in one unit',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const created = json(await postOfficial(app, police, pointsRequest()))
    // the corrected birth date 1985-03-02 makes the applicant 41 on 2026-04-30: age points 20 → 19
    // (policy.md §3.1: 20 up to 40, one less per year above), so 107.5 − 1 = 106.5
    const correction = pointsRequest({}, { birthDate: '1985-03-02' })
    const res = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: police,
      payload: { reason: '出生日期录入错误', correction },
    })
    tt.equal(res.statusCode, 200)
    const { voided, correction: made } = json(res)
    tt.equal(made.reference, 'JF-2026-000002')
    tt.equal(made.corrects, created.id)
    tt.equal(made.status, 'valid')
    tt.equal(voided.void.correctedBy, made.id)
    const read = json(
      await app.inject({ method: 'GET', url: `/v1/points/evaluations/${made.id}`, headers: police }),
    )
    tt.same(read, made)
    const audit = await auditActions(app)
    tt.same(
      audit.slice(-2).map((e) => [e.action, e.objectId]),
      [
        ['evaluation.created', made.id],
        ['evaluation.voided', created.id],
      ],
    )
    tt.equal(made.result.items.find((i: { id: string }) => i.id === 'age').points, 19)
    tt.equal(made.result.total, 106.5)
  },
)

t.test(
  'a correction that fails to score voids nothing; voiding needs the police scope; an unknown record is a 404',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const created = json(await postOfficial(app, police, pointsRequest()))
    const res = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: police,
      payload: { reason: 'x', correction: pointsRequest({ jurisdiction: '110101' }) },
    })
    tt.equal(res.statusCode, 422)
    tt.equal(json(res).code, 'JIFEN_ERR_NO_TABLE_IN_FORCE')
    const read = json(
      await app.inject({ method: 'GET', url: `/v1/points/evaluations/${created.id}`, headers: police }),
    )
    tt.equal(read.status, 'valid', 'all or nothing')
    const education = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: await authHeaders(app, ['education']),
      payload: { reason: 'x' },
    })
    tt.equal(education.statusCode, 403)
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/points/evaluations/0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d/void',
      headers: police,
      payload: { reason: 'x' },
    })
    tt.equal(unknown.statusCode, 404)
    const empty = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: police,
      payload: { reason: '  ' },
    })
    tt.equal(empty.statusCode, 400, 'a reason is required')
  },
)

t.test(
  'an ID-number search appends an audit entry: who, when, how many results; never the ID',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const first17 = '33021219880302123'
    const idNumber = first17 + idCheckChar(first17)
    await postOfficial(app, police, pointsRequest({}, { idNumber }))
    await postOfficial(app, police, pointsRequest({}, { idNumber }))
    const auditor = await authHeaders(app, ['auditor'])
    const found = await app.inject({
      method: 'POST',
      url: '/v1/points/evaluations/search',
      headers: auditor,
      payload: { idNumber },
    })
    tt.equal(json(found).evaluations.length, 2)
    const legacy = await app.inject({
      method: 'GET',
      url: `/v1/points/evaluations?idNumber=${first17}${idCheckChar(first17) === '0' ? '1' : '0'}`,
      headers: police,
    })
    // a wrong check character is a 400 before any search: nothing audited for it
    tt.equal(legacy.statusCode, 400)
    const other17 = '33021219900101123'
    const nobody = await app.inject({
      method: 'GET',
      url: `/v1/points/evaluations?idNumber=${other17}${idCheckChar(other17)}`,
      headers: police,
    })
    tt.equal(nobody.statusCode, 200)
    tt.equal(nobody.headers.deprecation, '@1795392000', 'RFC 9745: deprecated since 2026-11-23')
    tt.match(nobody.headers.sunset, /GMT$/)
    const searches = (await auditActions(app)).filter((e) => e.action === 'evaluation.id_searched')
    tt.equal(searches.length, 2)
    tt.match(searches[0], { objectId: 'results:2', at: '2026-05-15T02:00:00.000Z' })
    tt.match(searches[0].keyName, /^test-auditor-/)
    tt.match(searches[1], { objectId: 'results:0' })
    tt.match(searches[1].keyName, /^test-police-/)
    const log = JSON.stringify(await auditActions(app))
    tt.notOk(log.includes(first17) || log.includes(other17), 'no ID digits in the audit log')
  },
)

t.test('an enrolment system (education) may check a parent’s residence permit', async (tt) => {
  const app = await build(tt)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/residence-permit/eligibility',
    headers: await authHeaders(app, ['education']),
    payload: pointsRequest(),
  })
  tt.equal(res.statusCode, 200)
  tt.equal(json(res).scheme, 'residence-permit')
})

t.test(
  'the notice is a printable HTML page with reference, date, masked ID, total, items, table and code',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const first17 = '33021219880302123'
    const idNumber = first17 + idCheckChar(first17)
    const created = json(await postOfficial(app, police, pointsRequest({}, { idNumber })))
    const res = await app.inject({
      method: 'GET',
      url: `/v1/points/evaluations/${created.id}/notice`,
      headers: await authHeaders(app, ['education']),
    })
    tt.equal(res.statusCode, 200)
    tt.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
    const html = res.body
    tt.match(html, /<strong id="reference">JF-2026-000001<\/strong>/)
    tt.match(html, /<dd id="date">2026-05-15<\/dd>/, 'the record’s date in China Standard Time')
    tt.match(html, `<dd id="id-number">330212***********${idNumber[17]}</dd>`)
    tt.notOk(html.includes(first17), 'never the full ID number')
    tt.match(html, `<dd class="total" id="total">${TOTAL}</dd>`)
    tt.match(html, '甬政办发〔2022〕10号', 'items with their legal references')
    tt.match(html, '<dd id="ruleset">yinzhou-points-2022@1</dd>')
    tt.match(html, created.result.ruleset.sha256)
    tt.match(html, /@media print/)
    tt.notMatch(html, /<script|https?:\/\//, 'self-contained: no scripts, nothing fetched')
    const code = /<span class="code" id="code">([0-9A-Z]{5}-[0-9A-Z]{5})<\/span>/.exec(html)?.[1]
    tt.ok(code, 'a short printable code')
    const again = await app.inject({
      method: 'GET',
      url: `/v1/points/evaluations/${created.id}/notice`,
      headers: police,
    })
    tt.equal(again.body, html, 'the same notice every time')
    const publicTry = await app.inject({ method: 'GET', url: `/v1/points/evaluations/${created.id}/notice` })
    tt.equal(publicTry.statusCode, 401)
  },
)

t.test(
  'GET /v1/verify/{reference}?code= answers genuine, void, wrong code and unknown, and nothing else',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const created = json(await postOfficial(app, police, pointsRequest()))
    const other = json(await postOfficial(app, police, pointsRequest()))
    const codeOf = async (id: string) => {
      const html = (
        await app.inject({ method: 'GET', url: `/v1/points/evaluations/${id}/notice`, headers: police })
      ).body
      return /id="code">([^<]+)</.exec(html)![1]
    }
    const code = await codeOf(created.id)
    const verify = async (reference: string, c: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/verify/${reference}?code=${encodeURIComponent(c)}`,
      })
      tt.equal(res.statusCode, 200, 'public: no key')
      return json(res)
    }
    tt.same(await verify(created.reference, code), {
      reference: 'JF-2026-000001',
      genuine: true,
      status: 'valid',
      total: TOTAL,
    })
    tt.same(
      (await verify(created.reference, ` ${code.toLowerCase().replace('-', ' ')} `)).genuine,
      true,
      'as typed from paper: case, spaces and dashes do not matter',
    )
    const wrong = { reference: 'JF-2026-000001', genuine: false, status: null, total: null }
    tt.same(await verify(created.reference, await codeOf(other.id)), wrong, 'another record’s code')
    tt.same(await verify(created.reference, 'AAAAA-AAAAA'), wrong, 'a made-up code')
    tt.same(
      await verify('JF-2026-000042', code),
      { ...wrong, reference: 'JF-2026-000042' },
      'an unknown reference answers exactly as a wrong code',
    )
    await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${created.id}/void`,
      headers: police,
      payload: { reason: '录入错误' },
    })
    tt.same(await verify(created.reference, code), {
      reference: 'JF-2026-000001',
      genuine: true,
      status: 'void',
      total: TOTAL,
    })
    const voidNotice = (
      await app.inject({ method: 'GET', url: `/v1/points/evaluations/${created.id}/notice`, headers: police })
    ).body
    tt.match(voidNotice, /本记录已作废（2026-05-15）：录入错误/, 'a void record’s notice says so')
    const missing = await app.inject({ method: 'GET', url: `/v1/verify/${created.reference}` })
    tt.equal(missing.statusCode, 400, 'the code is required')
  },
)

t.test('verification is rate-limited per client address', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } })
  const statuses: number[] = []
  for (let i = 0; i < 4; i++)
    statuses.push(
      (await app.inject({ method: 'GET', url: '/v1/verify/JF-2026-000001?code=AAAAA-AAAAA' })).statusCode,
    )
  tt.same(statuses, [200, 200, 200, 429])
})
