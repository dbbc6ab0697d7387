// District items are checked against the table in force: unknown ids and wrong types are 400s naming them, on every route that evaluates an applicant.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { DistrictItemsSchema } from '../../schema/applicant.ts'
import type { Table } from '../../schema/table.ts'
import { districtItemErrors } from '../../src/services/district-items.ts'
import { authHeaders, build, json, pointsRequest, shippedTables } from '../helper.ts'

/** Points tables of a district: a jurisdiction below the city (330200) and the province (330000). */
const DISTRICT_TABLES = shippedTables().filter((x) => x.scheme === 'points' && !x.jurisdiction.endsWith('00'))

/** A day the table is in force: its last day, or the helper's as-of date for an open-ended one. */
const inForceOn = (table: Table) => table.validTo ?? '2026-04-30'

/** Values of the right type for every district item of a table: a count of 2, or true. */
const rightValues = (table: Table) =>
  Object.fromEntries(table.districtFacts.map((d) => [d.id, d.type === 'number' ? 2 : true]))

const ROUTES = [
  { url: '/v1/points/preview', scopes: [] },
  { url: '/v1/points/evaluations', scopes: ['police'] },
  { url: '/v1/residence-permit/eligibility', scopes: ['police'] },
  { url: '/v1/settlement/eligibility', scopes: ['police'] },
] as const

async function evaluate(
  app: FastifyInstance,
  url: string,
  table: Table,
  districtItems: Record<string, unknown>,
) {
  const headers = url === '/v1/points/preview' ? {} : await authHeaders(app, ['police'])
  return app.inject({
    method: 'POST',
    url,
    headers,
    payload: pointsRequest({ jurisdiction: table.jurisdiction, asOf: inForceOn(table) }, { districtItems }),
  })
}

t.test('the shipped district tables are all covered', async (tt) => {
  tt.equal(DISTRICT_TABLES.length, 11, 'eleven district points tables')
  tt.same(
    DISTRICT_TABLES.filter((x) => x.districtFacts.length > 0).map((x) => x.id),
    ['fenghua-points-2022', 'xiangshan-points-2022'],
    'two of them define district items',
  )
})

for (const table of DISTRICT_TABLES) {
  const ruleset = `${table.id}@${table.version}`
  t.test(
    `${ruleset}: unknown ids and wrong types are 400s on every route; its own items are taken`,
    async (tt) => {
      const app = await build(tt, { config: { rateLimitMax: 0 } })
      for (const { url } of ROUTES) {
        // an id of no table: named, and the table's items listed (or that it has none)
        const unknown = await evaluate(app, url, table, { not_an_item: 1 })
        tt.equal(unknown.statusCode, 400, `${url}: unknown id`)
        const body = json(unknown)
        tt.equal(body.code, 'JIFEN_ERR_VALIDATION')
        tt.equal(body.errors[0].path, 'body.applicant.districtItems.not_an_item', 'names the key')
        tt.match(body.errors[0].message, /unknown district item not_an_item/)
        if (table.districtFacts.length === 0) tt.match(body.errors[0].message, /define no district items/)
        for (const d of table.districtFacts) tt.match(body.errors[0].message, d.id, `lists ${d.id}`)
        if (url === '/v1/points/preview')
          tt.match(body.errors[0].message, ruleset, 'names the table in force')
      }
      for (const d of table.districtFacts) {
        // a typo of a real id: named, with the id it is close to
        const typo = await evaluate(app, '/v1/points/preview', table, {
          [d.id.slice(0, -1)]: d.type === 'number' ? 3 : true,
        })
        tt.equal(typo.statusCode, 400, `${d.id.slice(0, -1)}: a typo`)
        tt.match(json(typo).errors[0].message, `did you mean ${d.id}?`)
        // the wrong type: true for a count, a number for a yes-or-no item
        const wrong = d.type === 'number' ? true : 3
        for (const { url } of ROUTES) {
          const res = await evaluate(app, url, table, { [d.id]: wrong })
          tt.equal(res.statusCode, 400, `${url}: ${d.id} = ${wrong}`)
          tt.same(
            json(res).errors.map((e: { path: string }) => e.path),
            [`body.applicant.districtItems.${d.id}`],
          )
          tt.match(json(res).errors[0].message, d.type === 'number' ? /is a number/ : /is true or false/)
        }
      }
      // the right ones: taken on every route, and they score
      const right = rightValues(table)
      for (const { url } of ROUTES) {
        const res = await evaluate(app, url, table, right)
        tt.equal(
          res.statusCode,
          url === '/v1/points/evaluations' ? 201 : 200,
          `${url}: the table's own items`,
        )
      }
      if (table.districtFacts.length > 0) {
        const none = json(await evaluate(app, '/v1/points/preview', table, {})).result
        const all = json(await evaluate(app, '/v1/points/preview', table, right)).result
        tt.ok(all.total > none.total, `its items count: ${none.total} → ${all.total}`)
        tt.equal(all.ruleset.id, table.id, 'scored with this table')
      }
      // nothing was stored by a refused official evaluation
      const created = (await app.jifen.services().audit.page(0, 1000)).entries.filter(
        (e) => e.action === 'evaluation.created',
      )
      tt.equal(created.length, 1, 'only the accepted official evaluation')
    },
  )
}

