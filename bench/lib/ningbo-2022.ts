// The 2022 Ningbo points rules (policy.md §3.1–3.2) for the engine benchmark beside the shipped table: as
// hand-written reference code, as json-rules-engine rules and as a @gorules/zen-engine decision graph. All
// three read the same pre-derived facts (HandFacts), derived here independently of scoring/.
import type { RuleProperties } from 'json-rules-engine'
import type { Applicant } from '../../schema/applicant.ts'

// ---------------------------------------------------------------- facts, derived by hand

/** The numeric facts the peers (and the reference) read; derived once per applicant, outside timing. */
export interface HandFacts {
  age: number
  /** index in none..doctorate: 5 = junior_college, 6 = bachelor */
  edu: number
  /** best (lowest) skill level 1–5; 0 = none */
  skillLevel: number
  /** highest title: 0 none, 1 junior, 2 intermediate, 3 deputy_senior, 4 senior */
  titleGrade: number
  special: boolean
  insMonths: number
  resInZhejiang: boolean
  resMonths: number
  empRunMonths: number
  housingKind: string
  housingInNingbo: boolean
  housingOwnedBySelfOrSpouse: boolean
  shortage: boolean
  tax: number
  hired: number
  inventions: number
  utility: number
  /** highest honour: 0 none, 1 district, 2 city, 3 provincial, 4 national */
  honour: number
  welfareHours: number
  blood: number
  organ: string
  dishonesty: number
  crime: number
}

type Ymd = [number, number, number]
const ymd = (s: string): Ymd => [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))]
const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const dim = (y: number, m: number): number =>
  m === 2 ? (leap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31
const key = (d: Ymd): number => d[0] * 10_000 + d[1] * 100 + d[2]
/** Days since 1970-01-01 (H. Hinnant's days_from_civil), and back. */
function civil(d: Ymd): number {
  const y = d[1] <= 2 ? d[0] - 1 : d[0]
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (d[1] + (d[1] > 2 ? -3 : 9)) + 2) / 5) + d[2] - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}
function fromCivil(z0: number): Ymd {
  const z = z0 + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}
/** Whole months from a to b: a + m months (day clamped to the month's end) must not pass b. */
function fullMonths(a: Ymd, b: Ymd): number {
  if (key(b) < key(a)) return 0
  let m = (b[0] - a[0]) * 12 + (b[1] - a[1])
  if (Math.min(a[2], dim(b[0], b[1])) > b[2]) m--
  return Math.max(0, m)
}
/** Same date n years later; 29 Feb becomes 28 Feb in a common year. */
function plusYears(d: Ymd, n: number): Ymd {
  return [d[0] + n, d[1], Math.min(d[2], dim(d[0] + n, d[1]))]
}
const inZhejiang = (r: string | null | undefined): boolean => r?.startsWith('33') === true
const inNingbo = (r: string | null | undefined): boolean => r?.startsWith('3302') === true
const TITLES = ['junior', 'intermediate', 'deputy_senior', 'senior']
const HONOURS = ['district', 'city', 'provincial', 'national']
const EDU = [
  'none',
  'primary',
  'junior',
  'senior',
  'vocational_secondary',
  'junior_college',
  'bachelor',
  'master',
  'doctorate',
]

/** The start of the current residence count: registration, or the latest late permit endorsement after it. */
function residenceStart(
  since: Ymd,
  permit: { issuedOn: string; endorsements: string[] } | null,
  at: Ymd,
): Ymd {
  if (permit === null || key(ymd(permit.issuedOn)) > key(at)) return since
  let expiry = plusYears(ymd(permit.issuedOn), 1) // first day no longer valid
  let lastLate: Ymd | null = null
  const es = permit.endorsements.map(ymd).filter((e) => key(e) <= key(at))
  es.sort((x, y) => key(x) - key(y))
  for (const e of es) {
    if (key(e) >= key(expiry)) {
      lastLate = e // late: suspended until now; valid a year from today, and the count restarts
      expiry = plusYears(e, 1)
    } else if (key(e) >= key(plusYears(expiry, -1))) {
      expiry = plusYears(expiry, 1) // on time, within the current validity year
    }
  }
  return lastLate !== null && key(lastLate) > key(since) ? lastLate : since
}

