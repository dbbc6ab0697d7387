// Fact group modules: the catalogue, index and group bits are generated from the list, and a fact without a derive entry (or the reverse) is refused.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { toDay } from '../../scoring/calendar.ts'
import {
  type AnyFactGroup,
  bool,
  buildCatalogue,
  compileDeriver,
  defineGroup,
  FactCatalogueError,
  num,
} from '../../scoring/facts/group.ts'
import { EDITION_1_PARAMETERS } from '../../scoring/facts/parameters.ts'
import {
  ALL_FACT_GROUPS,
  derivePersonFacts,
  factGroup,
  GROUP_BIT,
  groupsFor,
  HOUSEHOLD_FACTS,
  HOUSEHOLD_GROUPS,
  PERSON_FACTS,
  PERSON_GROUPS,
  PERSON_INDEX,
} from '../../scoring/facts.ts'

const ctx = {
  at: toDay('2026-04-30'),
  jurisdiction: '330212',
  districtPrefix: '330212',
  lastMonth: 0,
  params: EDITION_1_PARAMETERS,
}

/** A tiny subject, so that the checks are seen on groups of their own. */
type Subject = { n: number }
const good = defineGroup<Subject, number>({
  name: 'good',
  facts: [num('good.n', 'n'), bool('good.positive', 'n > 0')],
  prepare: (s) => s.n,
  derive: { 'good.n': (n) => n, 'good.positive': (n) => (n > 0 ? 1 : 0) },
})

t.test('a fact declared without a derive entry is refused at load', async (t) => {
  const missing = defineGroup<Subject, number>({
    name: 'missing',
    facts: [num('missing.a', 'a'), num('missing.b', 'b')],
    prepare: (s) => s.n,
    derive: { 'missing.a': (n) => n },
  })
  t.throws(
    () => buildCatalogue([good, missing]),
    new FactCatalogueError('fact "missing.b" of group "missing" has no derive entry'),
  )
})

t.test('a derive entry for a fact the group does not declare is refused at load', async (t) => {
  const extra = defineGroup<Subject, number>({
    name: 'extra',
    facts: [num('extra.a', 'a')],
    prepare: (s) => s.n,
    derive: { 'extra.a': (n) => n, 'extra.typo': (n) => n },
  })
  t.throws(
    () => buildCatalogue([good, extra]),
    new FactCatalogueError('fact group "extra" derives "extra.typo", which it does not declare'),
  )
})

t.test('a fact or a group declared twice is refused', async (t) => {
  const again = defineGroup<Subject, number>({
    name: 'again',
    facts: [num('good.n', 'n again')],
    prepare: (s) => s.n,
    derive: { 'good.n': (n) => n },
  })
  t.throws(() => buildCatalogue([good, again]), /fact "good.n" is declared twice/)
  t.throws(() => buildCatalogue([good, good]), /fact group "good" is declared twice/)
})

t.test('more groups than a mask has bits are refused', async (t) => {
  const many = Array.from({ length: 31 }, (_, i) =>
    defineGroup<Subject, number>({ name: `g${i}`, facts: [], prepare: (s) => s.n, derive: {} }),
  )
  t.throws(() => buildCatalogue(many), /at most 30 fact groups/)
})

t.test('a catalogue: facts in list order, one bit per group, derivation by mask', async (t) => {
  const other = defineGroup<Subject, number>({
    name: 'other',
    facts: [num('other.double', '2n')],
    prepare: (s) => s.n * 2,
    derive: { 'other.double': (d) => d },
  })
  const c = buildCatalogue([good, other])
  t.same(
    c.defs.map((d) => d.name),
    ['good.n', 'good.positive', 'other.double'],
  )
  t.same(
    [...c.bits],
    [
      ['good', 1],
      ['other', 2],
    ],
  )
  t.equal(c.all, 3)
  t.equal(c.groupOf.get('other.double'), 'other')
  const derive = compileDeriver(c)
  const unknown = () => [Number.NaN, Number.NaN, Number.NaN]
  t.same(derive(unknown(), { n: 5 }, ctx, 3), [5, 1, 10])
  // only the second group: the first stays unknown, and its prepare is not called
  t.same(derive(unknown(), { n: -2 }, ctx, 2), [Number.NaN, Number.NaN, -4])
})

t.test('the shipped catalogue is generated from the group modules', async (t) => {
  const fromModules = (groups: readonly AnyFactGroup<never>[]) =>
    groups.flatMap((g) => g.facts.map((d) => d.name))
  t.same(
    PERSON_FACTS.map((d) => d.name),
    fromModules(PERSON_GROUPS),
  )
  t.same(
    HOUSEHOLD_FACTS.map((d) => d.name),
    fromModules(HOUSEHOLD_GROUPS),
  )
  t.same(
    [...GROUP_BIT.keys()],
    PERSON_GROUPS.map((g) => g.name),
  )
  t.equal(ALL_FACT_GROUPS, (1 << PERSON_GROUPS.length) - 1)
  for (const g of PERSON_GROUPS)
    for (const d of g.facts) {
      t.equal(factGroup(d.name), g.name, d.name)
      t.equal(groupsFor([d.name]), GROUP_BIT.get(g.name), d.name)
    }
  // a table's own district fact is in no group
  t.equal(groupsFor(['district.volunteer']), 0)
  // positions of facts that stored vectors and compiled rules depend on stay where they were
  t.equal(PERSON_INDEX.get('age'), 0)
  t.equal(PERSON_INDEX.get('records.veto.count'), PERSON_FACTS.length - 1)
})

t.test('deriving one group leaves the others unknown', async (t) => {
  const a = ApplicantSchema.parse({ birthDate: '1990-05-01', hukou: '330212' })
  const f = derivePersonFacts(a, toDay('2026-04-30'), '330212', GROUP_BIT.get('hukou'))
  t.equal(f[PERSON_INDEX.get('hukou.inDistrict')!], 1)
  t.ok(Number.isNaN(f[PERSON_INDEX.get('age')!]))
})
