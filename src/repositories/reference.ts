// Reference numbers of official records: JF-<year>-<seq padded to 6>, counted per calendar year.

export function formatReference(year: number, seq: number): string {
  return `JF-${year}-${String(seq).padStart(6, '0')}`
}