/** Derives the facts the 2022 rules read, straight from the policy text, without scoring/. */
export function handFacts(a: Applicant, asOf: string): HandFacts {
  const at = ymd(asOf)
  const b = ymd(a.birthDate)
  const birthday = [at[0], b[1], Math.min(b[2], dim(at[0], b[1]))] as Ymd
  const age = at[0] - b[0] - (key(at) < key(birthday) ? 1 : 0)

  let skillLevel = 0
  let titleGrade = 0
  let special = false
  for (const s of a.skills) {
    if (s.kind === 'skill_level') skillLevel = skillLevel === 0 ? s.level : Math.min(skillLevel, s.level)
    else if (s.kind === 'title') titleGrade = Math.max(titleGrade, TITLES.indexOf(s.grade) + 1)
    else special = true
  }

  const lastMonth = at[0] * 12 + at[1] - 1
  const months = new Set<number>()
  for (const p of a.socialInsurance) {
    if (!inZhejiang(p.region)) continue
    const from = Number(p.from.slice(0, 4)) * 12 + Number(p.from.slice(5, 7)) - 1
    const to =
      p.to === null
        ? lastMonth
        : Math.min(lastMonth, Number(p.to.slice(0, 4)) * 12 + Number(p.to.slice(5, 7)) - 1)
    for (let m = from; m <= to; m++) months.add(m)
  }

  const r = a.residence
  const registered = r !== null && key(ymd(r.registeredSince)) <= key(at)
  const resMonths = registered && r ? fullMonths(residenceStart(ymd(r.registeredSince), r.permit, at), at) : 0

  // continuous Ningbo employment up to the as-of date: contracts back to back (next day) join
  const asOfDay = civil(at)
  const spans = a.employment
    .filter((e) => inNingbo(e.region))
    .map(
      (e) =>
        [civil(ymd(e.from)), Math.min(e.to === null ? asOfDay : civil(ymd(e.to)), asOfDay)] as [
          number,
          number,
        ],
    )
    .filter(([f, t]) => t >= f)
    .sort((x, y) => x[0] - y[0])
  let runStart: number | null = null
  let runEnd = Number.NEGATIVE_INFINITY
  for (const [f, t] of spans) {
    if (runStart === null || f > runEnd + 1) runStart = f
    runEnd = Math.max(runEnd, t)
  }
  const empRunMonths =
    runStart !== null && runEnd === asOfDay ? fullMonths(fromCivil(runStart), fromCivil(asOfDay + 1)) : 0

  const h = a.housing
  const housingKind = h?.kind ?? 'none'
  let dishonesty = 0
  let crime = 0
  for (const rec of a.records) {
    if (key(ymd(rec.date)) > key(at)) continue
    if (rec.kind === 'dishonesty') dishonesty++
    else if (rec.kind === 'crime') crime++
  }
  const c = a.cityItems
  return {
    age,
    edu: EDU.indexOf(a.education),
    skillLevel,
    titleGrade,
    special,
    insMonths: months.size,
    resInZhejiang: registered && inZhejiang(r?.region),
    resMonths,
    empRunMonths,
    housingKind,
    housingInNingbo: housingKind !== 'none' && inNingbo(h?.region),
    housingOwnedBySelfOrSpouse: housingKind === 'owned' && (h?.owner === 'self' || h?.owner === 'spouse'),
    shortage: c.shortageOccupation,
    tax: c.yearlyTaxYuan,
    hired: c.insuredEmployeesHired,
    inventions: c.inventionPatents,
    utility: c.utilityPatents,
    honour: c.honours.reduce((m, x) => Math.max(m, HONOURS.indexOf(x) + 1), 0),
    welfareHours: c.publicWelfareHours,
    blood: c.bloodDonations,
    organ: c.organDonation,
    dishonesty,
    crime,
  }
}

// ---------------------------------------------------------------- the reference: the rules as plain code

export const ITEM_IDS = [
  'age',
  'education',
  'skills',
  'social_insurance',
  'residence',
  'employment',
  'housing',
  'shortage_occupation',
  'investment_tax',
  'job_creation',
  'inventions',
  'honours',
  'public_welfare',
  'blood_donation',
  'organ_donation',
] as const
export type ItemId = (typeof ITEM_IDS)[number]
const PROVINCIAL: ReadonlySet<ItemId> = new Set([
  'age',
  'education',
  'skills',
  'social_insurance',
  'residence',
])
export const ITEM_CAPS: Record<ItemId, number> = {
  age: 20,
  education: 10,
  skills: 10,
  social_insurance: 30,
  residence: 30,
  employment: 10,
  housing: 20,
  shortage_occupation: 10,
  investment_tax: 20,
  job_creation: 20,
  inventions: 15,
  honours: 20,
  public_welfare: 15,
  blood_donation: 10,
  organ_donation: 10,
}

