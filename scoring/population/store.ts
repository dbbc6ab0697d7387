// Columnar fact store of a population: each applicant's facts derived once, one Float64Array per fact the tables read.
import { type Applicant, RECORD_KINDS } from '../../schema/applicant.ts'
import type { Condition, Table } from '../../schema/table.ts'
import { type DayNumber, fromDay, toDay } from '../calendar.ts'
import type { CompiledTable } from '../compiled.ts'
import { type EvalContext, namedDay } from '../env.ts'
import { derivePersonFacts, groupsFor } from '../facts.ts'

/**
 * Which column a rule reads: a fact as of the as-of date is keyed by its name, a fact as of a
 * named date by `name@YYYY-MM-DD` (the day the name stands for under this population's context).
 */
export function columnKey(fact: string, day: DayNumber | null): string {
  return day === null ? fact : `${fact}@${fromDay(day)}`
}

/** The jurisdiction facts are derived for when `table` is scored under `ctx` (as `evaluate` does). */
export function jurisdictionOf(table: Table, ctx: EvalContext): string {
  return ctx.jurisdiction ?? table.jurisdiction
}

/** The day a named date stands for, or null for the as-of date. */
export function dayOfName(
  table: Table,
  at: string | undefined,
  asOf: DayNumber,
  ctx: EvalContext,
): DayNumber | null {
  return at === undefined ? null : namedDay(table, at, asOf, ctx)
}

/** Every (fact, day) a points table reads under `ctx`, as column keys with their derivation day. */
export function columnsOf(
  c: CompiledTable,
  ctx: EvalContext,
): Map<string, { fact: string; day: DayNumber | null }> {
  const table = c.table
  const asOf = toDay(ctx.asOf)
  const out = new Map<string, { fact: string; day: DayNumber | null }>()
  const add = (fact: string, day: DayNumber | null): void => {
    out.set(columnKey(fact, day), { fact, day })
  }
  const walk = (cond: Condition): void => {
    if ('fact' in cond) add(cond.fact, dayOfName(table, cond.at, asOf, ctx))
    else if ('all' in cond) cond.all.forEach(walk)
    else if ('any' in cond) cond.any.forEach(walk)
    else if ('not' in cond) walk(cond.not)
    // anyMember/allMembers do not compile in a person scope (compileTable rejects them)
  }
  for (const item of table.items) {
    if (item.when) walk(item.when)
    switch (item.kind) {
      case 'per_unit':
        for (const t of item.terms) add(t.fact, null)
        if (item.steps) add(item.steps.fact, null)
        break
      case 'bands':
      case 'category':
        add(item.fact, null)
        break
      case 'tiers':
        for (const t of item.tiers) walk(t.when)
        break
      case 'binary':
        walk(item.when)
        break
    }
  }
  for (const g of table.gates) walk(g.when)
  return out
}

/** A population's facts, as of one date in one jurisdiction, column by column. */
export interface PopulationFacts {
  /** number of applicants (rows) */
  size: number
  ctx: EvalContext
  asOfDay: DayNumber
  jurisdiction: string
  /** by column key (see `columnKey`): the fact's value per applicant, NaN where unknown */
  columns: ReadonlyMap<string, Float64Array>
  /**
   * Records dated on or before the as-of date (later ones never count), in the applicant's order:
   * applicant i's are at [recordStart[i], recordStart[i + 1]); kind is its index in RECORD_KINDS.
   */
  recordStart: Int32Array
  recordKind: Uint8Array
  recordDay: Int32Array
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size)
  b.set(a)
  return b
}

/**
 * Derives applicants' facts one at a time into columns, so that a caller streaming rows (a batch
 * file, a generator) never holds the applicants themselves: only the columns grow.
 */
export class PopulationBuilder {
  readonly jurisdiction: string
  private readonly asOfDay: DayNumber
  private readonly groups: number
  /** one entry per derivation day: the columns filled from that day's fact vector */
  private readonly byDay: {
    day: DayNumber
    person: { key: string; index: number }[]
    district: { key: string; id: string }[]
  }[] = []
  private readonly columns = new Map<string, Float64Array>()
  private size = 0
  private capacity: number
  private recordStart: Int32Array
  private recordKind: Uint8Array
  private recordDay: Int32Array
  private records = 0

