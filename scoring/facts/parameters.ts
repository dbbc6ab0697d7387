// Policy parameters fact derivation reads (the P1 age cut-off, Ningbo's urban districts, the YRD regions) and the values published tables were computed with.

import type { TableParameters } from '../../schema/table.ts'
/** The values derivation uses; a table sets them in its `parameters:` block (schema/table.ts). */
export interface FactParameters {
  /** P1 entry: the child turns 6 by this month and day of the intake year (and is not yet 7) */
  readonly p1AgeCutoff: { readonly month: number; readonly day: number }
  /** region codes of Ningbo's urban area (市区): a home there is `housing.inNingboUrban` */
  readonly urbanDistricts: readonly string[]
  /** two-digit province prefixes whose social insurance counts as Yangtze River Delta insurance */
  readonly yrdProvinces: readonly string[]
}

/**
 * The values every table published before tables carried a `parameters:` block was computed with
 * (policy.md §4 and §5). They are part of what those tables mean: their content hashes are stored in
 * records and pinned by tests, so these values can never change (test/scoring/facts-parameters.test.ts
 * pins them). A new or corrected table states its own values in `parameters:`; a value it leaves out
 * is taken from here.
 */
export const EDITION_1_PARAMETERS: FactParameters = Object.freeze({
  p1AgeCutoff: Object.freeze({ month: 8, day: 31 }),
  urbanDistricts: Object.freeze(['330203', '330205', '330206', '330211', '330212', '330213']),
  yrdProvinces: Object.freeze(['31', '32', '33', '34']),
})

const byTable = new WeakMap<object, FactParameters>()

/**
 * The parameters a table's facts are derived with: its own `parameters:` values, and for each it
 * leaves out the edition-1 value. Worked out once per table object.
 */
export function parametersOf(table: { parameters?: TableParameters }): FactParameters {
  const own = table.parameters
  if (own === undefined) return EDITION_1_PARAMETERS
  let p = byTable.get(table)
  if (p === undefined) {
    p = Object.freeze({
      p1AgeCutoff: own.p1AgeCutoff
        ? Object.freeze({ month: own.p1AgeCutoff.month, day: own.p1AgeCutoff.day })
        : EDITION_1_PARAMETERS.p1AgeCutoff,
      urbanDistricts: own.urbanDistricts
        ? Object.freeze([...own.urbanDistricts.regions])
        : EDITION_1_PARAMETERS.urbanDistricts,
      yrdProvinces: own.yrdProvinces
        ? Object.freeze([...own.yrdProvinces.prefixes])
        : EDITION_1_PARAMETERS.yrdProvinces,
    })
    byTable.set(table, p)
  }
  return p
}

/** The facts each parameter decides: a provisional parameter makes provisional the results of a table that reads one. */
export const PARAMETER_FACTS: Readonly<Record<keyof FactParameters, readonly string[]>> = {
  p1AgeCutoff: ['child.p1AgeOk'],
  urbanDistricts: ['housing.inNingboUrban'],
  yrdProvinces: ['months', 'paidMonths', 'backPaidMonths', 'currentRunMonths'].map(
    (f) => `insurance.yrd.${f}`,
  ),
}
