// Finds the compiled table in force for a scheme, jurisdiction and as-of date.
import type { Scheme, Table } from '../schema/table.ts'
import { type CompiledTable, compileTable } from './compile.ts'
import { jurisdictionChain } from './regions.ts'

/** No table of the scheme is in force for the jurisdiction (or any parent) on the date. */
export class NoTableInForceError extends Error {
  constructor(
    readonly scheme: Scheme,
    readonly jurisdiction: string,
    readonly asOf: string,
  ) {
    super(`no ${scheme} table is in force for ${jurisdiction} (or its city or province) on ${asOf}`)
  }
}

/**
 * A published table that failed its integrity check when loaded (its content no longer matches its
 * hash). It still takes part in the choice of the table in force, so that no other table silently
 * stands in for it; when it is the one chosen, the evaluation fails naming it.
 */
export interface WithheldTable {
  rulesetId: string
  scheme: Scheme
  jurisdiction: string
  validFrom: string
  validTo: string | null
  version: number
  reason: string
}

/** The table in force is withheld: its stored content does not match its hash. */
export class TableWithheldError extends Error {
  constructor(readonly table: WithheldTable) {
    super(`the table ${table.rulesetId} is withheld: ${table.reason}`)
    this.name = 'TableWithheldError'
  }
}

type Dated = { validFrom: string; validTo: string | null; version: number }

export class TableRegistry {
  private readonly tables: CompiledTable[]

  constructor(
    tables: readonly (Table | CompiledTable)[],
    private readonly withheld: readonly WithheldTable[] = [],
  ) {
    this.tables = tables.map((t) => ('evaluatePoints' in t ? t : compileTable(t)))
  }

  /** Tables that failed their integrity check at load. */
  withheldTables(): readonly WithheldTable[] {
    return this.withheld
  }

  all(): readonly CompiledTable[] {
    return this.tables
  }

  /**
   * The table in force on `asOf` (validFrom ≤ asOf ≤ validTo) for the jurisdiction, else for its
   * city, else its province. Among several in force at one level the latest validFrom, then the
   * highest version, wins.
   */
  find(scheme: Scheme, jurisdiction: string, asOf: string): CompiledTable {
    const found = this.inForce(scheme, jurisdiction, asOf)
    if (found === null) throw new NoTableInForceError(scheme, jurisdiction, asOf)
    return found
  }

  /**
   * Like `find`, but null when no table is in force (rules that still answer without one). Throws
   * TableWithheldError when the table in force is withheld.
   */
  inForce(scheme: Scheme, jurisdiction: string, asOf: string): CompiledTable | null {
    const later = (a: Dated, b: Dated) =>
      a.validFrom > b.validFrom || (a.validFrom === b.validFrom && a.version > b.version)
    const current = (t: Dated) => t.validFrom <= asOf && !(t.validTo !== null && t.validTo < asOf)
    for (const code of jurisdictionChain(jurisdiction)) {
      let best: CompiledTable | undefined
      for (const c of this.tables) {
        const t = c.table
        if (t.scheme !== scheme || t.jurisdiction !== code) continue
        if (!current(t)) continue
        if (!best || later(t, best.table)) best = c
      }
      // a withheld table that would have been chosen fails the lookup: no other table stands in
      for (const w of this.withheld) {
        if (w.scheme !== scheme || w.jurisdiction !== code || !current(w)) continue
        if (!best || later(w, best.table)) throw new TableWithheldError(w)
      }
      if (best) return best
    }
    return null
  }
}
