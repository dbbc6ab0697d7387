// The simulation report on 20 hand-made applicants: Ningbo's city table against a draft that raises the skill item and lowers the residence cap.
import t from 'tap'
import { type Applicant, ApplicantSchema } from '../../schema/applicant.ts'
import type { Table } from '../../schema/table.ts'
import type { AllocationApplication, AllocationRound } from '../../scoring/allocation.ts'
import { compileTable } from '../../scoring/compile.ts'
import { score } from '../../scoring/schemes/points/index.ts'
import {
  compareRound,
  itemIdsOf,
  type SimulatedApplicant,
  simulatedOutcome,
  simulationReport,
} from '../../scoring/simulation.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

const base = loadShippedTables().find((x) => x.id === 'ningbo-points-2022')!
const inForce = compileTable(base)

/** The draft: skill tiers 10/8/5/3 → 15/12/8/5 (cap 10 → 15), residence cap 30 → 20. */
function draftOf(table: Table): Table {
  const copy = structuredClone(table)
  copy.id = 'ningbo-points-draft'
  for (const item of copy.items) {
    if (item.id === 'vocational_skills' && item.kind === 'tiers') {
      item.cap = 15
      const raised = [15, 12, 8, 5, 3]
      item.tiers.forEach((tier, i) => {
        tier.points = raised[i]
      })
    }
    if (item.id === 'residence') item.cap = 20
  }
  return copy
}
const draft = compileTable(draftOf(base))
const ctx = { asOf: '2026-04-30', jurisdiction: '330200' }

/**
 * Every applicant: born 1996 (30: age 20), junior college (8), insured in Ningbo since 2019-03
 * (86 months × 0.5 = 43, capped at 30), a labour contract since 2019 (employment 10) and a registered
 * rental (housing 10). So before = 58 + skill + min(0.25 r, 30) + 20 and after = 58 + skill' +
 * min(0.25 r, 20) + 20, with r the residence months (registered r months before 2026-04-15, the
 * permit endorsed yearly before each anniversary) and no layer cap reached (58 + 10 + 30 < 100,
 * 58 + 15 + 20 < 100). Skill (none / level 5 / 4 / 3 / 2): before 0/3/5/8/10, after 0/5/8/12/15.
 */
function applicant(skill: number | null, months: number): Applicant {
  const since = new Date(Date.UTC(2026, 3 - months, 15)).toISOString().slice(0, 10)
  const endorsements: string[] = []
  for (let y = Number(since.slice(0, 4)) + 1; `${y}${since.slice(4, 8)}05` <= ctx.asOf; y++)
    endorsements.push(`${y}${since.slice(4, 8)}05`)
  return ApplicantSchema.parse({
    birthDate: '1996-03-02',
    education: 'junior_college',
    skills: skill === null ? [] : [{ kind: 'skill_level', level: skill }],
    socialInsurance: [{ from: '2019-03', to: null, region: '330212', backPaid: false }],
    residence: { registeredSince: since, region: '330212', permit: { issuedOn: since, endorsements } },
    employment: [{ kind: 'labour_contract', from: '2019-03-01', to: null, region: '330212' }],
    housing: { kind: 'registered_rental', region: '330212', owner: null },
  })
}

//                 key     skill  r     before                          after                       change
const PEOPLE: [string, number | null, number][] = [
  ['a01', null, 40], //   58+0+10    = 68 → 88         58+0+10    → 88       0
  ['a02', null, 100], //  58+0+25    = 83 → 103        58+0+20    → 98      −5
  ['a03', null, 140], //  58+0+30    = 88 → 108        58+0+20    → 98     −10
  ['a04', 5, 20], //      58+3+5     = 66 → 86         58+5+5     → 88      +2
  ['a05', 5, 84], //      58+3+21    = 82 → 102        58+5+20    → 103     +1
  ['a06', 5, 120], //     58+3+30    = 91 → 111        58+5+20    → 103     −8
  ['a07', 4, 48], //      58+5+12    = 75 → 95         58+8+12    → 98      +3
  ['a08', 4, 92], //      58+5+23    = 86 → 106        58+8+20    → 106      0
  ['a09', 4, 130], //     58+5+30    = 93 → 113        58+8+20    → 106     −7
  ['a10', 3, 60], //      58+8+15    = 81 → 101        58+12+15   → 105     +4
  ['a11', 3, 86], //      58+8+21.5  = 87.5 → 107.5    58+12+20   → 110     +2.5
  ['a12', 3, 96], //      58+8+24    = 90 → 110        58+12+20   → 110      0
  ['a13', 3, 200], //     58+8+30    = 96 → 116        58+12+20   → 110     −6
  ['a14', 2, 24], //      58+10+6    = 74 → 94         58+15+6    → 99      +5
  ['a15', 2, 81], //      58+10+20.25 = 88.25 → 108.25 58+15+20   → 113     +4.75
  ['a16', 2, 104], //     58+10+26   = 94 → 114        58+15+20   → 113     −1
  ['a17', 2, 150], //     58+10+30   = 98 → 118        58+15+20   → 113     −5
  ['a18', null, 13], //   58+0+3.25  = 61.25 → 81.25   58+0+3.25  → 81.25    0
  ['a19', 5, 110], //     58+3+27.5  = 88.5 → 108.5    58+5+20    → 103     −5.5
  ['a20', 4, 70], //      58+5+17.5  = 80.5 → 100.5    58+8+17.5  → 103.5   +3
]