  /** `tables`: every points table the population will be scored under (their columns are derived). */
  constructor(
    tables: readonly CompiledTable[],
    private readonly ctx: EvalContext,
    capacity = 1024,
  ) {
    if (tables.length === 0) throw new Error('a population needs at least one table to derive facts for')
    this.jurisdiction = jurisdictionOf(tables[0].table, ctx)
    this.asOfDay = toDay(ctx.asOf)
    const wanted = new Map<string, { fact: string; day: DayNumber | null }>()
    for (const c of tables) {
      if (c.table.scheme !== 'points') throw new Error(`${c.table.id} is a ${c.table.scheme} table`)
      if (jurisdictionOf(c.table, ctx) !== this.jurisdiction)
        throw new Error(
          `${c.table.id} is for ${c.table.jurisdiction}, the population for ${this.jurisdiction}: pass ctx.jurisdiction`,
        )
      for (const [k, v] of columnsOf(c, ctx)) wanted.set(k, v)
    }
    this.groups = groupsFor([...wanted.values()].map((w) => w.fact))
    const person = tables[0].scope.index
    for (const [key, { fact, day }] of wanted) {
      const d = day ?? this.asOfDay
      let slot = this.byDay.find((s) => s.day === d)
      if (!slot) {
        slot = { day: d, person: [], district: [] }
        this.byDay.push(slot)
      }
      if (fact.startsWith('district.')) slot.district.push({ key, id: fact.slice('district.'.length) })
      else slot.person.push({ key, index: person.get(fact)! })
    }
    this.capacity = Math.max(1, capacity)
    for (const key of wanted.keys()) this.columns.set(key, new Float64Array(this.capacity))
    this.recordStart = new Int32Array(this.capacity + 1)
    this.recordKind = new Uint8Array(16)
    this.recordDay = new Int32Array(16)
  }

  /** Derives one applicant's facts into the next row; returns its row index. */
  add(a: Applicant): number {
    const row = this.size
    if (row === this.capacity) {
      this.capacity *= 2
      for (const [k, col] of this.columns) this.columns.set(k, grow(col, this.capacity))
      this.recordStart = grow(this.recordStart, this.capacity + 1)
    }
    for (const slot of this.byDay) {
      if (slot.person.length > 0) {
        const f = derivePersonFacts(a, slot.day, this.jurisdiction, this.groups)
        for (const p of slot.person) this.columns.get(p.key)![row] = f[p.index]
      }
      // district facts as PersonDeriver appends them: absent 0, yes/no 1/0
      for (const d of slot.district) {
        const v = a.districtItems[d.id]
        this.columns.get(d.key)![row] = v === undefined ? 0 : typeof v === 'boolean' ? (v ? 1 : 0) : v
      }
    }
    for (const r of a.records) {
      const day = toDay(r.date)
      if (day > this.asOfDay) continue
      if (this.records === this.recordKind.length) {
        this.recordKind = grow(this.recordKind, this.records * 2)
        this.recordDay = grow(this.recordDay, this.records * 2)
      }
      this.recordKind[this.records] = RECORD_KINDS.indexOf(r.kind)
      this.recordDay[this.records] = day
      this.records++
    }
    this.size = row + 1
    this.recordStart[this.size] = this.records
    return row
  }

  /** The population so far (the builder can go on adding; the result keeps its own size). */
  finish(): PopulationFacts {
    const n = this.size
    const columns = new Map<string, Float64Array>()
    for (const [k, col] of this.columns) columns.set(k, col.subarray(0, n))
    return {
      size: n,
      ctx: this.ctx,
      asOfDay: this.asOfDay,
      jurisdiction: this.jurisdiction,
      columns,
      recordStart: this.recordStart.subarray(0, n + 1),
      recordKind: this.recordKind.subarray(0, this.records),
      recordDay: this.recordDay.subarray(0, this.records),
    }
  }
}

/** Derives the facts of `applicants` for scoring under `tables` as of `ctx.asOf`. */
export function derivePopulation(
  applicants: Iterable<Applicant>,
  tables: readonly CompiledTable[],
  ctx: EvalContext,
): PopulationFacts {
  const b = new PopulationBuilder(tables, ctx, Array.isArray(applicants) ? applicants.length : 1024)
  for (const a of applicants) b.add(a)
  return b.finish()
}
