// Reference numbers of official records (JF-<year>-<seq padded to 6>, counted per calendar year) and the life of each record (void, correction).
import type { RecordLife, RecordVoid } from './types.ts'

export function formatReference(year: number, seq: number): string {
  return `JF-${year}-${String(seq).padStart(6, '0')}`
}

/**
 * Folds void rows into each asked-for record's life: its own void, and which record it corrects.
 * Pure and shared by both backends so SQLite and PostgreSQL cannot disagree on what a record's life is;
 * rows about records not asked for are ignored (the query matches on either column).
 */
export function foldLives(ids: readonly string[], voids: Iterable<RecordVoid>): Map<string, RecordLife> {
  const out = new Map<string, RecordLife>(ids.map((id) => [id, { void: null, corrects: null }]))
  for (const v of voids) {
    const voided = out.get(v.recordId)
    if (voided) voided.void = v
    const correction = v.correctedBy === null ? undefined : out.get(v.correctedBy)
    if (correction) correction.corrects = v.recordId
  }
  return out
}
