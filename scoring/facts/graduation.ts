// Fact group `graduation`: the degree a graduate holds, whether full-time, and the years since.
import { type Applicant, EDUCATION_LEVELS } from '../../schema/applicant.ts'
import { fullYearsBetween, toDay } from '../calendar.ts'
import { b, bool, defineGroup, enumeration, num } from './group.ts'

/** The graduation, when it happened on or before the day. */
type Graduation = NonNullable<Applicant['graduation']> | null

export const graduation = defineGroup<Applicant, Graduation>({
  name: 'graduation',
  facts: [
    enumeration('graduation.level', '毕业学历', EDUCATION_LEVELS),
    bool('graduation.fullTime', '全日制毕业'),
    num('graduation.yearsSince', '毕业满年数'),
  ],
  prepare: (a, { at }) =>
    a.graduation !== null && toDay(a.graduation.graduatedOn) <= at ? a.graduation : null,
  derive: {
    // no graduation (yet): level and years unknown, but certainly not a full-time graduate
    'graduation.level': (g) => (g === null ? Number.NaN : EDUCATION_LEVELS.indexOf(g.level)),
    'graduation.fullTime': (g) => (g === null ? 0 : b(g.fullTime)),
    'graduation.yearsSince': (g, { at }) =>
      g === null ? Number.NaN : fullYearsBetween(toDay(g.graduatedOn), at),
  },
})
