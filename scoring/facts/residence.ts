// Fact group `residence`: residence registration, months of residence, and the residence permit's validity.
import type { Applicant } from '../../schema/applicant.ts'
import { fullMonthsBetween, toDay } from '../calendar.ts'
import { isWithinPrefix, NINGBO, regionPrefix, ZHEJIANG } from '../regions.ts'
import { b, bool, defineGroup, num } from './group.ts'
import { type PermitStatus, permitStatus } from './periods.ts'

const ZHEJIANG_PREFIX = regionPrefix(ZHEJIANG)
const NINGBO_PREFIX = regionPrefix(NINGBO)

interface Residence {
  registered: boolean
  region: string | undefined
  registeredMonths: number
  /** restarted by a late endorsement of the permit */
  months: number
  permit: PermitStatus
}

export const residence = defineGroup<Applicant, Residence>({
  name: 'residence',
  facts: [
    bool('residence.registered', '已办理居住登记'),
    bool('residence.inZhejiang', '居住地在浙江省'),
    bool('residence.inNingbo', '居住地在宁波市'),
    bool('residence.inDistrict', '居住地在本区（县、市）'),
    num('residence.registeredMonths', '居住登记满月数'),
    num('residence.months', '居住满月数（逾期签注后重新起算）'),
    bool('permit.held', '持有居住证'),
    bool('permit.valid', '居住证有效'),
    num('permit.validMonths', '居住证连续有效满月数'),
    num('permit.lateEndorsements', '逾期签注次数'),
  ],
  prepare: (a, { at }) => {
    const r = a.residence
    const permit = permitStatus(r?.permit ?? null, at)
    const since = r === null ? Number.NaN : toDay(r.registeredSince)
    const registered = r !== null && since <= at
    if (!registered) return { registered, region: undefined, registeredMonths: 0, months: 0, permit }
    const restart = permit.lastLateEndorsement
    return {
      registered,
      region: r.region,
      registeredMonths: fullMonthsBetween(since, at),
      months: fullMonthsBetween(restart !== null && restart > since ? restart : since, at),
      permit,
    }
  },
  derive: {
    'residence.registered': (r) => b(r.registered),
    'residence.inZhejiang': (r) => b(r.registered && isWithinPrefix(r.region, ZHEJIANG_PREFIX)),
    'residence.inNingbo': (r) => b(r.registered && isWithinPrefix(r.region, NINGBO_PREFIX)),
    'residence.inDistrict': (r, ctx) => b(r.registered && isWithinPrefix(r.region, ctx.districtPrefix)),
    'residence.registeredMonths': (r) => r.registeredMonths,
    'residence.months': (r) => r.months,
    'permit.held': (r) => b(r.permit.held),
    'permit.valid': (r) => b(r.permit.valid),
    'permit.validMonths': (r, { at }) =>
      r.permit.valid && r.permit.validSince !== null ? fullMonthsBetween(r.permit.validSince, at) : 0,
    'permit.lateEndorsements': (r) => r.permit.lateEndorsements,
  },
})
