// The applicant's facts in the caller vocabulary of product.md ("The contract with callers").
import { z } from 'zod'
import { boundedRecord, DateStringSchema, MonthStringSchema, RegionCodeSchema } from './common.ts'
import { idBirthDate, idNumberProblem } from './id-number.ts'

export const EDUCATION_LEVELS = [
  'none',
  'primary',
  'junior',
  'senior',
  'vocational_secondary',
  'junior_college',
  'bachelor',
  'master',
  'doctorate',
] as const
export const EducationSchema = z.enum(EDUCATION_LEVELS)
export type Education = z.infer<typeof EducationSchema>

export const TITLE_GRADES = ['junior', 'intermediate', 'deputy_senior', 'senior'] as const
export const HONOUR_LEVELS = ['district', 'city', 'provincial', 'national'] as const
export const ORGAN_DONATION = ['none', 'registered', 'donated'] as const
export const HOUSING_KINDS = ['none', 'dormitory', 'public_rental', 'registered_rental', 'owned'] as const
export const EMPLOYMENT_KINDS = ['labour_contract', 'business_licence', 'land_contract'] as const
export const RECORD_KINDS = ['dishonesty', 'crime', 'veto'] as const

/** Counts are bounded so that points arithmetic stays exact in safe integers. */
const count = (max: number) => z.number().int().min(0).max(max)

/** `to` may not precede `from` in any period. */
const toNotBeforeFrom = { message: '`to` is before `from`', path: ['to'] }

export const SkillSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('skill_level'), level: z.number().int().min(1).max(5) }).strict(),
  z.object({ kind: z.literal('title'), grade: z.enum(TITLE_GRADES) }).strict(),
  z.object({ kind: z.literal('special_ability') }).strict(),
])
export type Skill = z.infer<typeof SkillSchema>

