// Ruleset routes: list, read with references, drafts and their validation, publication, retirement, immutability (409), diff.
import t from 'tap'
import {
  authHeaders,
  build,
  json,
  pointsRequest,
  postOfficial,
  standaloneTable,
  tempDatabase,
  yinzhouV2,
} from '../helper.ts'

const post = (table: unknown, headers: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/v1/rulesets',
  payload: { table },
  headers,
})

t.test(
  'GET /v1/rulesets lists the seeded tables, filtered by scheme, jurisdiction and status',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['admin', 'police'])
    const res = await app.inject({
      headers: auth,
      method: 'GET',
      url: '/v1/rulesets?scheme=points&jurisdiction=330212',
    })
    tt.equal(res.statusCode, 200)
    const ids = json(res).rulesets.map((r: { id: string }) => r.id)
    tt.same(ids, ['yinzhou-points-2022@1'])
    const r = json(res).rulesets[0]
    tt.equal(r.status, 'published')
    tt.equal(r.origin, 'shipped')
    tt.match(r.sha256, /^[0-9a-f]{64}$/)
    const drafts = await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets?status=draft' })
    tt.same(json(drafts).rulesets, [])
    const bad = await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets?status=bogus' })
    tt.equal(bad.statusCode, 400)
    tt.same(
      json(bad).errors.map((e: { path: string }) => e.path),
      ['querystring.status'],
    )
  },
)

t.test('GET /v1/rulesets/:id returns the table and every row’s legal reference', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const res = await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/ningbo-points-2022@1' })
  tt.equal(res.statusCode, 200)
  const body = json(res)
  tt.equal(body.ruleset.id, 'ningbo-points-2022@1')
  tt.equal(body.table.id, 'ningbo-points-2022')
  const employment = body.references.find((r: { id: string }) => r.id === 'employment')
  tt.same(employment, {
    section: 'items',
    id: 'employment',
    label: '就业',
    ref: 'ningbo-points-notice',
    citation: '关于实施流动人口量化积分管理的通知（甬政办发〔2022〕10号）',
    references: [
      {
        key: 'ningbo-points-notice',
        title: '关于实施流动人口量化积分管理的通知',
        documentNumber: '甬政办发〔2022〕10号',
        issuer: '宁波市人民政府办公厅',
        date: '2022',
        status: 'V',
      },
    ],
    provisional: false,
  })
  tt.ok(body.references.some((r: { section: string }) => r.section === 'deductions'))
  const missing = await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/nothing@1' })
  tt.equal(missing.statusCode, 404)
  tt.equal(json(missing).code, 'JIFEN_ERR_NOT_FOUND')
})

t.test(
  'a draft takes no part in lookup; publishing it does; the older record still replays identically',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['admin', 'police'])
    const before = json(await postOfficial(app, auth, pointsRequest()))
    tt.equal(before.result.total, 107.5)

    const created = await app.inject(post(yinzhouV2(), auth))
    tt.equal(created.statusCode, 201)
    const draft = json(created)
    tt.equal(draft.ruleset.id, 'yinzhou-points-2022@2')
    tt.equal(draft.ruleset.status, 'draft')
    tt.equal(draft.ruleset.origin, 'api')
    // the district layer's cap 50 cannot be reached by its one 5-point item: a warning, not an error
    tt.same(
      draft.warnings.map((w: { path: string }) => w.path),
      ['table.layers[2].cap'],
    )
    const whileDraft = json(
      await app.inject({
        headers: auth,
        method: 'POST',
        url: '/v1/points/preview',
        payload: pointsRequest(),
      }),
    )
    tt.equal(whileDraft.result.total, 107.5, 'drafts are not used')

    const published = await app.inject({
      headers: auth,
      method: 'POST',
      url: '/v1/rulesets/yinzhou-points-2022@2/publish',
    })
    tt.equal(published.statusCode, 200)
    tt.equal(json(published).ruleset.status, 'published')
    tt.equal(json(published).ruleset.publishedAt, '2026-05-15T02:00:00.000Z')

    // same validFrom, higher version: v2 is in force. 107.5 + 5 (lives in Yinzhou) = 112.5
    const after = json(await postOfficial(app, auth, pointsRequest()))
    tt.equal(after.result.total, 112.5)
    tt.equal(after.rulesetId, 'yinzhou-points-2022@2')

    const replay = json(
      await app.inject({ headers: auth, method: 'POST', url: `/v1/points/evaluations/${before.id}/replay` }),
    )
    tt.equal(replay.identical, true, 'the stored record replays with its own table, not the one now in force')
    tt.equal(replay.replayed.total, 107.5)
    tt.equal(replay.rulesetId, 'yinzhou-points-2022@1')
  },
)

