// Fact group `age`: the applicant's age in full years on the day.
import type { Applicant } from '../../schema/applicant.ts'
import { fullYearsBetween, toDay } from '../calendar.ts'
import { defineGroup, num } from './group.ts'

export const age = defineGroup<Applicant, number>({
  name: 'age',
  facts: [num('age', '年龄（周岁）')],
  prepare: (a, ctx) => {
    const birth = toDay(a.birthDate)
    // not yet born on the day: unknown, not a negative age
    return birth <= ctx.at ? fullYearsBetween(birth, ctx.at) : Number.NaN
  },
  derive: { age: (years) => years },
})