const population: SimulatedApplicant[] = PEOPLE.map(([key, skill, months]) => {
  const a = applicant(skill, months)
  return {
    key,
    before: simulatedOutcome(inForce, score(inForce, a, ctx)),
    after: simulatedOutcome(draft, score(draft, a, ctx)),
  }
})
const params = {
  itemsBefore: itemIdsOf(inForce),
  itemsAfter: itemIdsOf(draft),
  thresholds: [100, 110],
  top: 7,
}

t.test('the totals of the 20 applicants under both tables, as computed by hand', async (t) => {
  const before = [
    88, 103, 108, 86, 102, 111, 95, 106, 113, 101, 107.5, 110, 116, 94, 108.25, 114, 118, 81.25, 108.5, 100.5,
  ]
  const after = [
    88, 98, 98, 88, 103, 103, 98, 106, 106, 105, 110, 110, 110, 99, 113, 113, 113, 81.25, 103, 103.5,
  ]
  t.same(
    population.map((p) => p.before.total / 10_000),
    before,
  )
  t.same(
    population.map((p) => p.after.total / 10_000),
    after,
  )
})

t.test('histogram, crossings, top changes and item shares', async (t) => {
  const r = simulationReport(population, params)
  t.equal(r.applicants, 20)
  // unchanged: a01, a08, a12, a18
  t.equal(r.changed, 16)
  t.equal(r.unchanged, 4)
  // sums: before 2071 (= 400 age + 160 education + 600 insurance + 200 employment + 200 housing
  // + 104 skill + 407 residence), after 2048.75 (… + 160 skill + 328.75 residence); means /20
  t.same(r.totals, { sumBefore: 2071, sumAfter: 2048.75, meanBefore: 103.55, meanAfter: 102.4375 })
  t.same(r.eligibility, { before: 20, after: 20 })
  t.equal(r.binWidth, 10)
  /*
   * before: [80,90) 88 86 81.25 = 3; [90,100) 95 94 = 2;
   *         [100,110) 103 108 102 106 101 107.5 108.25 108.5 100.5 = 9; [110,120) 111 113 110 116 114 118 = 6
   * after:  [80,90) 88 88 81.25 = 3; [90,100) 98 98 98 99 = 4;
   *         [100,110) 103 103 106 106 105 103 103.5 = 7; [110,120) 110 110 110 113 113 113 = 6
   */
  t.same(r.histogram, [
    { from: 80, to: 90, before: 3, after: 3 },
    { from: 90, to: 100, before: 2, after: 4 },
    { from: 100, to: 110, before: 9, after: 7 },
    { from: 110, to: 120, before: 6, after: 6 },
  ])
  /*
   * 100: at or above 15 before, 13 after; up none (a07 95→98, a14 94→99 stay below);
   *      down a02 103→98, a03 108→98 = 2.
   * 110: 6 before (a06 a09 a12 a13 a16 a17), 6 after (a11 a12 a13 a15 a16 a17);
   *      up a11 107.5→110 (110 counts as reached), a15 108.25→113 = 2; down a06 111→103, a09 113→106 = 2.
   */
  t.same(r.thresholds, [
    { threshold: 100, atOrAboveBefore: 15, atOrAboveAfter: 13, up: 0, down: 2 },
    { threshold: 110, atOrAboveBefore: 6, atOrAboveAfter: 6, up: 2, down: 2 },
  ])
  // gains: +5 a14, +4.75 a15, +4 a10, +3 a07 and a20 (tie: by key), +2.5 a11, +2 a04; the 8th, a05 +1, is cut
  t.same(
    r.gains.map((g) => [g.key, g.change]),
    [
      ['a14', 5],
      ['a15', 4.75],
      ['a10', 4],
      ['a07', 3],
      ['a20', 3],
      ['a11', 2.5],
      ['a04', 2],
    ],
  )
  // losses: −10 a03, −8 a06, −7 a09, −6 a13, −5.5 a19, −5 a02 and a17 (by key); the 8th, a16 −1, is cut
  t.same(
    r.losses.map((g) => [g.key, g.change]),
    [
      ['a03', -10],
      ['a06', -8],
      ['a09', -7],
      ['a13', -6],
      ['a19', -5.5],
      ['a02', -5],
      ['a17', -5],
    ],
  )
  // a14: only skill moved (10 → 15; residence 6 under both caps); a15: skill 10 → 15 and residence 20.25 → 20
  t.same(r.gains[0], {
    key: 'a14',
    before: 94,
    after: 99,
    change: 5,
    items: [{ id: 'vocational_skills', before: 10, after: 15, change: 5 }],
  })
  t.same(r.gains[1].items, [
    { id: 'vocational_skills', before: 10, after: 15, change: 5 },
    { id: 'residence', before: 20.25, after: 20, change: -0.25 },
  ])
  t.same(r.losses[0].items, [{ id: 'residence', before: 30, after: 20, change: -10 }])
  /*
   * shares of all item points, basis points half up:
   *   skill     104 / 2071 = 502.17 → 5.02 %;  160 / 2048.75 = 780.96 → 7.81 %  (+2.79)
   *   residence 407 / 2071 = 1965.23 → 19.65 %; 328.75 / 2048.75 = 1604.64 → 16.05 % (−3.60)
   *   age       400 / 2071 = 1931.43 → 19.31 %; 400 / 2048.75 = 1952.41 → 19.52 % (+0.21)
   */
  const item = (id: string) => r.items.find((i) => i.id === id)
  t.same(item('vocational_skills'), {
    id: 'vocational_skills',
    pointsBefore: 104,
    pointsAfter: 160,
    shareBefore: 5.02,
    shareAfter: 7.81,
    shareChange: 2.79,
  })
  t.same(item('residence'), {
    id: 'residence',
    pointsBefore: 407,
    pointsAfter: 328.75,
    shareBefore: 19.65,
    shareAfter: 16.05,
    shareChange: -3.6,
  })
  t.same(item('age'), {
    id: 'age',
    pointsBefore: 400,
    pointsAfter: 400,
    shareBefore: 19.31,
    shareAfter: 19.52,
    shareChange: 0.21,
  })
  t.same(
    r.items.map((i) => i.id),
    itemIdsOf(inForce),
    'the items in the table’s order',
  )
})