/** A correction of the city table: blood donation 3 points a time instead of the provisional 2. */
function ningboCorrection() {
  return {
    id: 'ningbo-points-2022',
    version: 2,
    scheme: 'points',
    jurisdiction: '330200',
    title: '宁波市流动人口量化积分（更正献血分值）',
    validFrom: '2022-04-01',
    ref: 'ningbo-points-notice',
    supersedes: 'ningbo-points-2022@1',
    patch: { reweight: [{ id: 'blood_donation', terms: [{ fact: 'city.bloodDonations', points: 3 }] }] },
  }
}

t.test(
  'a city correction: every existing table keeps its hash, each district gets a next version, old records replay identically',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['admin', 'police'])
    const donor = pointsRequest({}, { cityItems: { bloodDonations: 2 } })
    const hashes = async () =>
      new Map<string, string>(
        json(await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets' })).rulesets.map(
          (r: { id: string; sha256: string }) => [r.id, r.sha256],
        ),
      )
    const before = json(await postOfficial(app, auth, donor))
    // 107.5 + 2 donations × 2 points = 111.5
    tt.equal(before.result.total, 111.5)
    tt.equal(before.rulesetId, 'yinzhou-points-2022@1')
    const ningbo1 = (await hashes()).get('ningbo-points-2022@1')
    tt.same(
      before.result.ruleset.components.map((c: { id: string; version: number }) => `${c.id}@${c.version}`),
      ['zhejiang-points-2022@1', 'ningbo-points-2022@1'],
      'the result names the pinned tables it was built from',
    )
    tt.equal(before.result.ruleset.components[1].sha256, ningbo1, 'with their hashes')
    const hashesBefore = await hashes()

    tt.equal((await app.inject(post(ningboCorrection(), auth))).statusCode, 201)
    const published = await app.inject({
      headers: auth,
      method: 'POST',
      url: '/v1/rulesets/ningbo-points-2022@2/publish',
    })
    tt.equal(published.statusCode, 200)
    const successors = json(published).successors as string[]
    tt.equal(successors.length, 10, 'the ten district tables built on ningbo-points-2022@1 follow')
    tt.ok(successors.includes('yinzhou-points-2022@2'))

    const hashesAfter = await hashes()
    for (const [id, sha256] of hashesBefore) tt.equal(hashesAfter.get(id), sha256, `${id} keeps its hash`)
    tt.equal(hashesAfter.size, hashesBefore.size + 11, 'the correction and its ten successors')

    // the corrected value is in force: 107.5 + 2 × 3 = 113.5
    const after = json(await postOfficial(app, auth, donor))
    tt.equal(after.result.total, 113.5)
    tt.equal(after.rulesetId, 'yinzhou-points-2022@2')
    tt.same(
      after.result.ruleset.components.map((c: { id: string; version: number }) => `${c.id}@${c.version}`),
      ['zhejiang-points-2022@1', 'ningbo-points-2022@1', 'ningbo-points-2022@2', 'yinzhou-points-2022@1'],
    )

    const replay = json(
      await app.inject({ headers: auth, method: 'POST', url: `/v1/points/evaluations/${before.id}/replay` }),
    )
    tt.equal(replay.identical, true, 'the record made under ningbo-points-2022@1 replays identically')
    tt.equal(replay.replayed.total, 111.5)
  },
)

