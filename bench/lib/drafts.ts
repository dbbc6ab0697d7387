// The draft table the simulation bench and the columnar and round simulation tests compare with the table in force.
import type { Table } from '../../schema/table.ts'

/**
 * A copy of `table` under the id `id` with the skill tiers raised (15/12/8/5/3, cap 15) and the
 * residence cap lowered to 20: some applicants gain and some lose (as test/scoring/simulation.test.ts).
 */
export function skillsRaisedDraft(table: Table, id: string): Table {
  const copy = structuredClone(table)
  copy.id = id
  for (const item of copy.items) {
    if (item.id === 'vocational_skills' && item.kind === 'tiers') {
      item.cap = 15
      const up = [15, 12, 8, 5, 3]
      item.tiers.forEach((tier, i) => {
        tier.points = up[i] ?? tier.points
      })
    }
    if (item.id === 'residence') item.cap = 20
  }
  return copy
}
