// Fact groups `employment.ningbo`, `employment.district` and `study`: unbroken runs of work and study up to the day.
import type { Applicant } from '../../schema/applicant.ts'
import { NINGBO, regionPrefix } from '../regions.ts'
import { b, bool, defineGroup, num } from './group.ts'
import { dayRuns, runMonths, runReaching } from './periods.ts'

const NINGBO_PREFIX = regionPrefix(NINGBO)

type Run = [number, number] | undefined

interface NingboWork {
  /** the run reaching the day, if any */
  current: Run
  longestMonths: number
  /** the run of business-licence periods reaching the day, if any */
  business: Run
}

export const employmentNingbo = defineGroup<Applicant, NingboWork>({
  name: 'employment.ningbo',
  facts: [
    bool('employment.ningbo.active', '在宁波就业（至计算日）'),
    num('employment.ningbo.currentRunMonths', '在宁波连续就业满月数（至计算日）'),
    num('employment.ningbo.longestRunMonths', '在宁波最长连续就业满月数'),
    bool('employment.ningbo.businessActive', '在宁波持营业执照经营（至计算日）'),
    num('employment.ningbo.businessRunMonths', '在宁波持营业执照连续经营满月数（至计算日）'),
  ],
  prepare: (a, { at }) => {
    const runs = dayRuns(a.employment, NINGBO_PREFIX, null, at)
    let longestMonths = 0
    for (const r of runs) longestMonths = Math.max(longestMonths, runMonths(r))
    // a second pass over the contracts only when there is a business licence among them
    let hasBusiness = false
    for (const e of a.employment) hasBusiness ||= e.kind === 'business_licence'
    const business = hasBusiness
      ? runReaching(dayRuns(a.employment, NINGBO_PREFIX, 'business_licence', at), at)
      : undefined
    return { current: runReaching(runs, at), longestMonths, business }
  },
  derive: {
    'employment.ningbo.active': (w) => b(w.current !== undefined),
    'employment.ningbo.currentRunMonths': (w) => (w.current ? runMonths(w.current) : 0),
    'employment.ningbo.longestRunMonths': (w) => w.longestMonths,
    'employment.ningbo.businessActive': (w) => b(w.business !== undefined),
    'employment.ningbo.businessRunMonths': (w) => (w.business ? runMonths(w.business) : 0),
  },
})

export const employmentDistrict = defineGroup<Applicant, Run>({
  name: 'employment.district',
  facts: [
    bool('employment.district.active', '在本区（县、市）就业（至计算日）'),
    num('employment.district.currentRunMonths', '在本区（县、市）连续就业满月数（至计算日）'),
  ],
  prepare: (a, { at, districtPrefix }) => runReaching(dayRuns(a.employment, districtPrefix, null, at), at),
  derive: {
    'employment.district.active': (current) => b(current !== undefined),
    'employment.district.currentRunMonths': (current) => (current ? runMonths(current) : 0),
  },
})

export const study = defineGroup<Applicant, Run>({
  name: 'study',
  facts: [bool('study.ningbo.active', '在宁波连续就学')],
  prepare: (a, { at }) => runReaching(dayRuns(a.study, NINGBO_PREFIX, null, at), at),
  derive: { 'study.ningbo.active': (current) => b(current !== undefined) },
})
