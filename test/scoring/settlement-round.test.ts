// A hand-worked points-settlement quota round (policy.md §4): the settlement scheme's quota input, then the allocator.
import t from 'tap'
import type { Applicant } from '../../schema/applicant.ts'
import { ApplicantSchema } from '../../schema/applicant.ts'
import type { RulesetRef } from '../../schema/result.ts'
import { allocate, DEFAULT_TIE_BREAK } from '../../scoring/allocation.ts'
import { compileTable } from '../../scoring/compile.ts'
import {
  evaluate as evaluateSettlement,
  quotaApplication,
  quotaRefusal,
  quotaTieBreak,
} from '../../scoring/schemes/settlement/index.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

// Jiangbei 2020 points settlement (policy.md §3.4, §4; jiangbei-settlement-2020-09): threshold 10 points on the old
// scale, gates: valid permit, age 18–60, insured in Ningbo this month, no crime record. The shipped table's quota is
// 15 households; here it is 3 so that a hand-sized round exhausts it. Points come from the old Jiangbei table, which
// the service does not have: each applicant's points are given as that table would have scored them.
const shipped = loadShippedTables().find((x) => x.id === 'jiangbei-settlement-2020-09')
if (shipped?.pointsSettlement == null) throw new Error('jiangbei-settlement-2020-09 has no points settlement')
const table = compileTable({
  ...shipped,
  pointsSettlement: { ...shipped.pointsSettlement, yearlyQuota: 3 },
})
const ps = shipped.pointsSettlement
const oldScale: RulesetRef = {
  id: ps.pointsTable ?? 'jiangbei-points-2020',
  version: 1,
  sha256: '0'.repeat(64),
  scheme: 'points',
  jurisdiction: '330205',
  validFrom: '2020-01-01',
  validTo: '2020-12-31',
  provisional: false,
}

const asOf = '2020-11-30'
const ctx = { asOf, jurisdiction: '330205' }

/** Born 1985 (35 on 2020-11-30), registered and permitted in Jiangbei since 2018-01-01, insured from `insuredFrom`. */
function person(insuredFrom: string, extra: Record<string, unknown> = {}): Applicant {
  return ApplicantSchema.parse({
    birthDate: '1985-06-01',
    education: 'bachelor',
    socialInsurance: [{ from: insuredFrom, to: null, region: '330205' }],
    residence: {
      registeredSince: '2018-01-01',
      region: '330205',
      permit: { issuedOn: '2020-01-10', endorsements: [] },
    },
    employment: [{ kind: 'labour_contract', from: '2018-01-01', to: null, region: '330205' }],
    ...extra,
  })
}

function evaluated(ref: string, points: number, applicant: Applicant, appliedAt: string) {
  const result = evaluateSettlement(table, applicant, ctx, {
    points: { total: points, eligible: true, frozenUntil: null, ruleset: oldScale },
  })
  return {
    result,
    input: quotaApplication(ref, result, quotaTieBreak(table, applicant, ctx), appliedAt, 'quota'),
  }
}

