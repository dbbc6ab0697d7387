// GB 11643-1999 citizen ID numbers: checksum, embedded birth date, masking.
import { isCalendarDate } from '../lib/calendar.ts'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** The check character (ISO 7064 MOD 11-2) for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK_CHARS[sum % 11]
}

/** The birth date written in the ID (characters 7–14) as YYYY-MM-DD, or null when it is not a date. */
export function idBirthDate(id: string): string | null {
  const d = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
  return isCalendarDate(d) ? d : null
}

export type IdProblem = 'format' | 'checksum' | 'birth_date'

/** Why an ID number is not valid, or null when it is. */
export function idNumberProblem(id: string): IdProblem | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'format'
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return 'checksum'
  if (idBirthDate(id) === null) return 'birth_date'
  return null
}

/** The form that may be shown and stored in clear: region prefix and check character only. */
export function maskIdNumber(id: string): string {
  return `${id.slice(0, 6)}${'*'.repeat(11)}${id.slice(17)}`
}