export interface Score {
  items: Record<ItemId, number>
  provincial: number
  city: number
  deducted: number
  total: number
}

/** Layer caps and deductions over capped item points (shared by the reference and json-rules-engine). */
export function totals(items: Record<ItemId, number>, f: HandFacts): Score {
  let p = 0
  let c = 0
  for (const id of ITEM_IDS) {
    const pts = Math.min(items[id], ITEM_CAPS[id])
    items[id] = pts
    if (PROVINCIAL.has(id)) p += pts
    else c += pts
  }
  const provincial = Math.min(p, 100)
  const city = Math.min(c, 150)
  const deducted = f.dishonesty * 10 + f.crime * 30
  return { items, provincial, city, deducted, total: provincial + city - deducted }
}

/** The rules of policy.md §3.1–3.2 written out by hand: the oracle the three engines are checked against. */
export function referenceScore(f: HandFacts): Score {
  const age =
    f.age >= 18 && f.age <= 40
      ? 20
      : f.age >= 41 && f.age <= 54
        ? 19 - (f.age - 41)
        : f.age >= 55 && f.age <= 60
          ? 5
          : 0
  const education = f.edu >= 6 ? 10 : f.edu === 5 ? 8 : 5
  const lvl = f.skillLevel
  const skills =
    (lvl >= 1 && lvl <= 2) || f.titleGrade >= 2
      ? 10
      : lvl === 3 || f.titleGrade === 1
        ? 8
        : lvl === 4
          ? 5
          : lvl === 5 || f.special
            ? 3
            : 0
  const housing = !f.housingInNingbo
    ? 0
    : f.housingKind === 'owned'
      ? f.housingOwnedBySelfOrSpouse
        ? 20
        : 0
      : ['dormitory', 'public_rental', 'registered_rental'].includes(f.housingKind)
        ? 10
        : 0
  return totals(
    {
      age,
      education,
      skills,
      social_insurance: f.insMonths * 0.5,
      residence: f.resInZhejiang ? f.resMonths * 0.25 : 0,
      employment: f.empRunMonths >= 12 ? 10 : 0,
      housing,
      shortage_occupation: f.shortage ? 10 : 0,
      investment_tax: f.tax >= 200_000 ? 20 : f.tax >= 50_000 ? 10 : f.tax >= 10_000 ? 5 : 0,
      job_creation: f.hired,
      inventions: f.inventions * 5 + f.utility * 2,
      honours: [0, 5, 10, 15, 20][f.honour],
      public_welfare: Math.floor(f.welfareHours / 20),
      blood_donation: f.blood * 2,
      organ_donation: f.organ === 'donated' ? 10 : f.organ === 'registered' ? 5 : 0,
    },
    f,
  )
}

// ---------------------------------------------------------------- json-rules-engine: one rule per item or tier

type JreEvent =
  | { type: 'tier'; params: { item: ItemId; points: number } }
  | {
      type: 'linear'
      params: { item: ItemId; fact: keyof HandFacts; from: number; base: number; slope: number }
    }
  | { type: 'perUnit'; params: { item: ItemId; fact: keyof HandFacts; points: number; per: number } }

const cmp = (fact: keyof HandFacts, operator: string, value: unknown) => ({ fact, operator, value })
const tier = (item: ItemId, points: number, conditions: RuleProperties['conditions']): RuleProperties => ({
  name: `${item}:${points}`,
  conditions,
  event: { type: 'tier', params: { item, points } },
})
const perUnit = (
  item: ItemId,
  fact: keyof HandFacts,
  points: number,
  per = 1,
  extra: object[] = [],
): RuleProperties => ({
  name: `${item}:${fact}`,
  conditions: { all: [cmp(fact, 'greaterThan', 0), ...(extra as ReturnType<typeof cmp>[])] },
  event: { type: 'perUnit', params: { item, fact, points, per } },
})
const range = (fact: keyof HandFacts, lo: number, hi: number) => ({
  all: [cmp(fact, 'greaterThanInclusive', lo), cmp(fact, 'lessThanInclusive', hi)],
})

