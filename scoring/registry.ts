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

export class TableRegistry {
  private readonly tables: CompiledTable[]

  constructor(tables: readonly (Table | CompiledTable)[]) {
    this.tables = tables.map((t) => ('evaluatePoints' in t ? t : compileTable(t)))
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

  /** Like `find`, but null when no table is in force (rules that still answer without one). */
  inForce(scheme: Scheme, jurisdiction: string, asOf: string): CompiledTable | null {
    for (const code of jurisdictionChain(jurisdiction)) {
      let best: CompiledTable | undefined
      for (const c of this.tables) {
        const t = c.table
        if (t.scheme !== scheme || t.jurisdiction !== code) continue
        if (t.validFrom > asOf || (t.validTo !== null && t.validTo < asOf)) continue
        if (
          !best ||
          t.validFrom > best.table.validFrom ||
          (t.validFrom === best.table.validFrom && t.version > best.table.version)
        )
          best = c
      }
      if (best) return best
    }
    return null
  }
}