t.test(
  'a settlement quota round: threshold, gates, ranking by points then insurance months, quota of 3',
  async (tt) => {
    // Insurance months counted through the as-of month: 2016-01 … 2020-11 = 4 × 12 + 11 = 59; 2017-01 … 2020-11 = 47;
    // 2018-01 … 2020-11 = 35. Residence: registered 2018-01-01 → 34 full months on 2020-11-30 for everyone.
    //   JB-A 14 points, insured from 2018-01 (35 months)  ≥ 10, gates pass → rank 1
    //   JB-B 12 points, insured from 2017-01 (47 months)  ≥ 10 → ties JB-C on points; 47 < 59 → rank 3
    //   JB-C 12 points, insured from 2016-01 (59 months)  ≥ 10 → rank 2
    //   JB-D 11 points                                     ≥ 10 → rank 4: the quota of 3 is used up → quota_exhausted
    //   JB-E  9 points                                     9 < 10 → gate below_threshold, not ranked
    //   JB-F 20 points, a crime record on 2019-03-01       gate no_crime_record fails, not ranked
    // Placed: A, C, B (3 = the quota); the cut-off is JB-B: 12 points (120000 in 1/10,000), 47 insurance months.
    const at = '2020-11-02T09:00:00+08:00'
    const rows = [
      evaluated('JB-A', 14, person('2018-01'), at),
      evaluated('JB-B', 12, person('2017-01'), at),
      evaluated('JB-C', 12, person('2016-01'), at),
      evaluated('JB-D', 11, person('2018-01'), at),
      evaluated('JB-E', 9, person('2018-01'), at),
      evaluated('JB-F', 20, person('2018-01', { records: [{ kind: 'crime', date: '2019-03-01' }] }), at),
    ]
    tt.same(
      rows.map((r) => [r.input.ref, r.input.insuranceMonths, r.input.residenceMonths]),
      [
        ['JB-A', 35, 34],
        ['JB-B', 47, 34],
        ['JB-C', 59, 34],
        ['JB-D', 35, 34],
        ['JB-E', 35, 34],
        ['JB-F', 35, 34],
      ],
    )
    tt.same(
      rows.map((r) => r.input.points),
      [140_000, 120_000, 120_000, 110_000, 90_000, 200_000],
    )
    const result = allocate(
      {
        units: [{ id: 'quota', name: '江北区积分落户 2020 年度名额', seats: 3 }],
        cutoffScope: 'quota',
        tieBreak: [...DEFAULT_TIE_BREAK],
        lotterySeed: 'jb-2020',
      },
      rows.map((r) => r.input),
    )
    const by = new Map(result.applications.map((a) => [a.ref, a]))
    tt.same(
      ['JB-A', 'JB-C', 'JB-B', 'JB-D'].map((ref) => [ref, by.get(ref)?.rank, by.get(ref)?.outcome]),
      [
        ['JB-A', 1, 'placed'],
        ['JB-C', 2, 'placed'],
        ['JB-B', 3, 'placed'],
        ['JB-D', 4, 'quota_exhausted'],
      ],
    )
    tt.same(by.get('JB-D')?.refusals, [
      { preferenceRank: 1, unit: 'quota', refusal: 'below_cutoff', cutoffRank: 3 },
    ])
    tt.equal(by.get('JB-E')?.outcome, 'gate_failed')
    tt.equal(by.get('JB-E')?.gate?.id, 'below_threshold')
    tt.equal(by.get('JB-E')?.gate?.reason, '积分 9，门槛 10：未达到')
    tt.equal(by.get('JB-F')?.outcome, 'gate_failed')
    tt.equal(by.get('JB-F')?.gate?.id, 'no_crime_record')
    tt.match(by.get('JB-F')?.gate?.reason, /违法犯罪记录/)
    tt.same(result.units[0].cutoff?.ref, 'JB-B')
    tt.same(result.units[0].cutoff?.points, 120_000)
    tt.same(result.units[0].cutoff?.tieBreak.slice(0, 2), [
      { key: 'points', value: 120_000 },
      { key: 'insuranceMonths', value: 47 },
    ])
    tt.match(result.summary, {
      applications: 6,
      ranked: 4,
      placed: 3,
      gateFailed: 2,
      belowCutoff: 1,
      seatsLeft: 0,
    })
  },
)

t.test('quota refusals: no points in force, and points not usable', async (tt) => {
  // no points table in force (deps.points null) → no_points, with the settlement result's reason
  const none = evaluateSettlement(table, person('2018-01'), ctx, { points: null })
  tt.same(quotaRefusal(none), {
    id: 'no_points',
    label: '计算日有适用的积分',
    reason: '计算日没有适用的积分表，无法计算积分',
  })
  // 15 ≥ 10 and every gate passes, but the points are frozen → points_not_usable
  const frozen = evaluateSettlement(table, person('2018-01'), ctx, {
    points: { total: 15, eligible: false, frozenUntil: '2021-03-01', ruleset: oldScale },
  })
  tt.equal(quotaRefusal(frozen)?.id, 'points_not_usable')
  tt.match(quotaRefusal(frozen)?.reason, /冻结/)
  // 15, usable, gates pass → no refusal
  const ok = evaluateSettlement(table, person('2018-01'), ctx, {
    points: { total: 15, eligible: true, frozenUntil: null, ruleset: oldScale },
  })
  tt.equal(quotaRefusal(ok), null)
})
