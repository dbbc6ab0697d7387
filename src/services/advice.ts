// Preview advice: for each per-unit item below its cap, what one more scoring unit of its fact would add.
import type { Advice } from '../../schema/api.ts'
import type { Applicant } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import { toDay } from '../../scoring/calendar.ts'
import type { CompiledTable } from '../../scoring/compile.ts'
import { type EvalContext, personEnv, withFacts } from '../../scoring/env.ts'
import { fromScaled, toScaled } from '../../scoring/exact.ts'

/**
 * Re-runs each per-unit item with its fact raised by one `per` block (1 month, 20 hours, one patent …)
 * and reports the change in the total after the item cap, highest-of-group and the layer cap. Items
 * whose condition fails or that are capped add nothing and are left out. The what-if feature (dated
 * accrual, several facts at once) is a separate service.
 */
export function adviseMore(
  compiled: CompiledTable,
  applicant: Applicant,
  ctx: EvalContext,
  result: PointsResult,
): Advice[] {
  const jurisdiction = ctx.jurisdiction ?? compiled.table.jurisdiction
  const env = personEnv(applicant, compiled.table, toDay(ctx.asOf), jurisdiction, ctx, compiled.factGroups)
  const capped = result.items.map((r) =>
    toScaled(r.cap === null ? r.pointsBeforeCap : Math.min(r.pointsBeforeCap, r.cap)),
  )
  const advice: Advice[] = []
  compiled.items.forEach((c, i) => {
    const item = c.item
    if (item.kind !== 'per_unit') return
    const now = result.items[i]
    if (now.cap !== null && now.points >= now.cap) return
    for (const term of item.terms) {
      const index = compiled.scope.index.get(term.fact)
      if (index === undefined) continue
      const facts = env.facts.slice()
      facts[index] = (Number.isNaN(facts[index]) ? 0 : facts[index]) + term.per
      const after = Math.min(c.run(withFacts(env, facts)).before, c.cap)
      let itemGain = after - capped[i]
      const group = item.highestOfGroup
      if (group !== undefined) {
        let others = 0
        compiled.items.forEach((o, j) => {
          if (j !== i && o.item.highestOfGroup === group) others = Math.max(others, capped[j])
        })
        itemGain = Math.max(others, after) - Math.max(others, capped[i])
      }
      const layer = result.layers[c.layerIndex]
      const before = toScaled(layer.pointsBeforeCap)
      const cap = toScaled(layer.cap)
      const gain = Math.min(before + itemGain, cap) - Math.min(before, cap)
      if (gain <= 0) continue
      const def = compiled.scope.defs[index]
      advice.push({
        item: item.id,
        label: item.label,
        fact: term.fact,
        factLabel: def.label,
        more: term.per,
        points: now.points,
        cap: now.cap,
        gain: fromScaled(gain),
      })
    }
  })
  return advice
}
