// Fact group `household`: an admission household's own facts, the child and the homes it owns; parents' facts are person facts.
import { type DayNumber, dayOf, dayParts, daysInMonth, fullYearsBetween, toDay } from '../calendar.ts'
import { isWithin, NINGBO } from '../regions.ts'
import { b, bool, type DeriveContext, defineGroup, enumeration, num } from './group.ts'
import { EDITION_1_PARAMETERS } from './parameters.ts'
import { permitStatus } from './periods.ts'

const ENTRY_GRADES = ['P1', 'J1'] as const

export interface HouseholdChild {
  idNumber?: string
  birthDate: string
  hukou: string | null
  entryGrade: 'P1' | 'J1'
  permit?: { issuedOn: string; endorsements: string[] } | null
}

export interface Household {
  child: HouseholdChild
  ownsHomeIn: readonly string[]
  /** the day the household's points were applied for (Zhenhai's gate), when given */
  pointsAppliedOn?: string
}

/** The cut-off month and day in `year` (29 February in a common year is its 28th). */
function cutoffIn(year: number, { month, day }: { month: number; day: number }): DayNumber {
  return dayOf(year, month, Math.min(day, daysInMonth(year, month)))
}

/**
 * P1 age (policy.md §5): 6 by the cut-off (31 August in edition 1) of the intake year Y and not
 * yet 7 — born the day after the cut-off of Y−7 through the cut-off of Y−6, Y being the year of
 * the as-of date. The cut-off is a policy parameter of the table (scoring/facts/parameters.ts).
 */
function p1AgeOk(birth: DayNumber, { at, params }: DeriveContext): boolean {
  const year = dayParts(at).year
  return birth > cutoffIn(year - 7, params.p1AgeCutoff) && birth <= cutoffIn(year - 6, params.p1AgeCutoff)
}

/**
 * The words of `child.p1AgeOk` for a cut-off: a table with its own `p1AgeCutoff` explains its own
 * date (scoring/env.ts householdScope); the catalogue's are edition 1's, 31 August.
 */
export function p1AgeLabel({ month, day }: { month: number; day: number }): string {
  return `儿童在入学当年 ${month} 月 ${day} 日前满 6 周岁且未满 7 周岁`
}

interface Work {
  h: Household
  birth: DayNumber
}

export const household = defineGroup<Household, Work>({
  name: 'household',
  facts: [
    enumeration('child.entryGrade', '入学年级', ENTRY_GRADES),
    num('child.age', '儿童年龄（周岁）'),
    bool('child.p1AgeOk', p1AgeLabel(EDITION_1_PARAMETERS.p1AgeCutoff)),
    bool('child.hukouInDistrict', '儿童户籍在本区（县、市）'),
    bool('child.hukouInNingbo', '儿童户籍在宁波市'),
    bool('child.permitValid', '儿童持有效居住证'),
    bool('household.ownsHomeInDistrict', '家庭在本区（县、市）有产权住房'),
    bool('household.ownsHomeInNingbo', '家庭在宁波市有产权住房'),
    // Zhenhai (policy.md §5): read at a named date, e.g. the day online enrolment opens; unknown when not given
    bool('household.pointsAppliedBefore', '积分申请日在该日之前'),
  ],
  prepare: (h) => ({ h, birth: toDay(h.child.birthDate) }),
  derive: {
    'child.entryGrade': ({ h }) => ENTRY_GRADES.indexOf(h.child.entryGrade),
    'child.age': ({ birth }, { at }) => (birth <= at ? fullYearsBetween(birth, at) : Number.NaN),
    'child.p1AgeOk': ({ birth }, ctx) => b(p1AgeOk(birth, ctx)),
    'child.hukouInDistrict': ({ h }, ctx) => b(isWithin(h.child.hukou, ctx.jurisdiction)),
    'child.hukouInNingbo': ({ h }) => b(isWithin(h.child.hukou, NINGBO)),
    'child.permitValid': ({ h }, { at }) => b(permitStatus(h.child.permit ?? null, at).valid),
    'household.ownsHomeInDistrict': ({ h }, ctx) =>
      b(h.ownsHomeIn.some((r) => isWithin(r, ctx.jurisdiction))),
    'household.ownsHomeInNingbo': ({ h }) => b(h.ownsHomeIn.some((r) => isWithin(r, NINGBO))),
    'household.pointsAppliedBefore': ({ h }, { at }) =>
      h.pointsAppliedOn === undefined ? Number.NaN : b(toDay(h.pointsAppliedOn) < at),
  },
})