/** Highest-only items fire one event per tier met; the sum keeps the best, caps items and layers, deducts. */
export const JRE_RULES: RuleProperties[] = [
  tier('age', 20, range('age', 18, 40)),
  {
    name: 'age:41-54',
    conditions: range('age', 41, 54),
    event: { type: 'linear', params: { item: 'age', fact: 'age', from: 41, base: 19, slope: -1 } },
  },
  tier('age', 5, range('age', 55, 60)),
  tier('education', 10, { all: [cmp('edu', 'greaterThanInclusive', 6)] }),
  tier('education', 8, { all: [cmp('edu', 'equal', 5)] }),
  tier('education', 5, { all: [cmp('edu', 'lessThan', 5)] }),
  tier('skills', 10, { any: [range('skillLevel', 1, 2), cmp('titleGrade', 'greaterThanInclusive', 2)] }),
  tier('skills', 8, { any: [cmp('skillLevel', 'equal', 3), cmp('titleGrade', 'equal', 1)] }),
  tier('skills', 5, { all: [cmp('skillLevel', 'equal', 4)] }),
  tier('skills', 3, { any: [cmp('skillLevel', 'equal', 5), cmp('special', 'equal', true)] }),
  perUnit('social_insurance', 'insMonths', 0.5),
  perUnit('residence', 'resMonths', 0.25, 1, [cmp('resInZhejiang', 'equal', true)]),
  tier('employment', 10, { all: [cmp('empRunMonths', 'greaterThanInclusive', 12)] }),
  tier('housing', 20, {
    all: [
      cmp('housingKind', 'equal', 'owned'),
      cmp('housingOwnedBySelfOrSpouse', 'equal', true),
      cmp('housingInNingbo', 'equal', true),
    ],
  }),
  tier('housing', 10, {
    all: [
      cmp('housingKind', 'in', ['dormitory', 'public_rental', 'registered_rental']),
      cmp('housingInNingbo', 'equal', true),
    ],
  }),
  tier('shortage_occupation', 10, { all: [cmp('shortage', 'equal', true)] }),
  tier('investment_tax', 20, { all: [cmp('tax', 'greaterThanInclusive', 200_000)] }),
  tier('investment_tax', 10, { all: [cmp('tax', 'greaterThanInclusive', 50_000)] }),
  tier('investment_tax', 5, { all: [cmp('tax', 'greaterThanInclusive', 10_000)] }),
  perUnit('job_creation', 'hired', 1),
  perUnit('inventions', 'inventions', 5),
  perUnit('inventions', 'utility', 2),
  tier('honours', 20, { all: [cmp('honour', 'equal', 4)] }),
  tier('honours', 15, { all: [cmp('honour', 'equal', 3)] }),
  tier('honours', 10, { all: [cmp('honour', 'equal', 2)] }),
  tier('honours', 5, { all: [cmp('honour', 'equal', 1)] }),
  perUnit('public_welfare', 'welfareHours', 1, 20),
  perUnit('blood_donation', 'blood', 2),
  tier('organ_donation', 10, { all: [cmp('organ', 'equal', 'donated')] }),
  tier('organ_donation', 5, { all: [cmp('organ', 'equal', 'registered')] }),
]

const zeroItems = (): Record<ItemId, number> => ({
  age: 0,
  education: 0,
  skills: 0,
  social_insurance: 0,
  residence: 0,
  employment: 0,
  housing: 0,
  shortage_occupation: 0,
  investment_tax: 0,
  job_creation: 0,
  inventions: 0,
  honours: 0,
  public_welfare: 0,
  blood_donation: 0,
  organ_donation: 0,
})

/** The json-rules-engine encoding's final step: the score from the events fired. */
export function jreScore(
  events: readonly { type: string; params?: Record<string, unknown> }[],
  f: HandFacts,
): Score {
  const items = zeroItems()
  for (const raw of events) {
    const e = raw as JreEvent
    const p = e.params
    if (e.type === 'tier') items[p.item] = Math.max(items[p.item], e.params.points)
    else if (e.type === 'linear') {
      items[p.item] = Math.max(
        items[p.item],
        e.params.base + e.params.slope * ((f[e.params.fact] as number) - e.params.from),
      )
    } else items[p.item] += Math.floor((f[e.params.fact] as number) / e.params.per) * e.params.points
  }
  return totals(items, f)
}

