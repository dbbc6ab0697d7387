// A draft whose rows give provisional reasons, published: GET /v1/rulesets/{id} and an evaluation show them.
import t from 'tap'
import { authHeaders, build, json, pointsRequest, postOfficial, yinzhouV2 } from '../helper.ts'

const REASON = '区级加分标准以正式发文为准'

/** Yinzhou version 2: the city table plus one district item (5 points) marked provisional with a reason. */
const yinzhouV2WithReason = yinzhouV2({}, { provisional: { reason: REASON } })

t.test(
  'a draft published with reasons shows them in GET /v1/rulesets/{id} and in an evaluation',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['admin', 'police'])
    const created = await app.inject({
      method: 'POST',
      url: '/v1/rulesets',
      payload: { table: yinzhouV2WithReason },
      headers: auth,
    })
    tt.equal(created.statusCode, 201)
    const published = await app.inject({
      headers: auth,
      method: 'POST',
      url: '/v1/rulesets/yinzhou-points-2022@2/publish',
    })
    tt.equal(published.statusCode, 200)

    const got = await app.inject({ headers: auth, method: 'GET', url: '/v1/rulesets/yinzhou-points-2022@2' })
    tt.equal(got.statusCode, 200)
    const body = json(got)
    const row = body.table.items.find((i: { id: string }) => i.id === 'lives_in_district')
    tt.same(row.provisional, { reason: REASON }, 'the table keeps the row’s mark as written')
    const ref = body.references.find((r: { id: string }) => r.id === 'lives_in_district')
    tt.equal(ref.provisional, true, 'the reference list keeps its boolean')
    // a city row the draft did not touch keeps its old mark (ningbo-points-2022@1 writes `true` or nothing)
    const employment = body.table.items.find((i: { id: string }) => i.id === 'employment')
    tt.equal(typeof employment.provisional, 'boolean')

    // v2 is in force: 107.5 (the Yinzhou request under the city table) + 5 (lives in Yinzhou) = 112.5
    const evaluation = json(await postOfficial(app, auth, pointsRequest()))
    tt.equal(evaluation.rulesetId, 'yinzhou-points-2022@2')
    tt.equal(evaluation.result.total, 112.5)
    const item = evaluation.result.items.find((i: { id: string }) => i.id === 'lives_in_district')
    tt.equal(item.points, 5)
    tt.equal(item.provisional, true)
    tt.equal(item.provisionalReason, REASON)
    tt.ok(evaluation.result.provisionalRows.includes('lives_in_district'))
    const others = evaluation.result.items.filter((i: { id: string }) => i.id !== 'lives_in_district')
    tt.ok(
      others.every((i: object) => !('provisionalReason' in i)),
      'rows without a reason carry no provisionalReason',
    )

    // the stored record replays identical, reason included
    const replay = json(
      await app.inject({
        headers: auth,
        method: 'POST',
        url: `/v1/points/evaluations/${evaluation.id}/replay`,
      }),
    )
    tt.equal(replay.identical, true)

    // the printed notice gives the reason beside the row's 暂定 mark
    const notice = await app.inject({
      headers: auth,
      method: 'GET',
      url: `/v1/points/evaluations/${evaluation.id}/notice`,
    })
    tt.equal(notice.statusCode, 200)
    tt.ok(notice.body.includes(`（暂定：${REASON}）`), 'the notice shows the reason')
  },
)
