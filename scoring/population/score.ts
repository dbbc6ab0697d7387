// Scores a columnar population under one compiled points table with a generated loop, exactly as points.evaluate does row by row.
import type { Applicant } from '../../schema/applicant.ts'
import { RECORD_KINDS } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import { type DayNumber, toDay } from '../calendar.ts'
import type { CompiledTable } from '../compiled.ts'
import type { EvalContext } from '../env.ts'
import { perUnitScaled } from '../exact.ts'
import { freezeLastDay } from '../facts.ts'
import { provisionalForEveryResult } from '../provisional.ts'
import { evaluate } from '../schemes/points/index.ts'
import { generateScorer } from './generate.ts'
import { jurisdictionOf, type PopulationFacts } from './store.ts'

/**
 * A population's scores under one table, as columns (points in 1/10,000, scoring/exact.ts): the
 * same numbers `evaluate` gives each applicant, without building any breakdown.
 */
export interface PopulationScores {
  table: CompiledTable
  ctx: EvalContext
  size: number
  /** per applicant: the total (layer totals capped, minus deductions) */
  total: Float64Array
  /** per layer (table order), per applicant: the sum of its items before the layer cap */
  layers: Float64Array[]
  /** per layer: its cap, so that a layer's points are min(layers[l][i], layerCaps[l]) */
  layerCaps: number[]
  /** per item (table order), per applicant: points after the item cap and any highest-only group */
  items: Float64Array[]
  /** per applicant: 1 when every gate and veto passes and no freeze is in force */
  eligible: Uint8Array
  /** per applicant: 1 when the result is provisional (as PointsResult.provisional) */
  provisional: Uint8Array
}

/** A points table compiled to column loops, for one population context (named dates resolved). */
export interface PopulationScorer {
  table: CompiledTable
  ctx: EvalContext
  /**
   * `into`: columns of `pop.size` to write into instead of new ones, zeroed (a caller scoring a large
   * population in chunks passes views of columns it allocated once)
   */
  score(pop: PopulationFacts, into?: PopulationScores): PopulationScores
}

/**
 * Compiles a points table into one generated loop over the columns (scoring/population/generate.ts)
 * plus a pass over the few applicants with records, for deductions, vetoes and freezes.
 */
export function compilePopulationScorer(c: CompiledTable, ctx: EvalContext): PopulationScorer {
  if (c.table.scheme !== 'points') throw new Error(`${c.table.id} is a ${c.table.scheme} table`)
  const table = c.table
  const asOf = toDay(ctx.asOf)
  const gen = generateScorer(c, ctx)
  // pure and deterministic: the source is built from the compiled table alone, and reads only its arguments
  const loop = new Function('C', 'KS', 'O', 'size', 'BASE', 'U', gen.source) as (
    columns: Float64Array[],
    constants: unknown[],
    out: PopulationScores,
    size: number,
    base: number,
    unitPoints: typeof perUnitScaled,
  ) => void
  const deductions = c.points.deductions.map((d) => ({
    kind: RECORD_KINDS.indexOf(d.record),
    pts: d.pts,
    freezeMonths: d.freezeMonths,
    provisional: d.provisional,
  }))
  const vetoKinds = table.vetoes.map((v) => RECORD_KINDS.indexOf(v.record))
  const freezes = c.points.freezeRef !== undefined
  const layerCaps = c.points.layerCaps
  const everyResultProvisional = provisionalForEveryResult(table) || c.points.gatesProvisional

  return {
    table: c,
    ctx,
    score(pop: PopulationFacts, into?: PopulationScores): PopulationScores {
      if (pop.ctx.asOf !== ctx.asOf || jurisdictionOf(table, pop.ctx) !== pop.jurisdiction)
        throw new Error(
          `${table.id} scores as of ${ctx.asOf} in ${jurisdictionOf(table, ctx)}; the population is as of ${pop.ctx.asOf} in ${pop.jurisdiction}`,
        )
      const n = pop.size
      const columns = gen.keys.map((key) => {
        const col = pop.columns.get(key)
        if (col === undefined)
          throw new Error(`the population has no column ${key}: derive it with ${table.id} among its tables`)
        return col
      })
      const out: PopulationScores = into ?? {
        table: c,
        ctx,
        size: n,
        total: new Float64Array(n),
        layers: layerCaps.map(() => new Float64Array(n)),
        layerCaps,
        items: table.items.map(() => new Float64Array(n)),
        eligible: new Uint8Array(n),
        provisional: new Uint8Array(n),
      }
      loop(columns, gen.constants, out, n, everyResultProvisional ? 1 : 0, perUnitScaled)
      const { total, eligible, provisional } = out
      const { recordStart, recordKind, recordDay } = pop
      for (let i = 0; i < n; i++) {
        const end = recordStart[i + 1]
        for (let r = recordStart[i]; r < end; r++) {
          const kind = recordKind[r]
          const day: DayNumber = recordDay[r]
          for (const d of deductions) {
            if (d.kind !== kind) continue
            // a freeze still running on the as-of date makes the points unusable (not_frozen)
            if (freezes && d.freezeMonths > 0 && freezeLastDay(day, d.freezeMonths) >= asOf) eligible[i] = 0
            total[i] -= d.pts
            if (d.provisional) provisional[i] = 1
          }
          if (vetoKinds.includes(kind)) eligible[i] = 0
        }
      }
      return out
    },
  }
}

/** Scores a population under one table (compile, then one pass of column loops). */
export function scorePopulation(c: CompiledTable, pop: PopulationFacts): PopulationScores {
  return compilePopulationScorer(c, pop.ctx).score(pop)
}

/**
 * The full breakdown of one applicant of a scored population, built only when asked for: the
 * normal `evaluate` on that applicant (the store keeps facts, not applicants; the caller passes the row).
 */
export function breakdownOf(scores: PopulationScores, applicant: Applicant): PointsResult {
  return evaluate(scores.table, applicant, scores.ctx)
}
