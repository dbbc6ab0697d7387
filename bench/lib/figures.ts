// The benchmark figure contract: each bench prints for humans and, when BENCH_JSON_OUT names a file, writes its figures there.
import { writeFileSync } from 'node:fs'

export type BarOp = '<=' | '>=' | '<' | '>'

export interface Figure {
  /** stable id, `<bench>.<what>` (e.g. `engine.bundle.vs_jre`) */
  id: string
  label: string
  value: number
  unit: string
  /** only where product.md sets a bar for this figure */
  bar?: { op: BarOp; value: number }
  pass?: boolean
  /** the reason and the next step when a bar is not met; any caveat otherwise */
  note?: string
}

/** BENCH_QUICK=1: smaller sizes, a smoke run whose figures say nothing about the bars. */
export const QUICK = process.env.BENCH_QUICK === '1'

export function meets(value: number, bar: { op: BarOp; value: number }): boolean {
  switch (bar.op) {
    case '<=':
      return value <= bar.value
    case '>=':
      return value >= bar.value
    case '<':
      return value < bar.value
    case '>':
      return value > bar.value
  }
}

/** A figure with its pass computed from its bar (so a bench cannot state a pass its value contradicts). */
export function fig(f: Omit<Figure, 'pass'>): Figure {
  return f.bar === undefined ? f : { ...f, pass: meets(f.value, f.bar) }
}

/** Writes the figures where the runner asked (BENCH_JSON_OUT); does nothing when run by hand. */
export function writeFigures(figures: Figure[]): void {
  const out = process.env.BENCH_JSON_OUT
  if (out) writeFileSync(out, `${JSON.stringify({ figures }, null, 2)}\n`)
}
