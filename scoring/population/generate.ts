// Generates one fused loop per points table (new Function over the fact columns): the same arithmetic as points.scoreIn, in the same order, so results are bit-identical.
import type { Condition, Item } from '../../schema/table.ts'
import { toDay } from '../calendar.ts'
import type { CompiledTable } from '../compiled.ts'
import { encodeValue, resolveFact } from '../conditions.ts'
import type { EvalContext } from '../env.ts'
import { SCALE, toScaled } from '../exact.ts'
import { columnKey, dayOfName } from './store.ts'

/** A number as JavaScript source: String() of a double reads back as the same double. */
const lit = (x: number): string => (x < 0 || Object.is(x, -0) ? `(${String(x)})` : String(x))

/** What the generated loop needs besides its source: the columns it reads (in order) and its constants. */
export interface GeneratedScorer {
  source: string
  /** column keys; the loop's `C[k]` is the column of keys[k] */
  keys: string[]
  /** constant tables the loop reads as `K[k]` (category lookups, deduction rows) */
  constants: unknown[]
}

/**
 * Builds the loop body for a table. Per applicant it computes each item's points before the cap
 * (`b`) and whether a provisional row decided them (`m`), applies `when`, the cap and highest-only
 * groups, sums layers in item order, caps them, then gates; deductions and vetoes follow per record.
 */