// ---------------------------------------------------------------- zen: one decision graph

let nodeSeq = 0
const at = () => ({ x: 300 * nodeSeq, y: 100 })
function table(name: string, inputs: string[], output: string, rows: (string | undefined)[][]): object {
  nodeSeq++
  const ins = inputs.map((field, i) => ({ id: `${name}_i${i}`, name: field, field }))
  return {
    id: name,
    type: 'decisionTableNode',
    name,
    position: at(),
    content: {
      hitPolicy: 'first',
      passThrough: true,
      inputField: null,
      outputPath: null,
      executionMode: 'single',
      inputs: ins,
      outputs: [{ id: `${name}_o`, name: output, field: output }],
      rules: rows.map((row, r) => {
        const rule: Record<string, string> = { _id: `${name}_r${r}` }
        ins.forEach((inp, i) => {
          rule[inp.id] = row[i] ?? ''
        })
        rule[`${name}_o`] = row[row.length - 1] as string
        return rule
      }),
    },
  }
}

/**
 * One JSON decision model: first-hit decision tables (ordered best first) for the highest-only and
 * banded items, then one expression node for per-unit items, item caps, layer caps, deductions and total.
 */
export function zenGraph(): object {
  nodeSeq = 0
  const tables = [
    table('age', ['age'], 'p.age', [
      ['[18..40]', '20'],
      ['[41..54]', '19 - (age - 41)'],
      ['[55..60]', '5'],
      ['', '0'],
    ]),
    table('education', ['edu'], 'p.education', [
      ['>= 6', '10'],
      ['5', '8'],
      ['', '5'],
    ]),
    table('skills', ['skillLevel', 'titleGrade', 'special'], 'p.skills', [
      ['[1..2]', '', '', '10'],
      ['', '>= 2', '', '10'],
      ['3', '', '', '8'],
      ['', '1', '', '8'],
      ['4', '', '', '5'],
      ['5', '', '', '3'],
      ['', '', 'true', '3'],
      ['', '', '', '0'],
    ]),
    table('employment', ['empRunMonths'], 'p.employment', [
      ['>= 12', '10'],
      ['', '0'],
    ]),
    table('housing', ['housingKind', 'housingOwnedBySelfOrSpouse', 'housingInNingbo'], 'p.housing', [
      ['"owned"', 'true', 'true', '20'],
      ['"dormitory", "public_rental", "registered_rental"', '', 'true', '10'],
      ['', '', '', '0'],
    ]),
    table('tax', ['tax'], 'p.tax', [
      ['>= 200000', '20'],
      ['>= 50000', '10'],
      ['>= 10000', '5'],
      ['', '0'],
    ]),
    table('honours', ['honour'], 'p.honours', [
      ['4', '20'],
      ['3', '15'],
      ['2', '10'],
      ['1', '5'],
      ['', '0'],
    ]),
    table('organ', ['organ'], 'p.organ', [
      ['"donated"', '10'],
      ['"registered"', '5'],
      ['', '0'],
    ]),
  ]
  nodeSeq++
  const exprs: [string, string][] = [
    ['age', 'min([p.age, 20])'],
    ['education', 'min([p.education, 10])'],
    ['skills', 'min([p.skills, 10])'],
    ['social_insurance', 'min([insMonths * 0.5, 30])'],
    ['residence', 'resInZhejiang ? min([resMonths * 0.25, 30]) : 0'],
    ['employment', 'p.employment'],
    ['housing', 'p.housing'],
    ['shortage_occupation', 'shortage ? 10 : 0'],
    ['investment_tax', 'p.tax'],
    ['job_creation', 'min([hired, 20])'],
    ['inventions', 'min([inventions * 5 + utility * 2, 15])'],
    ['honours', 'p.honours'],
    ['public_welfare', 'min([floor(welfareHours / 20), 15])'],
    ['blood_donation', 'min([blood * 2, 10])'],
    ['organ_donation', 'p.organ'],
    ['provincial', 'min([$.age + $.education + $.skills + $.social_insurance + $.residence, 100])'],
    [
      'city',
      'min([$.employment + $.housing + $.shortage_occupation + $.investment_tax + $.job_creation + $.inventions + $.honours + $.public_welfare + $.blood_donation + $.organ_donation, 150])',
    ],
    ['deducted', 'dishonesty * 10 + crime * 30'],
    ['total', '$.provincial + $.city - $.deducted'],
  ]
  const sum = {
    id: 'sum',
    type: 'expressionNode',
    name: 'sum',
    position: at(),
    content: {
      passThrough: false,
      expressions: exprs.map(([k, v], i) => ({ id: `x${i}`, key: k, value: v })),
    },
  }
  const nodes = [
    { id: 'in', type: 'inputNode', name: 'request', position: { x: 0, y: 0 }, content: {} },
    ...tables,
    sum,
    {
      id: 'out',
      type: 'outputNode',
      name: 'response',
      position: { x: 300 * (nodeSeq + 1), y: 0 },
      content: {},
    },
  ] as { id: string }[]
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i}`, sourceId: nodes[i].id, targetId: n.id, type: 'edge' }))
  return { nodes, edges }
}

/**
 * The same rules as one expression node (ternaries for the tiers): fewer nodes, so less work per
 * evaluation inside zen than the decision-table graph. The benchmark times both and compares with the faster.
 */
export function zenExpressionGraph(): object {
  const exprs: [string, string][] = [
    [
      'age',
      'age >= 18 and age <= 40 ? 20 : (age >= 41 and age <= 54 ? 19 - (age - 41) : (age >= 55 and age <= 60 ? 5 : 0))',
    ],
    ['education', 'edu >= 6 ? 10 : (edu == 5 ? 8 : 5)'],
    [
      'skills',
      '(skillLevel >= 1 and skillLevel <= 2) or titleGrade >= 2 ? 10 : (skillLevel == 3 or titleGrade == 1 ? 8 : (skillLevel == 4 ? 5 : (skillLevel == 5 or special ? 3 : 0)))',
    ],
    ['social_insurance', 'min([insMonths * 0.5, 30])'],
    ['residence', 'resInZhejiang ? min([resMonths * 0.25, 30]) : 0'],
    ['employment', 'empRunMonths >= 12 ? 10 : 0'],
    [
      'housing',
      'not housingInNingbo ? 0 : (housingKind == "owned" ? (housingOwnedBySelfOrSpouse ? 20 : 0) : (housingKind in ["dormitory", "public_rental", "registered_rental"] ? 10 : 0))',
    ],
    ['shortage_occupation', 'shortage ? 10 : 0'],
    ['investment_tax', 'tax >= 200000 ? 20 : (tax >= 50000 ? 10 : (tax >= 10000 ? 5 : 0))'],
    ['job_creation', 'min([hired, 20])'],
    ['inventions', 'min([inventions * 5 + utility * 2, 15])'],
    ['honours', 'honour == 4 ? 20 : (honour == 3 ? 15 : (honour == 2 ? 10 : (honour == 1 ? 5 : 0)))'],
    ['public_welfare', 'min([floor(welfareHours / 20), 15])'],
    ['blood_donation', 'min([blood * 2, 10])'],
    ['organ_donation', 'organ == "donated" ? 10 : (organ == "registered" ? 5 : 0)'],
    ['provincial', 'min([$.age + $.education + $.skills + $.social_insurance + $.residence, 100])'],
    [
      'city',
      'min([$.employment + $.housing + $.shortage_occupation + $.investment_tax + $.job_creation + $.inventions + $.honours + $.public_welfare + $.blood_donation + $.organ_donation, 150])',
    ],
    ['deducted', 'dishonesty * 10 + crime * 30'],
    ['total', '$.provincial + $.city - $.deducted'],
  ]
  return {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'request', position: { x: 0, y: 0 }, content: {} },
      {
        id: 'score',
        type: 'expressionNode',
        name: 'score',
        position: { x: 300, y: 0 },
        content: {
          passThrough: false,
          expressions: exprs.map(([k, v], i) => ({ id: `x${i}`, key: k, value: v })),
        },
      },
      { id: 'out', type: 'outputNode', name: 'response', position: { x: 600, y: 0 }, content: {} },
    ],
    edges: [
      { id: 'e0', sourceId: 'in', targetId: 'score', type: 'edge' },
      { id: 'e1', sourceId: 'score', targetId: 'out', type: 'edge' },
    ],
  }
}
