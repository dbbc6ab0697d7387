// ID numbers are stored as a keyed HMAC (for lookups) plus a masked form (for display), never in full.
import { createHmac } from 'node:crypto'
import { maskIdNumber } from '../../schema/id-number.ts'

export interface ProtectedId {
  /** HMAC-SHA256 of the ID under the service's secret: equal IDs give equal values, nothing else leaks */
  hmac: string
  /** region prefix and check character only: 330212***********X */
  masked: string
}

export function protectIdNumber(idNumber: string, secret: string): ProtectedId {
  return { hmac: idHmac(idNumber, secret), masked: maskIdNumber(idNumber) }
}

export function idHmac(idNumber: string, secret: string): string {
  return createHmac('sha256', secret).update(idNumber).digest('hex')
}
