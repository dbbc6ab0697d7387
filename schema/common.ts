// Shared value shapes: calendar dates, months, GB/T 2260 region codes.
import { z } from 'zod'
import { isCalendarDate, isCalendarMonth } from '../lib/calendar.ts'

export const DateStringSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine(isCalendarDate, { message: 'not a calendar date' })
  .meta({ description: 'A calendar date, YYYY-MM-DD', example: '2026-04-30' })
export type DateString = z.infer<typeof DateStringSchema>

export const MonthStringSchema = z
  .string()
  .regex(/^\d{4}-\d{2}$/, 'expected a month YYYY-MM')
  .refine(isCalendarMonth, { message: 'not a calendar month' })
  .meta({ description: 'A calendar month, YYYY-MM', example: '2019-03' })
export type MonthString = z.infer<typeof MonthStringSchema>

/** GB/T 2260 county-level code (6 digits) or a 9-digit town/street code where the caller has one. */
export const RegionCodeSchema = z
  .string()
  .regex(/^(\d{6}|\d{9})$/, 'expected a GB/T 2260 region code (6 digits, or 9 for a town/street)')
  .meta({ description: 'GB/T 2260 region code (6 digits) or a 9-digit town/street code', example: '330212' })
export type RegionCode = z.infer<typeof RegionCodeSchema>

/** A jurisdiction of use is always a 6-digit GB/T 2260 code (province, city or district). */
export const JurisdictionSchema = z
  .string()
  .regex(/^\d{6}$/, 'expected a 6-digit GB/T 2260 code')
  .meta({ description: 'Jurisdiction of use, a 6-digit GB/T 2260 code', example: '330212' })

/**
 * A map (JSON object with caller-chosen keys) with a documented maximum number of entries. The
 * maximum is `maxProperties` in the contract, and the service refuses a longer map before validating
 * any of its entries (src/plugins/validation.ts reads it from here).
 */
export function boundedRecord<K extends z.core.$ZodRecordKey, V extends z.core.SomeType>(
  key: K,
  value: V,
  maxEntries: number,
) {
  return z
    .record(key, value)
    .refine((r) => Object.keys(r).length <= maxEntries, { message: `at most ${maxEntries} entries` })
    .meta({ maxProperties: maxEntries })
}
