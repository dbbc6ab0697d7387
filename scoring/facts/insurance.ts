// Fact groups `insurance.<scope>`: months of social insurance paid in each scope (province, city, district, YRD, town).
import type { Applicant } from '../../schema/applicant.ts'
import { isWithinPrefix, NINGBO, regionPrefix, ZHEJIANG } from '../regions.ts'
import { type DeriveContext, defineGroup, type FactGroup, num } from './group.ts'
import { countInsurance, type InsuranceCount } from './periods.ts'

const ZHEJIANG_PREFIX = regionPrefix(ZHEJIANG)
const NINGBO_PREFIX = regionPrefix(NINGBO)

// Scope tests take their variable part (a region prefix, the housing's town, the YRD provinces) as
// an argument rather than closing over it: a closure made per evaluation is costly (and under tsx,
// esbuild's keepNames wraps each one in a __name call).
const isTown = (r: string, town: string | null) => town !== null && r === town
const inProvinces = (r: string, provinces: readonly string[]) => provinces.includes(r.slice(0, 2))

type Count = (a: Applicant, ctx: DeriveContext) => InsuranceCount

/** A scope: its name, its label, and how its months are counted. `town` is the 9-digit town/street of the housing. */
const SCOPES: readonly (readonly [string, string, Count])[] = [
  [
    'zhejiang',
    '浙江省内',
    (a, ctx) => countInsurance(a.socialInsurance, isWithinPrefix, ctx.lastMonth, ZHEJIANG_PREFIX),
  ],
  [
    'ningbo',
    '宁波市内',
    (a, ctx) => countInsurance(a.socialInsurance, isWithinPrefix, ctx.lastMonth, NINGBO_PREFIX),
  ],
  [
    'district',
    '本区（县、市）内',
    (a, ctx) => countInsurance(a.socialInsurance, isWithinPrefix, ctx.lastMonth, ctx.districtPrefix),
  ],
  [
    'yrd',
    '长三角（沪苏浙皖）',
    // the provinces are a policy parameter of the table (scoring/facts/parameters.ts)
    (a, ctx) => countInsurance(a.socialInsurance, inProvinces, ctx.lastMonth, ctx.params.yrdProvinces),
  ],
  [
    'town',
    '住房所在镇（街道）',
    (a, ctx) => {
      const town = a.housing?.region?.length === 9 ? a.housing.region : null
      return countInsurance(a.socialInsurance, isTown, ctx.lastMonth, town)
    },
  ],
]

function scopeGroup(scope: string, label: string, count: Count): FactGroup<Applicant, InsuranceCount> {
  const name = `insurance.${scope}`
  return defineGroup<Applicant, InsuranceCount>({
    name,
    facts: [
      num(`${name}.months`, `社保缴费月数（${label}）`),
      num(`${name}.paidMonths`, `社保按时缴费月数（${label}，不含补缴）`),
      num(`${name}.backPaidMonths`, `社保补缴月数（${label}）`),
      num(`${name}.currentRunMonths`, `社保连续缴费至当月的月数（${label}，不含补缴）`),
    ],
    prepare: count,
    derive: {
      [`${name}.months`]: (c) => c.months,
      [`${name}.paidMonths`]: (c) => c.paidMonths,
      [`${name}.backPaidMonths`]: (c) => c.backPaidMonths,
      [`${name}.currentRunMonths`]: (c) => c.currentRunMonths,
    },
  })
}

/** One group per scope, in the order of SCOPES. */
export const insurance = SCOPES.map(([scope, label, count]) => scopeGroup(scope, label, count))
