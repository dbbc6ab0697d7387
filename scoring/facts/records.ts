// Fact group `records`: counts of adverse records (dishonesty, crime, veto) dated on or before the day.
import type { Applicant } from '../../schema/applicant.ts'
import { toDay } from '../calendar.ts'
import { defineGroup, num } from './group.ts'

interface Counts {
  dishonesty: number
  crime: number
  veto: number
}

export const records = defineGroup<Applicant, Counts>({
  name: 'records',
  facts: [
    num('records.dishonesty.count', '违法失信记录数'),
    num('records.crime.count', '违法犯罪记录数'),
    num('records.veto.count', '一票否决记录数'),
  ],
  prepare: (a, { at }) => {
    const c = { dishonesty: 0, crime: 0, veto: 0 }
    for (const rec of a.records) {
      if (toDay(rec.date) > at) continue
      if (rec.kind === 'dishonesty') c.dishonesty++
      else if (rec.kind === 'crime') c.crime++
      else c.veto++
    }
    return c
  },
  derive: {
    'records.dishonesty.count': (c) => c.dishonesty,
    'records.crime.count': (c) => c.crime,
    'records.veto.count': (c) => c.veto,
  },
})
