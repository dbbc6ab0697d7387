// Admission bulk at full size: 10,000 applications in one request, all stored or none (on the backend under test).
import t from 'tap'
import { authHeaders, build, bulkApplication, bulkRound, json } from '../helper.ts'

const ROWS = 10_000

function application(n: number) {
  return bulkApplication(n, {
    ref: `YZ2026P1${String(n).padStart(6, '0')}`,
    preferences: ['s1', 's2'],
    appliedAt: `2026-05-0${1 + (n % 9)}T09:00:00+08:00`,
  })
}

t.test(
  '10,000 applications with one bad row store nothing and name that row; fixed, all 10,000 are stored',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['education'])
    const round = await app.inject({
      method: 'POST',
      url: '/v1/admission/rounds',
      headers: auth,
      payload: bulkRound('bulk-2026'),
    })
    const id = json(round).id
    const applications = Array.from({ length: ROWS }, (_, n) => application(n))
    const bad = structuredClone(applications[7777])
    bad.household.child.birthDate = '2019-02-30'
    const withBad = [...applications.slice(0, 7777), bad, ...applications.slice(7778)]
    const url = `/v1/admission/rounds/${id}/applications`
    const refused = await app.inject({
      method: 'POST',
      url,
      headers: auth,
      payload: { applications: withBad },
    })
    tt.equal(refused.statusCode, 400)
    const problem = json(refused)
    // two problems with the same field (not a calendar date; not the birth date in the ID number), one row
    tt.same(
      [...new Set(problem.errors.map((e: { path: string }) => e.path))],
      ['body.applications[7777].household.child.birthDate'],
    )
    tt.match(problem.errors[0].message, /(row 7777|第 7777 行) \(applicationRef "YZ2026P1007777"\)/)
    const none = json(await app.inject({ method: 'GET', url: `/v1/admission/rounds/${id}`, headers: auth }))
    tt.equal(none.applications, 0, 'nothing was stored')

    const stored = await app.inject({ method: 'POST', url, headers: auth, payload: { applications } })
    tt.equal(stored.statusCode, 201, stored.statusCode === 201 ? '' : stored.body.slice(0, 500))
    tt.same(json(stored), { roundId: id, stored: ROWS, eligible: ROWS, ineligible: 0 })
    const all = json(await app.inject({ method: 'GET', url: `/v1/admission/rounds/${id}`, headers: auth }))
    tt.equal(all.applications, ROWS)
    // every child is placed: 6,000 seats for 10,000 → 6,000 placed, 4,000 below both cut-offs
    await app.inject({ method: 'POST', url: `/v1/admission/rounds/${id}/close`, headers: auth })
    const v = json(
      await app.inject({ method: 'POST', url: `/v1/admission/rounds/${id}/allocate`, headers: auth }),
    )
    tt.equal(v.result.summary.placed, 6000)
    tt.equal(v.result.summary.belowCutoff, 4000)
  },
)