export const InsurancePeriodSchema = z
  .object({
    from: MonthStringSchema,
    to: MonthStringSchema.nullable().meta({ description: 'last month paid, inclusive; null = ongoing' }),
    region: RegionCodeSchema,
    backPaid: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.to === null || p.to >= p.from, toNotBeforeFrom)
export type InsurancePeriod = z.infer<typeof InsurancePeriodSchema>

export const PermitSchema = z
  .object({
    issuedOn: DateStringSchema,
    endorsements: z.array(DateStringSchema).max(100).default([]),
  })
  .strict()
  .refine((p) => p.endorsements.every((e) => e >= p.issuedOn), {
    message: 'an endorsement is dated before the permit was issued',
    path: ['endorsements'],
  })
export type Permit = z.infer<typeof PermitSchema>

export const ResidenceSchema = z
  .object({
    registeredSince: DateStringSchema,
    region: RegionCodeSchema,
    permit: PermitSchema.nullable().default(null),
  })
  .strict()
export type Residence = z.infer<typeof ResidenceSchema>

export const EmploymentSchema = z
  .object({
    kind: z.enum(EMPLOYMENT_KINDS),
    from: DateStringSchema,
    to: DateStringSchema.nullable().meta({ description: 'last day, inclusive; null = ongoing' }),
    region: RegionCodeSchema,
  })
  .strict()
  .refine((p) => p.to === null || p.to >= p.from, toNotBeforeFrom)
export type Employment = z.infer<typeof EmploymentSchema>

export const StudySchema = z
  .object({ from: DateStringSchema, to: DateStringSchema.nullable(), region: RegionCodeSchema })
  .strict()
  .refine((p) => p.to === null || p.to >= p.from, toNotBeforeFrom)
export type Study = z.infer<typeof StudySchema>

export const HousingSchema = z
  .object({
    kind: z.enum(HOUSING_KINDS),
    region: RegionCodeSchema.nullable().default(null),
    owner: z.enum(['self', 'spouse']).nullable().default(null),
  })
  .strict()
export type Housing = z.infer<typeof HousingSchema>

export const GraduationSchema = z
  .object({ level: EducationSchema, fullTime: z.boolean(), graduatedOn: DateStringSchema })
  .strict()

export const CityItemsSchema = z
  .object({
    shortageOccupation: z.boolean().default(false),
    yearlyTaxYuan: z.number().min(0).max(1e12).default(0),
    insuredEmployeesHired: count(1_000_000).default(0),
    inventionPatents: count(100_000).default(0),
    utilityPatents: count(100_000).default(0),
    honours: z.array(z.enum(HONOUR_LEVELS)).max(100).default([]),
    publicWelfareHours: z.number().min(0).max(1_000_000).default(0),
    bloodDonations: count(10_000).default(0),
    organDonation: z.enum(ORGAN_DONATION).default('none'),
  })
  .strict()
export type CityItems = z.infer<typeof CityItemsSchema>

export const RecordSchema = z.object({ kind: z.enum(RECORD_KINDS), date: DateStringSchema }).strict()

/**
 * What callers read about districtItems in the contract. It names the shipped tables' items so that a
 * caller can see them without a key; a test keeps it in step with the tables (test/routes/district-items.test.ts).
 */
const DISTRICT_ITEMS_DESCRIPTION = [
  'Values for the district items of the points table in force for the jurisdiction and as-of date, by item id: a number for a count, true or false for a yes-or-no item.',
  'Each table lists its items, with their types, in `districtItems` of GET /v1/rulesets/{id}.',
  'An id that the tables in force do not define, or a value of the wrong type, is a 400 naming it.',
  'Shipped tables: xiangshan-points-2022 (象山县, 330225): local_housing (boolean), local_honours (number), local_donation (number), mobile_party_member (boolean), special_post (boolean), spring_festival_stay (boolean);',
  'fenghua-points-2022 (奉化区, 330213): brave_act (boolean), local_honours (number), party_member (boolean), donation_certificate (boolean), public_interest_post (boolean), military_service (boolean), spring_festival_stay (boolean).',
  'The other shipped tables define none.',
].join(' ')

/** District items one applicant may carry: the shipped district tables define at most seven. */
export const MAX_DISTRICT_ITEMS = 64

export const DistrictItemsSchema = boundedRecord(
  z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'item ids are lower_snake_case'),
  z.union([z.number().min(0).max(1_000_000), z.boolean()]),
  MAX_DISTRICT_ITEMS,
).meta({ description: DISTRICT_ITEMS_DESCRIPTION })

export const ApplicantSchema = z
  .object({
    idNumber: z
      .string()
      .regex(/^\d{17}[\dX]$/, 'expected an 18-character ID number')
      .refine((id) => idNumberProblem(id) !== 'checksum', { message: 'ID number checksum does not match' })
      .refine((id) => idNumberProblem(id) !== 'birth_date', {
        message: 'ID number holds no valid birth date',
      })
      .optional()
      .meta({ description: 'GB 11643 citizen ID number (18 characters, checksum validated)' }),
    birthDate: DateStringSchema,
    education: EducationSchema.default('none'),
    skills: z.array(SkillSchema).max(50).default([]),
    socialInsurance: z.array(InsurancePeriodSchema).max(500).default([]),
    residence: ResidenceSchema.nullable().default(null),
    employment: z.array(EmploymentSchema).max(200).default([]),
    study: z.array(StudySchema).max(50).default([]),
    housing: HousingSchema.nullable().default(null),
    hukou: RegionCodeSchema.nullable().default(null),
    graduation: GraduationSchema.nullable().default(null),
    cityItems: CityItemsSchema.default(() => CityItemsSchema.parse({})),
    districtItems: DistrictItemsSchema.default({}),
    records: z.array(RecordSchema).max(200).default([]),
  })
  .strict()
  .refine((a) => a.idNumber === undefined || idBirthDate(a.idNumber) === a.birthDate, {
    message: 'birthDate differs from the birth date in the ID number',
    path: ['birthDate'],
  })
  .meta({ id: 'Applicant', description: 'One person’s facts, in the caller vocabulary' })
/** An applicant after parsing: every optional part has its default filled in. */
export type Applicant = z.output<typeof ApplicantSchema>
export type ApplicantInput = z.input<typeof ApplicantSchema>
