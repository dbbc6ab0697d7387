// The batch column syntax: bilingual headers, periods with and without regions, lists, and errors by column.
import t from 'tap'
import { columnOf, columnOfPath, mapHeaders, messageOfPath, readRow } from '../../src/cli/batch-columns.ts'

const row = (cells: Record<string, string>) => readRow(new Map(Object.entries(cells)))

t.test('headers: English (any case), Chinese, or both', async (t) => {
  for (const h of [
    'birthDate',
    'BIRTHDATE',
    '出生日期',
    '出生日期 birthDate',
    '出生日期/birthDate',
    '出生日期(birthDate)',
  ])
    t.equal(columnOf(h)?.key, 'birthDate', h)
  t.equal(columnOf('出生日期 education'), null, 'two different columns in one header')
  t.equal(columnOf('birthday'), null)
  const m = mapHeaders(['id', '学历', 'education', 'colour', ''])
  t.same(m.problems, [
    'column 3 "education" repeats education',
    'column 4 "colour" is not a batch column (see docs/batch.md)',
    'no birthDate (出生日期) column',
  ])
})

t.test('periods, lists and defaults', async (t) => {
  const r = row({
    id: 'X',
    birthDate: '1990-06-15',
    education: '硕士',
    skills: 'title:senior；special_ability',
    region: '330212',
    socialInsurance: '2019-01..2021-06@330203; 2022-01..; 2010-01..2010-03*',
    residenceSince: '2020-01-01',
    permitIssuedOn: '2020-02-01',
    permitEndorsements: '2021-02-01;2022-02-01',
    employment: 'labour_contract:2019-01-01..2021-06-30@330203; business_licence:2022-01-01..',
    housing: 'owned',
    housingOwner: 'spouse',
    graduationLevel: '本科',
    graduationFullTime: '是',
    graduatedOn: '2012-07-01',
    shortageOccupation: 'no',
    yearlyTaxYuan: '1234.5',
    honours: 'city; provincial',
    districtItems: 'local_housing=yes; local_honours=2',
    records: 'dishonesty:2023-05-01',
  })
  if (!('row' in r)) return t.fail(JSON.stringify(r.errors))
  t.equal(r.row.ref, 'X')
  t.same(r.row.applicant, {
    birthDate: '1990-06-15',
    education: 'master',
    skills: [{ kind: 'title', grade: 'senior' }, { kind: 'special_ability' }],
    socialInsurance: [
      { from: '2019-01', to: '2021-06', region: '330203', backPaid: false },
      { from: '2022-01', to: null, region: '330212', backPaid: false },
      { from: '2010-01', to: '2010-03', region: '330212', backPaid: true },
    ],
    residence: {
      registeredSince: '2020-01-01',
      region: '330212',
      permit: { issuedOn: '2020-02-01', endorsements: ['2021-02-01', '2022-02-01'] },
    },
    employment: [
      { kind: 'labour_contract', from: '2019-01-01', to: '2021-06-30', region: '330203' },
      { kind: 'business_licence', from: '2022-01-01', to: null, region: '330212' },
    ],
    housing: { kind: 'owned', region: '330212', owner: 'spouse' },
    graduation: { level: 'bachelor', fullTime: true, graduatedOn: '2012-07-01' },
    cityItems: { shortageOccupation: false, yearlyTaxYuan: 1234.5, honours: ['city', 'provincial'] },
    districtItems: { local_housing: true, local_honours: 2 },
    records: [{ kind: 'dishonesty', date: '2023-05-01' }],
  })
})

t.test('every unreadable cell of a row is reported, by column', async (t) => {
  const r = row({
    birthDate: '',
    socialInsurance: '2019-01..2021-06',
    employment: '2019-01-01..@330212',
    shortageOccupation: 'maybe',
    yearlyTaxYuan: '1e5',
    permitIssuedOn: '2020-02-01',
  })
  t.same('errors' in r ? r.errors : [], [
    { column: 'birthDate', message: 'required' },
    { column: 'socialInsurance', message: 'period 1: no region (add @REGION or a region column)' },
    { column: 'permitIssuedOn', message: 'given without residenceSince' },
    { column: 'employment', message: 'period 1: "2019-01-01..@330212" is not KIND:FROM..TO@REGION' },
    { column: 'shortageOccupation', message: '"maybe" is not yes or no' },
    { column: 'yearlyTaxYuan', message: '"1e5" is not a number' },
  ])
})

t.test('schema errors map back to their columns', async (t) => {
  t.equal(columnOfPath(['residence', 'permit', 'endorsements', 0]), 'permitEndorsements')
  t.equal(columnOfPath(['residence', 'region']), 'residenceRegion')
  t.equal(columnOfPath(['cityItems', 'bloodDonations']), 'bloodDonations')
  t.equal(columnOfPath(['socialInsurance', 1, 'to']), 'socialInsurance')
  t.equal(
    messageOfPath(['socialInsurance', 1, 'to'], '`to` is before `from`'),
    'entry 2: to: `to` is before `from`',
  )
})