t.test(
  'retiring a published ruleset: lookup falls back, its records still read and replay, the reason is kept',
  async (tt) => {
    const database = await tempDatabase(tt)
    const app = await build(tt, { config: database })
    const auth = await authHeaders(app, ['admin', 'police', 'auditor'])
    const evaluate = async () => json(await postOfficial(app, auth, pointsRequest()))
    tt.equal((await app.inject(post(yinzhouV2(), auth))).statusCode, 201)
    tt.equal(
      (await app.inject({ headers: auth, method: 'POST', url: '/v1/rulesets/yinzhou-points-2022@2/publish' }))
        .statusCode,
      200,
    )
    // v2 in force: 107.5 + 5 (lives in Yinzhou) = 112.5
    const withV2 = await evaluate()
    tt.equal(withV2.result.total, 112.5)

    const reason = '第 2 版区级项目未经区政府发布，撤回'
    const retire = (id: string, payload: unknown, headers = auth) =>
      app.inject({ headers, method: 'POST', url: `/v1/rulesets/${id}/retire`, payload: payload as object })
    const retired = await retire('yinzhou-points-2022@2', { reason: `  ${reason} ` })
    tt.equal(retired.statusCode, 200)
    tt.match(json(retired).ruleset, {
      id: 'yinzhou-points-2022@2',
      status: 'retired',
      retiredAt: '2026-05-15T02:00:00.000Z',
      retiredReason: reason,
      publishedAt: '2026-05-15T02:00:00.000Z',
    })

    // lookup falls back to v1 (an empty Yinzhou patch of the city table): 107.5 again
    const afterRetire = await evaluate()
    tt.equal(afterRetire.result.total, 107.5)
    tt.equal(afterRetire.rulesetId, 'yinzhou-points-2022@1')
    const preview = json(
      await app.inject({ method: 'POST', url: '/v1/points/preview', payload: pointsRequest() }),
    )
    tt.equal(preview.result.ruleset.id, 'yinzhou-points-2022', 'preview too')
    tt.equal(preview.result.ruleset.version, 1)

    // the record made with v2 still reads and replays with v2
    const read = await app.inject({
      headers: auth,
      method: 'GET',
      url: `/v1/points/evaluations/${withV2.id}`,
    })
    tt.same(json(read), withV2)
    const replay = json(
      await app.inject({ headers: auth, method: 'POST', url: `/v1/points/evaluations/${withV2.id}/replay` }),
    )
    tt.equal(replay.identical, true)
    tt.equal(replay.rulesetId, 'yinzhou-points-2022@2')
    tt.equal(replay.replayed.total, 112.5)

    // listed and read as retired, with the reason; audited
    const listed = json(
      await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets?status=retired' }),
    )
    tt.same(
      listed.rulesets.map((x: { id: string; retiredReason: string }) => [x.id, x.retiredReason]),
      [['yinzhou-points-2022@2', reason]],
    )
    const detail = json(
      await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/yinzhou-points-2022@2' }),
    )
    tt.equal(detail.ruleset.status, 'retired')
    const audit = json(await app.inject({ headers: auth, method: 'GET', url: '/v1/audit?limit=500' }))
    tt.ok(
      audit.entries.some(
        (e: { action: string; objectId: string }) =>
          e.action === 'ruleset.retired' && e.objectId === 'yinzhou-points-2022@2',
      ),
      'an audit entry names the retired ruleset',
    )

    // refusals
    const again = await retire('yinzhou-points-2022@2', { reason })
    tt.equal(again.statusCode, 409)
    tt.equal(json(again).code, 'JIFEN_ERR_RULESET_NOT_PUBLISHED')
    tt.equal((await app.inject(post(yinzhouV2({ version: 3 }), auth))).statusCode, 201)
    const draft = await retire('yinzhou-points-2022@3', { reason })
    tt.equal(draft.statusCode, 409, 'a draft was never in force: nothing to retire')
    tt.match(json(draft).detail, /is draft|是草稿/)
    tt.equal((await retire('nothing@9', { reason })).statusCode, 404)
    for (const [payload, path] of [
      [{}, 'body.reason'],
      [{ reason: ' x ' }, 'body.reason'],
      [{ reason: 'x'.repeat(501) }, 'body.reason'],
      [{ reason, by: 'me' }, 'body'],
    ] as const) {
      const bad = await retire('yinzhou-points-2022@1', payload)
      tt.equal(bad.statusCode, 400, JSON.stringify(payload).slice(0, 60))
      tt.ok(
        json(bad).errors.some((e: { path: string }) => e.path === path),
        `names ${path}`,
      )
    }
    const police = await authHeaders(app, ['police'])
    tt.equal((await retire('yinzhou-points-2022@1', { reason }, police)).statusCode, 403, 'admins only')

    // retiring the shipped Yinzhou table too: lookup falls back to the city table
    tt.equal((await retire('yinzhou-points-2022@1', { reason: '改用市级表' })).statusCode, 200)
    tt.equal((await evaluate()).rulesetId, 'ningbo-points-2022@1')

    // a restart keeps both retired: seeding does not bring the shipped one back
    await app.close()
    const second = await build(tt, { config: database })
    const afterRestart = json(await postOfficial(second, auth, pointsRequest()))
    tt.equal(afterRestart.rulesetId, 'ningbo-points-2022@1')
    const v1 = json(
      await second.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/yinzhou-points-2022@1' }),
    )
    tt.equal(v1.ruleset.status, 'retired')
  },
)

