// Fact groups: how a group module declares its facts and derives them, and the catalogue generated from a list of groups.
import type { DayNumber, MonthIndex } from '../calendar.ts'
import type { FactParameters } from './parameters.ts'

export type FactType = 'number' | 'boolean' | 'enum'
export interface FactDef {
  name: string
  label: string
  type: FactType
  /** enum facts hold the index of their value in this list */
  values?: readonly string[]
}

export const num = (name: string, label: string): FactDef => ({ name, label, type: 'number' })
export const bool = (name: string, label: string): FactDef => ({ name, label, type: 'boolean' })
export const enumeration = (name: string, label: string, values: readonly string[]): FactDef => ({
  name,
  label,
  type: 'enum',
  values,
})
export const b = (x: boolean): number => (x ? 1 : 0)

/** What a derivation is relative to: the day, the jurisdiction of use, the table's policy parameters. */
export interface DeriveContext {
  at: DayNumber
  jurisdiction: string
  /** regionPrefix(jurisdiction), worked out once per derivation */
  districtPrefix: string
  /** monthOfDay(at) */
  lastMonth: MonthIndex
  params: FactParameters
}

/**
 * One group of facts derived together (all insurance facts of one scope, the permit and residence
 * facts, …): a compiled table derives only the groups its rules read. `prepare` does the work the
 * group's facts share, once per derivation; `derive` has one entry per fact, by name, reading its
 * value from that work. Declaring a fact and its derivation in one module, side by side, is what
 * keeps them from drifting: buildCatalogue refuses a fact without a derive entry and the reverse.
 */
export interface FactGroup<Subject, Work = unknown> {
  readonly name: string
  readonly facts: readonly FactDef[]
  readonly prepare: (subject: Subject, ctx: DeriveContext) => Work
  readonly derive: Readonly<Record<string, (work: Work, ctx: DeriveContext) => number>>
}

/** Any group over `Subject`, whatever its work: what a list of groups holds. */
export interface AnyFactGroup<Subject> {
  readonly name: string
  readonly facts: readonly FactDef[]
  readonly prepare: (subject: Subject, ctx: DeriveContext) => unknown
  readonly derive: Readonly<Record<string, (work: never, ctx: DeriveContext) => number>>
}

/** Declares a group; the type parameters tie `derive`'s entries to what `prepare` returns. */
export function defineGroup<Subject, Work>(group: FactGroup<Subject, Work>): FactGroup<Subject, Work> {
  return group
}

/** A group as the catalogue runs it: its bit, and its facts' positions and derive entries in order. */
export interface CompiledGroup<Subject> {
  readonly name: string
  readonly bit: number
  readonly prepare: (subject: Subject, ctx: DeriveContext) => unknown
  readonly slots: readonly number[]
  readonly values: readonly ((work: unknown, ctx: DeriveContext) => number)[]
}

export interface Catalogue<Subject> {
  readonly defs: readonly FactDef[]
  readonly index: ReadonlyMap<string, number>
  /** fact name → its group's name */
  readonly groupOf: ReadonlyMap<string, string>
  /** one bit per group, in the order of the list */
  readonly bits: ReadonlyMap<string, number>
  readonly all: number
  readonly groups: readonly CompiledGroup<Subject>[]
}

export class FactCatalogueError extends Error {}

/**
 * The catalogue of a list of groups: the facts in list order (a fact's position is its place in
 * the derived vector), the index by name, one bit per group. Checked here, at module load: a name
 * declared twice, a fact without a derive entry, a derive entry for no declared fact.
 */
export function buildCatalogue<Subject>(groups: readonly AnyFactGroup<Subject>[]): Catalogue<Subject> {
  if (groups.length > 30) throw new FactCatalogueError('at most 30 fact groups fit a group mask')
  const defs: FactDef[] = []
  const groupOf = new Map<string, string>()
  const bits = new Map<string, number>()
  const compiled: CompiledGroup<Subject>[] = []
  for (const g of groups) {
    if (bits.has(g.name)) throw new FactCatalogueError(`fact group "${g.name}" is declared twice`)
    const bit = 1 << bits.size
    bits.set(g.name, bit)
    const declared = new Set(g.facts.map((d) => d.name))
    for (const name of Object.keys(g.derive))
      if (!declared.has(name))
        throw new FactCatalogueError(`fact group "${g.name}" derives "${name}", which it does not declare`)
    const slots: number[] = []
    const values: ((work: unknown, ctx: DeriveContext) => number)[] = []
    for (const d of g.facts) {
      if (groupOf.has(d.name)) throw new FactCatalogueError(`fact "${d.name}" is declared twice`)
      const value = Object.hasOwn(g.derive, d.name) ? g.derive[d.name] : undefined
      if (typeof value !== 'function')
        throw new FactCatalogueError(`fact "${d.name}" of group "${g.name}" has no derive entry`)
      groupOf.set(d.name, g.name)
      slots.push(defs.length)
      values.push(value as (work: unknown, ctx: DeriveContext) => number)
      defs.push(d)
    }
    compiled.push({
      name: g.name,
      bit,
      prepare: g.prepare as (subject: Subject, ctx: DeriveContext) => unknown,
      slots,
      values,
    })
  }
  return {
    defs,
    index: new Map(defs.map((d, i) => [d.name, i])),
    groupOf,
    bits,
    all: (1 << bits.size) - 1,
    groups: compiled,
  }
}

/** Writes the facts of the groups in `mask` into `f` (a copy of the all-unknown vector) and returns it. */
export type Deriver<Subject> = (f: number[], subject: Subject, ctx: DeriveContext, mask: number) => number[]

/**
 * The catalogue's derivation as one function, generated once: a `prepare` call per group in the
 * mask, then each derive entry called at its own call site. Looping over the entries instead would
 * make one call site that sees every entry, which V8 then inlines none of: CPU time per derivation
 * of every group was about 4.3 µs looping against 3.7 µs generated (3.3 µs for the hand-written
 * code before the groups were modules; bench/derive.bench.ts, on a loaded machine). The
 * generated text holds only numbers and parameter names, nothing from a table or an applicant.
 */
export function compileDeriver<Subject>(catalogue: Catalogue<Subject>): Deriver<Subject> {
  const names: string[] = []
  const fns: unknown[] = []
  const lines: string[] = []
  catalogue.groups.forEach((g, gi) => {
    names.push(`p${gi}`)
    fns.push(g.prepare)
    lines.push(`if (mask & ${g.bit}) {`, `  const w = p${gi}(s, ctx)`)
    g.values.forEach((v, k) => {
      names.push(`v${gi}_${k}`)
      fns.push(v)
      lines.push(`  f[${g.slots[k]}] = v${gi}_${k}(w, ctx)`)
    })
    lines.push('}')
  })
  const source = `return function derive(f, s, ctx, mask) {\n${lines.join('\n')}\nreturn f\n}`
  return new Function(...names, source)(...fns) as Deriver<Subject>
}