export function generateScorer(c: CompiledTable, ctx: EvalContext): GeneratedScorer {
  const table = c.table
  const asOf = toDay(ctx.asOf)
  const keys: string[] = []
  const constants: unknown[] = []
  const col = (fact: string, at: string | undefined, path: string): string => {
    resolveFact(c.scope, fact, path)
    const key = columnKey(fact, dayOfName(table, at, asOf, ctx))
    let k = keys.indexOf(key)
    if (k < 0) k = keys.push(key) - 1
    return `v${k}`
  }
  const constant = (x: unknown): string => `K${constants.push(x) - 1}`

  const cond = (cd: Condition, path: string): string => {
    if ('all' in cd) return `(${cd.all.map((p, i) => cond(p, `${path}.all[${i}]`)).join(' && ')})`
    if ('any' in cd) return `(${cd.any.map((p, i) => cond(p, `${path}.any[${i}]`)).join(' || ')})`
    if ('not' in cd) return `!${cond(cd.not, `${path}.not`)}`
    // a leaf: anyMember/allMembers never reach here, compileTable rejects them in a person scope
    const leaf = cd as Extract<Condition, { fact: string }>
    const { def } = resolveFact(c.scope, leaf.fact, path)
    const v = col(leaf.fact, leaf.at, path)
    const enc = (raw: number | boolean | string, p: string): string => lit(encodeValue(def, raw, p))
    const parts: string[] = []
    // NaN satisfies none, as in conditions.ts: ordered comparisons and === are false on NaN
    if (leaf.gte !== undefined) parts.push(`${v} >= ${enc(leaf.gte, `${path}.gte`)}`)
    if (leaf.gt !== undefined) parts.push(`${v} > ${enc(leaf.gt, `${path}.gt`)}`)
    if (leaf.lte !== undefined) parts.push(`${v} <= ${enc(leaf.lte, `${path}.lte`)}`)
    if (leaf.lt !== undefined) parts.push(`${v} < ${enc(leaf.lt, `${path}.lt`)}`)
    if (leaf.eq !== undefined) parts.push(`${v} === ${enc(leaf.eq, `${path}.eq`)}`)
    if (leaf.ne !== undefined) parts.push(`(${v} === ${v} && ${v} !== ${enc(leaf.ne, `${path}.ne`)})`)
    if (leaf.in !== undefined)
      parts.push(`(${leaf.in.map((x, i) => `${v} === ${enc(x, `${path}.in[${i}]`)}`).join(' || ')})`)
    return `(${parts.join(' && ')})`
  }

  /** statements setting b{k} (points before the cap) and m{k} (a provisional row decided them) */
  const rule = (item: Item, k: number, path: string): string => {
    const b = `b${k}`
    const m = `m${k}`
    switch (item.kind) {
      case 'per_unit': {
        const out: string[] = []
        item.terms.forEach((t, j) => {
          const v = col(t.fact, undefined, `${path}.terms[${j}].fact`)
          const pts = toScaled(t.points)
          // perUnitScaled written out for whole blocks; pro-rated calls it (its BigInt fallback)
          out.push(
            item.rounding === 'prorated'
              ? `${b} += U(${v}, ${lit(pts)}, ${lit(t.per)}, true);`
              : `if (${v} > 0) ${b} += Math.floor(Math.round(${v} * ${SCALE}) / ${lit(Math.round(t.per * SCALE))}) * ${lit(pts)};`,
          )
        })
        if (item.steps) {
          const v = col(item.steps.fact, undefined, `${path}.steps.fact`)
          const stacking = item.steps.mode === 'stacking'
          out.push(`{ let bonus = 0;`)
          for (const s of item.steps.at) {
            const bonus = lit(toScaled(s.bonus))
            out.push(
              `if (${v} >= ${lit(s.atLeast)}) { bonus = ${stacking ? `bonus + ${bonus}` : `Math.max(bonus, ${bonus})`};${s.provisional ? ` ${m} = 1;` : ''} }`,
            )
          }
          out.push(`${b} += bonus; }`)
        }
        return out.join('\n')
      }
      case 'bands': {
        const v = col(item.fact, undefined, `${path}.fact`)
        // the first band that holds the value, with BandsRule's expression
        return item.bands
          .map((band) => {
            const to = band.to === undefined ? '' : ` && ${v} <= ${lit(band.to)}`
            return `if (${v} >= ${lit(band.from)}${to}) { ${b} = Math.max(0, ${lit(toScaled(band.points))} + ${lit(toScaled(band.perUnit))} * (${v} - ${lit(band.from)})); ${m} = ${band.provisional ? 1 : 0}; }`
          })
          .join(' else ')
      }
      case 'tiers': {
        // highest only: the tier with the most points among those that hold (the first on a tie)
        const out = ['{ let best = -1, bp = 0, bm = 0;']
        item.tiers.forEach((tier, j) => {
          const pts = lit(toScaled(tier.points))
          out.push(
            `if ((best < 0 || ${pts} > bp) && ${cond(tier.when, `${path}.tiers[${j}].when`)}) { best = ${j}; bp = ${pts}; bm = ${tier.provisional ? 1 : 0}; }`,
          )
        })
        out.push(`if (best >= 0) { ${b} = bp; ${m} = bm; } }`)
        return out.join('\n')
      }
      case 'binary':
        return `if (${cond(item.when, `${path}.when`)}) ${b} = ${lit(toScaled(item.points))};`
      case 'category': {
        const v = col(item.fact, undefined, `${path}.fact`)
        const values = resolveFact(c.scope, item.fact, path).def.values ?? []
        // by the fact's enum index: [points, provisional]; NaN, fractions and values past the end index nothing
        const byValue: ([number, number] | undefined)[] = values.map(() => undefined)
        for (const cat of item.categories)
          for (const x of cat.values)
            byValue[values.indexOf(x)] = [toScaled(cat.points), cat.provisional ? 1 : 0]
        const tbl = constant(byValue)
        return `{ const e = ${tbl}[${v}]; if (e !== undefined) { ${b} = e[0]; ${m} = e[1]; } }`
      }
    }
  }

  const body: string[] = []
  table.items.forEach((item, k) => {
    const path = `items[${k}]`
    body.push(`let b${k} = 0, m${k} = 0, p${k} = 0;`)
    body.push(rule(item, k, path))
    const prov = `if (m${k} === 1${item.provisional ? ` || b${k} > 0` : ''}) p${k} = 1;`
    body.push(item.when ? `if (${cond(item.when, `${path}.when`)}) { ${prov} } else b${k} = 0;` : prov)
    const cap = c.items[k].cap
    body.push(`let x${k} = ${cap === Number.POSITIVE_INFINITY ? `b${k}` : `Math.min(b${k}, ${lit(cap)})`};`)
  })
  // highest-only across items: within a group only the best item counts (the first on a tie)
  const groups = new Map<string, number[]>()
  table.items.forEach((item, k) => {
    if (item.highestOfGroup !== undefined)
      groups.set(item.highestOfGroup, [...(groups.get(item.highestOfGroup) ?? []), k])
  })
  for (const members of groups.values()) {
    body.push(`{ let g = ${members[0]}, gx = x${members[0]};`)
    for (const k of members.slice(1)) body.push(`if (x${k} > gx) { g = ${k}; gx = x${k}; }`)
    for (const k of members) body.push(`if (g !== ${k}) { x${k} = 0; p${k} = 0; }`)
    body.push('}')
  }
  table.items.forEach((_, k) => {
    body.push(`I${k}[i] = x${k}; pr |= p${k};`)
  })
  table.layers.forEach((_, l) => {
    const sum = table.items.map((_it, k) => (c.items[k].layerIndex === l ? ` L += x${k};` : '')).join('')
    body.push(`{ let L = 0;${sum} Y${l}[i] = L; tot += Math.min(L, ${lit(c.points.layerCaps[l])}); }`)
  })
  const gates = table.gates.map((g, j) => cond(g.when, `gates[${j}].when`))

  const n = table.items.length
  const source = [
    ...keys.map((_, k) => `const c${k} = C[${k}];`),
    ...constants.map((_, k) => `const K${k} = KS[${k}];`),
    ...Array.from({ length: n }, (_, k) => `const I${k} = O.items[${k}];`),
    ...table.layers.map((_, l) => `const Y${l} = O.layers[${l}];`),
    'const T = O.total, E = O.eligible, P = O.provisional;',
    'for (let i = 0; i < size; i++) {',
    ...keys.map((_, k) => `const v${k} = c${k}[i];`),
    'let pr = BASE, tot = 0;',
    ...body,
    `T[i] = tot; E[i] = ${gates.length === 0 ? '1' : `(${gates.join(' && ')}) ? 1 : 0`}; P[i] = pr;`,
    '}',
  ].join('\n')
  return { source, keys, constants }
}
