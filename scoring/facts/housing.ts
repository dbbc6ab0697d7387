// Fact groups `housing` and `hukou`: where the applicant's home and household registration are.
import { type Applicant, HOUSING_KINDS } from '../../schema/applicant.ts'
import { isWithinPrefix, NINGBO, regionPrefix, ZHEJIANG } from '../regions.ts'
import { b, bool, defineGroup, enumeration } from './group.ts'

const ZHEJIANG_PREFIX = regionPrefix(ZHEJIANG)
const NINGBO_PREFIX = regionPrefix(NINGBO)

/** Whether `region` lies in one of `codes` (a loop, not .some(): no closure per call, this runs in every evaluation). */
export function inAnyOf(region: string | null | undefined, codes: readonly string[]): boolean {
  if (region == null) return false
  for (const c of codes) if (region.startsWith(c)) return true
  return false
}

type Housing = Applicant['housing']

export const housing = defineGroup<Applicant, Housing>({
  name: 'housing',
  facts: [
    enumeration('housing.kind', '住房类型', HOUSING_KINDS),
    bool('housing.inNingbo', '住房在宁波市'),
    bool('housing.inDistrict', '住房在本区（县、市）'),
    bool('housing.inNingboUrban', '住房在宁波市区'),
    bool('housing.ownedBySelfOrSpouse', '本人或配偶拥有产权住房'),
  ],
  prepare: (a) => a.housing,
  derive: {
    'housing.kind': (h) => HOUSING_KINDS.indexOf(h?.kind ?? 'none'),
    'housing.inNingbo': (h) => b(h !== null && h.kind !== 'none' && isWithinPrefix(h.region, NINGBO_PREFIX)),
    'housing.inDistrict': (h, ctx) =>
      b(h !== null && h.kind !== 'none' && isWithinPrefix(h.region, ctx.districtPrefix)),
    // the urban districts are a policy parameter of the table (scoring/facts/parameters.ts)
    'housing.inNingboUrban': (h, ctx) =>
      b(h !== null && h.kind !== 'none' && inAnyOf(h.region, ctx.params.urbanDistricts)),
    'housing.ownedBySelfOrSpouse': (h) =>
      b(h?.kind === 'owned' && (h.owner === 'self' || h.owner === 'spouse')),
  },
})

export const hukou = defineGroup<Applicant, Applicant['hukou']>({
  name: 'hukou',
  facts: [
    bool('hukou.inZhejiang', '户籍在浙江省'),
    bool('hukou.inNingbo', '户籍在宁波市'),
    bool('hukou.inDistrict', '户籍在本区（县、市）'),
  ],
  prepare: (a) => a.hukou,
  derive: {
    'hukou.inZhejiang': (h) => b(isWithinPrefix(h, ZHEJIANG_PREFIX)),
    'hukou.inNingbo': (h) => b(isWithinPrefix(h, NINGBO_PREFIX)),
    'hukou.inDistrict': (h, ctx) => b(isWithinPrefix(h, ctx.districtPrefix)),
  },
})