t.test('retiring is idempotent with an Idempotency-Key', async (tt) => {
  const app = await build(tt)
  const auth = { ...(await authHeaders(app, ['admin'])), 'idempotency-key': 'retire-1' }
  const send = () =>
    app.inject({
      headers: auth,
      method: 'POST',
      url: '/v1/rulesets/yinzhou-points-2022@1/retire',
      payload: { reason: '测试撤回' },
    })
  const first = await send()
  const retry = await send()
  tt.equal(first.statusCode, 200)
  tt.equal(retry.statusCode, 200, 'the retry gets the first answer, not a 409')
  tt.same(json(retry), json(first))
  tt.equal(retry.headers['idempotent-replayed'], 'true')
})

t.test('a published ruleset is immutable: publish again, replace, re-create all answer 409', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const sha = json(
    await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/yinzhou-points-2022@1' }),
  ).ruleset.sha256

  const again = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/rulesets/yinzhou-points-2022@1/publish',
  })
  tt.equal(again.statusCode, 409)
  tt.equal(json(again).code, 'JIFEN_ERR_RULESET_IMMUTABLE')

  const changed = yinzhouV2({ version: 1 })
  const put = await app.inject({
    headers: auth,
    method: 'PUT',
    url: '/v1/rulesets/yinzhou-points-2022@1',
    payload: { table: changed },
  })
  tt.equal(put.statusCode, 409)
  tt.equal(json(put).code, 'JIFEN_ERR_RULESET_IMMUTABLE')

  const recreate = await app.inject(post(changed, auth))
  tt.equal(recreate.statusCode, 409)
  tt.equal(json(recreate).code, 'JIFEN_ERR_RULESET_IMMUTABLE')

  const after = json(
    await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/yinzhou-points-2022@1' }),
  )
  tt.equal(after.ruleset.sha256, sha, 'content unchanged')
})

t.test('a draft can be replaced until published; creating it twice is a 409', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const first = json(await app.inject(post(yinzhouV2(), auth)))
  const twice = await app.inject(post(yinzhouV2(), auth))
  tt.equal(twice.statusCode, 409)
  tt.equal(json(twice).code, 'JIFEN_ERR_RULESET_EXISTS')
  const put = await app.inject({
    headers: auth,
    method: 'PUT',
    url: '/v1/rulesets/yinzhou-points-2022@2',
    payload: { table: yinzhouV2({ title: '改过的标题' }) },
  })
  tt.equal(put.statusCode, 200)
  tt.equal(json(put).ruleset.title, '改过的标题')
  tt.not(json(put).ruleset.sha256, first.ruleset.sha256)
  const mismatch = await app.inject({
    headers: auth,
    method: 'PUT',
    url: '/v1/rulesets/yinzhou-points-2022@2',
    payload: { table: yinzhouV2({ version: 3 }) },
  })
  tt.equal(mismatch.statusCode, 400)
  tt.same(
    json(mismatch).errors.map((e: { path: string }) => e.path),
    ['body.table.version'],
  )
  const missing = await app.inject({ headers: auth, method: 'POST', url: '/v1/rulesets/nothing@9/publish' })
  tt.equal(missing.statusCode, 404)
})

