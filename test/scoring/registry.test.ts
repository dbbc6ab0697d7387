// Table selection by as-of date and jurisdiction chain (district → city → province).
import t from 'tap'
import { type Table, TableSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { NoTableInForceError, TableRegistry } from '../../scoring/registry.ts'

const tbl = (
  id: string,
  jurisdiction: string,
  validFrom: string,
  validTo: string | null = null,
  more = {},
): Table =>
  TableSchema.parse({
    id,
    version: 1,
    scheme: 'points',
    jurisdiction,
    title: id,
    validFrom,
    validTo,
    ref: 'r',
    ...more,
  })

const registry = new TableRegistry([
  tbl('zhejiang-2022', '330000', '2022-04-01'),
  tbl('ningbo-2022', '330200', '2022-04-01'),
  tbl('ningbo-2024', '330200', '2024-01-01'),
  tbl('yinzhou-2022', '330212', '2022-04-01', '2023-12-31'),
  tbl('beilun-2021', '330206', '2021-01-01', '2022-03-31'),
  tbl('settle-ningbo', '330200', '2020-01-01', null, { scheme: 'settlement' }),
  tbl('haishu-v1', '330203', '2022-04-01'),
  tbl('haishu-v2', '330203', '2022-04-01', null, { version: 2 }),
])
const found = (jurisdiction: string, asOf: string, scheme: 'points' | 'settlement' = 'points') =>
  registry.find(scheme, jurisdiction, asOf).table.id

t.test('the district table when one is in force', async (t) => {
  t.equal(found('330212', '2023-06-01'), 'yinzhou-2022')
  t.equal(found('330212', '2023-12-31'), 'yinzhou-2022', 'validTo is inclusive')
  t.equal(found('330212', '2022-04-01'), 'yinzhou-2022', 'validFrom is inclusive')
})

t.test('falls back to the city, then the province', async (t) => {
  t.equal(found('330212', '2024-06-01'), 'ningbo-2024', 'district table expired: city table')
  t.equal(found('330205', '2023-06-01'), 'ningbo-2022', 'no Jiangbei table: city table')
  t.equal(found('330106', '2023-06-01'), 'zhejiang-2022', 'Hangzhou: provincial table')
  t.equal(found('330000', '2023-06-01'), 'zhejiang-2022')
})

t.test('the latest validFrom wins among tables in force', async (t) => {
  t.equal(found('330200', '2023-12-31'), 'ningbo-2022')
  t.equal(found('330200', '2024-01-01'), 'ningbo-2024')
  t.equal(found('330203', '2023-01-01'), 'haishu-v2', 'same validFrom: the higher version')
})

t.test('legacy tables by date', async (t) => {
  t.equal(found('330206', '2021-06-01'), 'beilun-2021')
  t.equal(found('330206', '2022-03-31'), 'beilun-2021')
  t.equal(found('330206', '2022-04-01'), 'ningbo-2022')
})

t.test('the scheme must match', async (t) => {
  t.equal(found('330212', '2021-06-01', 'settlement'), 'settle-ningbo')
})

t.test('NoTableInForceError', async (t) => {
  const check = (scheme: 'points' | 'admission', jurisdiction: string, asOf: string) => {
    let error: unknown
    try {
      registry.find(scheme, jurisdiction, asOf)
    } catch (e) {
      error = e
    }
    t.ok(error instanceof NoTableInForceError, `${scheme} ${jurisdiction} ${asOf}`)
    const e = error as NoTableInForceError
    t.same([e.scheme, e.jurisdiction, e.asOf], [scheme, jurisdiction, asOf])
    t.equal(registry.inForce(scheme, jurisdiction, asOf), null, 'inForce answers null instead')
  }
  check('points', '110101', '2023-06-01') // Beijing: no table at any level
  check('points', '330212', '2020-06-01') // before any Ningbo table
  check('admission', '330212', '2023-06-01') // no admission tables at all
})

t.test('inForce finds what find finds', async (t) => {
  t.equal(registry.inForce('settlement', '330212', '2021-06-01')?.table.id, 'settle-ningbo')
})

t.test('accepts compiled tables', async (t) => {
  const c = compileTable(tbl('ningbo-2022', '330200', '2022-04-01'))
  const r = new TableRegistry([c])
  t.equal(r.find('points', '330212', '2023-01-01'), c)
  t.equal(r.all().length, 1)
})