t.test(
  'the issue’s cases: a typo for local_honours, true for a count, a number for a yes-or-no item',
  async (tt) => {
    const app = await build(tt, { config: { rateLimitMax: 0 } })
    const preview = (jurisdiction: string, districtItems: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/v1/points/preview',
        // the exact English message below (the Chinese one, the default, wraps it)
        headers: { 'accept-language': 'en' },
        payload: pointsRequest({ jurisdiction }, { districtItems }),
      })
    // Fenghua: local_honours is 5 points per honour (P), capped at 10
    const typo = await preview('330213', { local_honour: 3 })
    tt.equal(typo.statusCode, 400, 'no longer accepted, with 10 points silently lost')
    tt.same(json(typo).errors, [
      {
        path: 'body.applicant.districtItems.local_honour',
        message:
          'unknown district item local_honour (did you mean local_honours?); the district items of fenghua-points-2022@1 are brave_act, local_honours, party_member, donation_certificate, public_interest_post, military_service, spring_festival_stay',
      },
    ])
    const fixed = json(await preview('330213', { local_honours: 3 })).result
    const honours = fixed.items.find((i: { id: string }) => i.id === 'local_honours')
    tt.equal(honours.points, 10, '3 honours × 5 = 15, capped at 10')
    tt.equal((await preview('330213', { local_honours: true })).statusCode, 400, 'true is not a count')
    tt.equal((await preview('330225', { local_housing: 1 })).statusCode, 400, '1 is not true')
    // Yinzhou's district layer has no items yet: any key is refused rather than ignored
    tt.equal((await preview('330212', { local_honours: 3 })).statusCode, 400)
  },
)

t.test('GET /v1/rulesets/{id} lists each table’s district items', async (tt) => {
  const app = await build(tt)
  const auditor = await authHeaders(app, ['auditor'])
  for (const table of DISTRICT_TABLES) {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/rulesets/${table.id}@${table.version}`,
      headers: auditor,
    })
    tt.equal(res.statusCode, 200)
    tt.same(
      json(res).districtItems,
      table.districtFacts.map(({ id, label, type }) => ({ id, label, type })),
      `${table.id}: ${table.districtFacts.length} items`,
    )
  }
})

t.test(
  'the contract’s description of districtItems names every shipped table’s items with their types',
  async (tt) => {
    const description = String(DistrictItemsSchema.meta()?.description)
    for (const table of shippedTables().filter((x) => x.districtFacts.length > 0)) {
      tt.ok(description.includes(`${table.id} (`), `names ${table.id}`)
      tt.ok(description.includes(table.jurisdiction), `and its jurisdiction ${table.jurisdiction}`)
      for (const d of table.districtFacts)
        tt.ok(description.includes(`${d.id} (${d.type})`), `${table.id}: ${d.id} (${d.type})`)
    }
  },
)

t.test('the check itself: several tables, several errors, nothing to check', async (tt) => {
  const a = { ruleset: 'a@1', districtFacts: [{ id: 'count', label: 'C', type: 'number' as const }] }
  const b = { ruleset: 'b@1', districtFacts: [{ id: 'flag', label: 'F', type: 'boolean' as const }] }
  tt.same(districtItemErrors({}, []), [], 'no items: nothing to check')
  tt.same(districtItemErrors({ count: 1, flag: false }, [a, b]), [], 'items of either table')
  tt.same(
    districtItemErrors({ count: false, flag: 0, other: 1 }, [a, b]).map((e) => e.path),
    [
      'body.applicant.districtItems.count',
      'body.applicant.districtItems.flag',
      'body.applicant.districtItems.other',
    ],
    'each wrong one named',
  )
  tt.match(districtItemErrors({ x: 1 }, [])[0].message, /the tables in force define no district items/)
})