t.test('draft validation: a schema error is a 400 with the field path', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const table = standaloneTable()
  ;(table.items[0] as Record<string, unknown>).kind = 'lottery'
  const res = await app.inject(post(table, auth))
  tt.equal(res.statusCode, 400)
  tt.equal(json(res).code, 'JIFEN_ERR_VALIDATION')
  tt.ok(
    json(res).errors.some((e: { path: string }) => e.path.startsWith('body.table.items.0')),
    JSON.stringify(json(res).errors),
  )
})

t.test('draft validation: an unknown fact is a 422 naming the condition', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const table = standaloneTable()
  ;(table.items[0] as Record<string, unknown>).when = { fact: 'permit.colour', eq: true }
  const res = await app.inject(post(table, auth))
  tt.equal(res.statusCode, 422)
  tt.equal(json(res).code, 'JIFEN_ERR_TABLE_INVALID')
  tt.same(
    json(res).errors.map((e: { path: string }) => e.path),
    ['body.table.items[0].when'],
  )
  // a policy officer reads the whole reason in Chinese (the default), a caller asking for English in English
  tt.match(json(res).detail, /^积分表无法编译：items\[0\]\.when：未知事实“permit\.colour”$/)
  tt.same(json(res).errors[0].message, json(res).detail)
  const en = await app.inject({ ...post(table, auth), headers: { ...auth, 'accept-language': 'en' } })
  tt.equal(en.statusCode, 422)
  tt.match(json(en).detail, /^items\[0\]\.when: unknown fact "permit\.colour"$/)
})

t.test('draft validation: re-weighting an item the base does not have is a 422 naming it', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const table = yinzhouV2()
  ;(table.patch as Record<string, unknown>).reweight = [{ id: 'no_such_item', points: 3 }]
  const res = await app.inject(post(table, auth))
  tt.equal(res.statusCode, 422)
  tt.same(
    json(res).errors.map((e: { path: string }) => e.path),
    ['body.table.patch.reweight.no_such_item'],
  )
})

t.test('draft validation: an item cap its rule can never reach is a 422 naming the cap', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  const table = standaloneTable()
  ;(table.items[0] as Record<string, unknown>).points = 5 // binary 5 points, cap 10: unreachable
  const res = await app.inject(post(table, auth))
  tt.equal(res.statusCode, 422)
  tt.same(
    json(res).errors.map((e: { path: string }) => e.path),
    ['body.table.items[0].cap'],
  )
})

t.test(
  'draft validation: a window overlapping another published table is a 409; a disjoint one is fine',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['admin', 'police'])
    const overlapping = standaloneTable({
      id: 'yinzhou-other',
      jurisdiction: '330212',
      validFrom: '2025-01-01',
    })
    const res = await app.inject(post(overlapping, auth))
    tt.equal(res.statusCode, 409)
    tt.equal(json(res).code, 'JIFEN_ERR_RULESET_OVERLAP')
    tt.same(
      json(res).errors.map((e: { path: string }) => e.path),
      ['body.table.validFrom'],
    )
    tt.match(json(res).detail, /yinzhou-points-2022@1/)
    const disjoint = standaloneTable({
      id: 'yinzhou-legacy',
      jurisdiction: '330212',
      validFrom: '2020-01-01',
      validTo: '2021-12-31',
    })
    tt.equal((await app.inject(post(disjoint, auth))).statusCode, 201)
  },
)

