// An admission application's household: parents (applicants), the child, homes owned, preferences.
import { z } from 'zod'
import { ApplicantSchema, PermitSchema } from './applicant.ts'
import { DateStringSchema, RegionCodeSchema } from './common.ts'
import { idBirthDate, idNumberProblem } from './id-number.ts'

export const ChildSchema = z
  .object({
    idNumber: z
      .string()
      .regex(/^\d{17}[\dX]$/, 'expected an 18-character ID number')
      .refine((id) => idNumberProblem(id) === null, {
        message: 'ID number checksum or birth date is not valid',
      })
      .optional()
      .meta({
        description:
          'the child’s GB 11643 ID number (checksum validated); its birth date must be birthDate. Finds the same child twice; stored only masked and as a keyed hash',
        example: '330212201909010029',
      }),
    birthDate: DateStringSchema.meta({ description: 'the child’s date of birth', example: '2019-09-01' }),
    hukou: RegionCodeSchema.nullable().meta({
      description:
        'where the child’s household registration (户籍) is (GB/T 2260); null when outside the records',
      example: '330212',
    }),
    entryGrade: z
      .enum(['P1', 'J1'])
      .meta({ description: 'the grade applied for: P1 (小学一年级) or J1 (初中一年级)', example: 'P1' }),
    permit: PermitSchema.nullable().default(null).meta({
      description: 'the child’s own residence permit, where the table asks for one; null when none',
      example: null,
    }),
  })
  .strict()
  .refine((c) => c.idNumber === undefined || idBirthDate(c.idNumber) === c.birthDate, {
    message: 'birthDate differs from the birth date in the ID number',
    path: ['birthDate'],
  })
  .meta({ id: 'Child' })

export const HouseholdSchema = z
  .object({
    parents: z
      .array(ApplicantSchema)
      .min(1)
      .max(2)
      .meta({ description: 'one or two parents, each with their own facts; the better score counts' }),
    child: ChildSchema.meta({ description: 'the child applying' }),
    ownsHomeIn: z
      .array(RegionCodeSchema)
      .max(20)
      .default([])
      .meta({ description: 'regions (GB/T 2260) where the household owns a home', example: ['330212'] }),
    preferences: z
      .array(z.string().min(1).max(64))
      .max(20)
      .default([])
      .meta({
        description: 'the unit ids of the round, first choice first',
        example: ['yz-p-01', 'yz-p-02'],
      }),
    appliedAt: z.iso.datetime({ offset: true }).optional().meta({
      description: 'when the family applied (RFC 3339 with an offset)',
      example: '2026-05-06T09:30:00+08:00',
    }),
    pointsAppliedOn: DateStringSchema.optional().meta({
      description:
        'the day the family applied for residence points (Zhenhai admits only points applied for before online enrolment opens: the round’s window opening, or `dates.enrolmentOpens`); not given: that gate fails',
      example: '2026-03-15',
    }),
  })
  .strict()
  .meta({ id: 'Household' })
export type Household = z.output<typeof HouseholdSchema>

/**
 * The closed vocabulary of tie-break keys. Directions are fixed, not data: points, social-insurance
 * months and residence months descending (more ranks higher), application time ascending (earlier
 * ranks higher), lottery ascending (the smaller hash ranks higher).
 */
export const TIE_BREAK_KEYS = [
  'points',
  'insuranceMonths',
  'residenceMonths',
  'appliedAt',
  'lottery',
] as const
export type TieBreakKey = (typeof TIE_BREAK_KEYS)[number]

/**
 * policy.md §5: no official order was found, so the order is data on each round and this is the default:
 * total points ↓, social-insurance months ↓, residence months ↓, application time ↑, then the lottery.
 */
export const DEFAULT_TIE_BREAK: readonly TieBreakKey[] = Object.freeze([
  'points',
  'insuranceMonths',
  'residenceMonths',
  'appliedAt',
  'lottery',
])