t.test('a bin width of 25: bins are [from, to) and 100 falls in [100, 125)', async (t) => {
  const r = simulationReport(population, { ...params, binWidth: 25 })
  // before: [75,100) 88 86 95 94 81.25 = 5; [100,125) the other 15. after: [75,100) 88 98 98 88 98 99 81.25 = 7; 13
  t.same(r.histogram, [
    { from: 75, to: 100, before: 5, after: 7 },
    { from: 100, to: 125, before: 15, after: 13 },
  ])
  t.throws(() => simulationReport(population, { ...params, binWidth: 0 }), RangeError)
})

t.test('deterministic: a shuffled population gives the identical report', async (t) => {
  const expected = JSON.stringify(simulationReport(population, params))
  let seed = 7
  for (let round = 0; round < 5; round++) {
    const shuffled = [...population]
    for (let i = shuffled.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      const j = seed % (i + 1)
      ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
    }
    t.equal(JSON.stringify(simulationReport(shuffled, params)), expected)
  }
})

t.test('an empty population: zeros, no bins', async (t) => {
  const r = simulationReport([], params)
  t.same(r.histogram, [])
  t.equal(r.totals.meanBefore, 0)
  t.same(r.gains, [])
})

t.test('a round under both tables: who changes placement and how cut-offs move', async (t) => {
  // two schools of 2 and 1 seats, everyone lists A then B; the 4 ranked by points take A, A, B.
  const round: AllocationRound = {
    units: [
      { id: 'A', name: 'School A', seats: 2 },
      { id: 'B', name: 'School B', seats: 1 },
    ],
    cutoffScope: 'school',
    tieBreak: ['points'],
    lotterySeed: '',
  }
  const app = (ref: string, points: number): AllocationApplication => ({
    ref,
    eligible: true,
    failedGate: null,
    tier: null,
    points: points * 10_000,
    insuranceMonths: 0,
    residenceMonths: 0,
    appliedAt: null,
    preferences: ['A', 'B'],
  })
  // four of the applicants above, with their totals under each table:
  //   before a17 118, a13 116 in A (cut-off 116), a06 111 in B, a15 108.25 out;
  //   after  a17 113, a15 113 (tie on points: ref a15 < a17 first) in A, a13 110 in B (cut-off 110), a06 103 out.
  const before = [app('a17', 118), app('a13', 116), app('a06', 111), app('a15', 108.25)]
  const after = [app('a17', 113), app('a13', 110), app('a06', 103), app('a15', 113)]
  const c = compareRound(round, before, after)
  t.same(c.changes, [
    { ref: 'a06', before: 'B', after: null, change: 'placed_to_not' },
    { ref: 'a13', before: 'A', after: 'B', change: 'school_changed' },
    { ref: 'a15', before: null, after: 'A', change: 'not_to_placed' },
  ])
  t.same([c.placedBefore, c.placedAfter, c.placedToNot, c.notToPlaced, c.schoolChanged], [3, 3, 1, 1, 1])
  t.same(c.cutoffs, [
    { unit: 'A', name: 'School A', seats: 2, before: 116, after: 113, rankBefore: 2, rankAfter: 2 },
    { unit: 'B', name: 'School B', seats: 1, before: 111, after: 110, rankBefore: 3, rankAfter: 3 },
  ])
})