t.test(
  'a table that needs a caller-supplied date answers 422 naming it when the date is missing',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['admin', 'police'])
    const table = standaloneTable({ dates: { enrolment: { context: 'onlineEnrolmentOpens' } } })
    ;(table.items[0] as Record<string, unknown>).when = { fact: 'permit.valid', eq: true, at: 'enrolment' }
    tt.equal((await app.inject(post(table, auth))).statusCode, 201)
    tt.equal(
      (await app.inject({ headers: auth, method: 'POST', url: '/v1/rulesets/test-standalone@1/publish' }))
        .statusCode,
      200,
    )
    const missing = await postOfficial(app, auth, pointsRequest({ jurisdiction: '330299' }))
    tt.equal(missing.statusCode, 422)
    tt.equal(json(missing).code, 'JIFEN_ERR_EVALUATION')
    tt.same(
      json(missing).errors.map((e: { path: string }) => e.path),
      ['body.dates.onlineEnrolmentOpens'],
    )
    // permit issued 2019-03-01 and endorsed every year through 2026-02-20: valid on 2026-04-01 → 10
    const given = await postOfficial(
      app,
      auth,
      pointsRequest({ jurisdiction: '330299', dates: { onlineEnrolmentOpens: '2026-04-01' } }),
    )
    tt.equal(given.statusCode, 201)
    tt.equal(json(given).result.total, 10)
  },
)

t.test('GET /v1/rulesets/:id/diff/:otherId lists changes row by row', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['admin', 'police'])
  await app.inject(post(yinzhouV2({ title: '第 2 版' }), auth))
  const res = await app.inject({
    headers: auth,
    method: 'GET',
    url: '/v1/rulesets/yinzhou-points-2022@1/diff/yinzhou-points-2022@2',
  })
  tt.equal(res.statusCode, 200)
  const body = json(res)
  tt.equal(body.identical, false)
  tt.equal(body.from.id, 'yinzhou-points-2022@1')
  tt.equal(body.to.id, 'yinzhou-points-2022@2')
  const table = body.changes.find((c: { section: string }) => c.section === 'table')
  tt.same(
    table.fields
      .filter((f: { path: string }) => f.path === 'version' || f.path === 'title')
      .map((f: { path: string; from: unknown; to: unknown }) => [f.path, f.to]),
    [
      ['version', 2],
      ['title', '第 2 版'],
    ],
  )
  const rows = body.changes.filter((c: { section: string }) => c.section !== 'table')
  tt.same(rows, [{ section: 'items', id: 'lives_in_district', change: 'added', fields: [] }])

  // a re-weight shows as a changed item with the exact field
  await app.inject(
    post(
      yinzhouV2({
        version: 3,
        patch: {
          layers: [],
          add: [],
          reweight: [{ id: 'blood_donation', terms: [{ fact: 'city.bloodDonations', points: 3 }] }],
        },
      }),
      auth,
    ),
  )
  const rw = json(
    await app.inject({
      headers: auth,
      method: 'GET',
      url: '/v1/rulesets/yinzhou-points-2022@1/diff/yinzhou-points-2022@3',
    }),
  )
  const blood = rw.changes.find((c: { id: string }) => c.id === 'blood_donation')
  tt.same(blood, {
    section: 'items',
    id: 'blood_donation',
    change: 'changed',
    fields: [{ path: 'terms[0].points', from: 2, to: 3 }],
  })
  tt.ok(
    rw.changes.some(
      (c: { section: string; id: string; change: string }) =>
        c.section === 'layers' && c.id === 'district' && c.change === 'removed',
    ),
  )

  const same = json(
    await app.inject({
      headers: auth,
      method: 'GET',
      url: '/v1/rulesets/yinzhou-points-2022@1/diff/yinzhou-points-2022@1',
    }),
  )
  tt.equal(same.identical, true)
  tt.same(same.changes, [])
  const missing = await app.inject({
    headers: auth,
    method: 'GET',
    url: '/v1/rulesets/yinzhou-points-2022@1/diff/nothing@1',
  })
  tt.equal(missing.statusCode, 404)
  tt.same(
    json(missing).errors.map((e: { path: string }) => e.path),
    ['params.otherId'],
  )
})
