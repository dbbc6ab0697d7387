// An inline table with the shape of the 2022 Ningbo points table (provincial 100 + city 150), used by the
// property tests when the shipped `ningbo-points-2022` cannot be loaded.
import { type Table, TableSchema } from '../../schema/table.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

const R = '甬政办发〔2022〕10号'
const yes = (fact: string) => ({ fact, eq: true })

export const NINGBO_MIRROR: Table = TableSchema.parse({
  id: 'ningbo-points-mirror',
  version: 1,
  scheme: 'points',
  jurisdiction: '330200',
  title: '宁波市积分（测试镜像）',
  validFrom: '2022-04-01',
  ref: R,
  layers: [
    { id: 'provincial', label: '省级', cap: 100 },
    { id: 'city', label: '市级', cap: 150 },
  ],
  items: [
    {
      id: 'age',
      label: '年龄',
      layer: 'provincial',
      kind: 'bands',
      fact: 'age',
      ref: R,
      cap: 20,
      bands: [
        { from: 0, to: 17, points: 0, provisional: true },
        { from: 18, to: 40, points: 20 },
        { from: 41, to: 54, points: 19, perUnit: -1 },
        { from: 55, to: 60, points: 5 },
        { from: 61, points: 0 },
      ],
    },
    {
      id: 'education',
      label: '学历',
      layer: 'provincial',
      kind: 'tiers',
      ref: R,
      cap: 10,
      tiers: [
        {
          label: '本科及以上',
          when: { fact: 'education', in: ['bachelor', 'master', 'doctorate'] },
          points: 10,
        },
        { label: '大专', when: { fact: 'education', eq: 'junior_college' }, points: 8 },
        {
          label: '高中、中职',
          when: { fact: 'education', in: ['senior', 'vocational_secondary'] },
          points: 5,
        },
        {
          label: '初中及以下',
          when: { fact: 'education', in: ['none', 'primary', 'junior'] },
          points: 5,
          provisional: true,
        },
      ],
    },
    {
      id: 'vocational_skills',
      label: '职业技能',
      layer: 'provincial',
      kind: 'tiers',
      ref: R,
      cap: 10,
      tiers: [
        {
          label: '技师或中级职称',
          when: {
            any: [
              { fact: 'skill.level', lte: 2 },
              { fact: 'title.grade', in: ['intermediate', 'deputy_senior', 'senior'] },
            ],
          },
          points: 10,
        },
        {
          label: '高级工或初级职称',
          when: {
            any: [
              { fact: 'skill.level', eq: 3 },
              { fact: 'title.grade', eq: 'junior' },
            ],
          },
          points: 8,
        },
        { label: '中级工', when: { fact: 'skill.level', eq: 4 }, points: 5 },
        { label: '初级工', when: { fact: 'skill.level', eq: 5 }, points: 3 },
        { label: '专项职业能力', when: yes('skill.specialAbility'), points: 3, provisional: true },
      ],
    },
    {
      id: 'social_insurance',
      label: '社会保险',
      layer: 'provincial',
      kind: 'per_unit',
      ref: R,
      cap: 30,
      terms: [{ fact: 'insurance.zhejiang.months', points: 0.5 }],
    },
    {
      id: 'residence',
      label: '居住时间',
      layer: 'provincial',
      kind: 'per_unit',
      ref: R,
      cap: 30,
      when: yes('residence.inZhejiang'),
      terms: [{ fact: 'residence.months', points: 0.25 }],
    },
    {
      id: 'employment',
      label: '就业',
      layer: 'city',
      kind: 'binary',
      ref: R,
      when: { fact: 'employment.ningbo.currentRunMonths', gte: 12 },
      points: 10,
      cap: 10,
    },
    {
      id: 'housing',
      label: '住房',
      layer: 'city',
      kind: 'category',
      fact: 'housing.kind',
      ref: R,
      cap: 20,
      when: {
        all: [
          yes('housing.inNingbo'),
          { any: [{ fact: 'housing.kind', ne: 'owned' }, yes('housing.ownedBySelfOrSpouse')] },
        ],
      },
      categories: [
        { values: ['dormitory', 'public_rental', 'registered_rental'], points: 10 },
        { values: ['owned'], points: 20, provisional: true },
      ],
    },
    {
      id: 'shortage_occupation',
      label: '紧缺岗位',
      layer: 'city',
      kind: 'binary',
      ref: R,
      provisional: true,
      when: yes('city.shortageOccupation'),
      points: 10,
      cap: 10,
    },
    {
      id: 'investment_tax',
      label: '投资纳税',
      layer: 'city',
      kind: 'tiers',
      ref: R,
      provisional: true,
      cap: 20,
      tiers: [
        { label: '1 万', when: { fact: 'city.yearlyTaxYuan', gte: 10000 }, points: 5 },
        { label: '5 万', when: { fact: 'city.yearlyTaxYuan', gte: 50000 }, points: 10 },
        { label: '20 万', when: { fact: 'city.yearlyTaxYuan', gte: 200000 }, points: 20 },
      ],
    },
    {
      id: 'job_creation',
      label: '带动就业',
      layer: 'city',
      kind: 'per_unit',
      ref: R,
      provisional: true,
      cap: 20,
      terms: [{ fact: 'city.insuredEmployeesHired', points: 1 }],
    },
    {
      id: 'inventions',
      label: '发明创造',
      layer: 'city',
      kind: 'per_unit',
      ref: R,
      provisional: true,
      cap: 15,
      terms: [
        { fact: 'city.inventionPatents', points: 5 },
        { fact: 'city.utilityPatents', points: 2 },
      ],
    },
    {
      id: 'honours',
      label: '表彰奖励',
      layer: 'city',
      kind: 'tiers',
      ref: R,
      provisional: true,
      cap: 20,
      tiers: [
        { label: '国家级', when: { fact: 'city.honour', eq: 'national' }, points: 20 },
        { label: '省级', when: { fact: 'city.honour', eq: 'provincial' }, points: 15 },
        { label: '市级', when: { fact: 'city.honour', eq: 'city' }, points: 10 },
        { label: '区级', when: { fact: 'city.honour', eq: 'district' }, points: 5 },
      ],
    },
    {
      id: 'public_welfare',
      label: '参与公益',
      layer: 'city',
      kind: 'per_unit',
      ref: R,
      provisional: true,
      cap: 15,
      terms: [{ fact: 'city.publicWelfareHours', points: 1, per: 20 }],
    },
    {
      id: 'blood_donation',
      label: '无偿献血',
      layer: 'city',
      kind: 'per_unit',
      ref: R,
      provisional: true,
      cap: 10,
      terms: [{ fact: 'city.bloodDonations', points: 2 }],
    },
    {
      id: 'organ_donation',
      label: '无偿捐献',
      layer: 'city',
      kind: 'category',
      fact: 'city.organDonation',
      ref: R,
      provisional: true,
      cap: 10,
      categories: [
        { values: ['registered'], points: 5 },
        { values: ['donated'], points: 10 },
      ],
    },
  ],
  deductions: [
    {
      id: 'dishonesty',
      label: '违法失信',
      record: 'dishonesty',
      points: 10,
      freezeMonths: 12,
      ref: R,
      provisional: true,
    },
    {
      id: 'crime',
      label: '违法犯罪',
      record: 'crime',
      points: 30,
      freezeMonths: 36,
      ref: R,
      provisional: true,
    },
  ],
  vetoes: [{ id: 'veto', label: '一票否决', record: 'veto', ref: R, provisional: true }],
  gates: [{ id: 'permit_valid', label: '持有效居住证', ref: R, when: yes('permit.valid') }],
})

/** The shipped `ningbo-points-2022` when it loads, else the inline mirror; says which. */
export function ningboTable(): { table: Table; shipped: boolean } {
  try {
    const shipped = loadShippedTables().find((t) => t.id === 'ningbo-points-2022')
    if (shipped) return { table: shipped, shipped: true }
  } catch {
    // fall through to the mirror
  }
  return { table: NINGBO_MIRROR, shipped: false }
}
