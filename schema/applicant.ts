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
  z
    .object({
      kind: z.literal('skill_level').meta({ description: 'a vocational qualification (职业资格/技能等级)' }),
      level: z
        .number()
        .int()
        .min(1)
        .max(5)
        .meta({ description: 'the national level, 1 (高级技师) to 5 (初级工)', example: 3 }),
    })
    .strict(),
  z
    .object({
      kind: z.literal('title').meta({ description: 'a professional title (专业技术职称)' }),
      grade: z.enum(TITLE_GRADES).meta({
        description: 'the grade of the title: junior 初级 … senior 正高级',
        example: 'intermediate',
      }),
    })
    .strict(),
  z
    .object({
      kind: z.literal('special_ability').meta({
        description: 'a special ability recognised by the city (特殊才能), scored as the table says',
      }),
    })
    .strict(),
])
export type Skill = z.infer<typeof SkillSchema>

export const InsurancePeriodSchema = z
  .object({
    from: MonthStringSchema.meta({ description: 'first month paid', example: '2019-03' }),
    to: MonthStringSchema.nullable().meta({
      description: 'last month paid, inclusive; null = ongoing',
      example: '2025-12',
    }),
    region: RegionCodeSchema.meta({
      description: 'where the contributions were paid (GB/T 2260)',
      example: '330212',
    }),
    backPaid: z.boolean().default(false).meta({
      description: 'paid afterwards for past months (补缴); the tables may not count them',
      example: false,
    }),
  })
  .strict()
  .refine((p) => p.to === null || p.to >= p.from, toNotBeforeFrom)
export type InsurancePeriod = z.infer<typeof InsurancePeriodSchema>

export const PermitSchema = z
  .object({
    issuedOn: DateStringSchema.meta({
      description: 'the day the residence permit was issued',
      example: '2019-03-01',
    }),
    endorsements: z
      .array(DateStringSchema)
      .max(100)
      .default([])
      .meta({
        description: 'the days the permit was endorsed (签注), each on or after issuedOn',
        example: ['2020-02-20', '2021-02-25'],
      }),
  })
  .strict()
  .refine((p) => p.endorsements.every((e) => e >= p.issuedOn), {
    message: 'an endorsement is dated before the permit was issued',
    path: ['endorsements'],
  })
export type Permit = z.infer<typeof PermitSchema>

export const ResidenceSchema = z
  .object({
    registeredSince: DateStringSchema.meta({
      description: 'the day residence was registered (居住登记) in the region',
      example: '2019-02-20',
    }),
    region: RegionCodeSchema.meta({
      description: 'where the applicant lives (GB/T 2260)',
      example: '330212',
    }),
    permit: PermitSchema.nullable()
      .default(null)
      .meta({
        description: 'the residence permit (居住证), null when none was issued',
        example: { issuedOn: '2019-03-01', endorsements: ['2020-02-20'] },
      }),
  })
  .strict()
export type Residence = z.infer<typeof ResidenceSchema>

export const EmploymentSchema = z
  .object({
    kind: z.enum(EMPLOYMENT_KINDS).meta({
      description: 'the basis of the work: a labour contract, a business licence or a land contract',
      example: 'labour_contract',
    }),
    from: DateStringSchema.meta({ description: 'first day of the work', example: '2019-03-01' }),
    to: DateStringSchema.nullable().meta({
      description: 'last day, inclusive; null = ongoing',
      example: null,
    }),
    region: RegionCodeSchema.meta({ description: 'where the work is (GB/T 2260)', example: '330212' }),
  })
  .strict()
  .refine((p) => p.to === null || p.to >= p.from, toNotBeforeFrom)
export type Employment = z.infer<typeof EmploymentSchema>

export const StudySchema = z
  .object({
    from: DateStringSchema.meta({ description: 'first day of full-time study', example: '2015-09-01' }),
    to: DateStringSchema.nullable().meta({
      description: 'last day of study, inclusive; null = still studying',
      example: '2018-06-30',
    }),
    region: RegionCodeSchema.meta({ description: 'where the school is (GB/T 2260)', example: '330203' }),
  })
  .strict()
  .refine((p) => p.to === null || p.to >= p.from, toNotBeforeFrom)
export type Study = z.infer<typeof StudySchema>

export const HousingSchema = z
  .object({
    kind: z.enum(HOUSING_KINDS).meta({
      description:
        'how the applicant is housed: none, a dormitory, public rental, a registered rental or owned',
      example: 'registered_rental',
    }),
    region: RegionCodeSchema.nullable()
      .default(null)
      .meta({ description: 'where the home is (GB/T 2260); null when unknown', example: '330212' }),
    owner: z
      .enum(['self', 'spouse'])
      .nullable()
      .default(null)
      .meta({ description: 'for an owned home, whose name is on the deed; null otherwise', example: null }),
  })
  .strict()
export type Housing = z.infer<typeof HousingSchema>

export const GraduationSchema = z
  .object({
    level: EducationSchema.meta({ description: 'the level of the degree or diploma', example: 'bachelor' }),
    fullTime: z.boolean().meta({ description: 'full-time (全日制) study', example: true }),
    graduatedOn: DateStringSchema.meta({ description: 'the day of graduation', example: '2010-06-30' }),
  })
  .strict()

export const CityItemsSchema = z
  .object({
    shortageOccupation: z
      .boolean()
      .default(false)
      .meta({ description: 'works in an occupation on the city’s shortage list (紧缺职业)', example: false }),
    yearlyTaxYuan: z
      .number()
      .min(0)
      .max(1e12)
      .default(0)
      .meta({ description: 'tax paid in the last year by the applicant’s business, in yuan', example: 0 }),
    insuredEmployeesHired: count(1_000_000)
      .default(0)
      .meta({ description: 'employees the applicant’s business insures in Ningbo', example: 0 }),
    inventionPatents: count(100_000)
      .default(0)
      .meta({ description: 'invention patents (发明专利) held as the first inventor', example: 0 }),
    utilityPatents: count(100_000)
      .default(0)
      .meta({ description: 'utility-model patents (实用新型专利) held as the first inventor', example: 1 }),
    honours: z
      .array(z.enum(HONOUR_LEVELS))
      .max(100)
      .default([])
      .meta({
        description: 'honours received, one entry per honour, by the level that awarded it',
        example: ['city'],
      }),
    publicWelfareHours: z
      .number()
      .min(0)
      .max(1_000_000)
      .default(0)
      .meta({ description: 'registered volunteer hours (志愿服务时长)', example: 120 }),
    bloodDonations: count(10_000)
      .default(0)
      .meta({ description: 'unpaid blood donations (无偿献血次数)', example: 3 }),
    organDonation: z
      .enum(ORGAN_DONATION)
      .default('none')
      .meta({ description: 'organ donation: registered as a donor, or donated', example: 'none' }),
  })
  .strict()
export type CityItems = z.infer<typeof CityItemsSchema>

export const RecordSchema = z
  .object({
    kind: z.enum(RECORD_KINDS).meta({
      description: 'dishonesty (失信), a criminal record, or a veto the table names',
      example: 'dishonesty',
    }),
    date: DateStringSchema.meta({ description: 'the day the record was made', example: '2022-08-10' }),
  })
  .strict()

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
).meta({ description: DISTRICT_ITEMS_DESCRIPTION, example: { local_honours: 1, special_post: false } })

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
      .meta({
        description:
          'GB 11643 citizen ID number (18 characters, checksum validated); its birth date must be birthDate. Stored only as a keyed hash and a masked form',
        example: '330212198806151238',
      }),
    birthDate: DateStringSchema.meta({ description: 'the applicant’s date of birth', example: '1988-06-15' }),
    education: EducationSchema.default('none').meta({
      description: 'the highest education completed',
      example: 'junior_college',
    }),
    skills: z
      .array(SkillSchema)
      .max(50)
      .default([])
      .meta({
        description: 'vocational qualifications and professional titles held; the table scores the best',
        example: [{ kind: 'skill_level', level: 3 }],
      }),
    socialInsurance: z
      .array(InsurancePeriodSchema)
      .max(500)
      .default([])
      .meta({
        description: 'periods of social-insurance contributions, by month',
        example: [{ from: '2019-03', to: null, region: '330212', backPaid: false }],
      }),
    residence: ResidenceSchema.nullable()
      .default(null)
      .meta({
        description: 'registered residence and the residence permit; null when not registered',
        example: {
          registeredSince: '2019-02-20',
          region: '330212',
          permit: { issuedOn: '2019-03-01', endorsements: [] },
        },
      }),
    employment: z
      .array(EmploymentSchema)
      .max(200)
      .default([])
      .meta({
        description: 'periods of work in the region',
        example: [{ kind: 'labour_contract', from: '2019-03-01', to: null, region: '330212' }],
      }),
    study: z
      .array(StudySchema)
      .max(50)
      .default([])
      .meta({
        description: 'periods of full-time study in the region',
        example: [{ from: '2015-09-01', to: '2018-06-30', region: '330203' }],
      }),
    housing: HousingSchema.nullable()
      .default(null)
      .meta({
        description: 'the applicant’s housing; null when not given',
        example: { kind: 'registered_rental', region: '330212', owner: null },
      }),
    hukou: RegionCodeSchema.nullable().default(null).meta({
      description: 'where the household registration (户籍) is (GB/T 2260); null when outside the records',
      example: '330203',
    }),
    graduation: GraduationSchema.nullable()
      .default(null)
      .meta({
        description: 'the graduation the graduates’ route asks about (毕业信息); null when not given',
        example: { level: 'bachelor', fullTime: true, graduatedOn: '2010-06-30' },
      }),
    cityItems: CityItemsSchema.default(() => CityItemsSchema.parse({})).meta({
      description: 'the city-wide bonus items (加分项); each defaults to none',
      example: { bloodDonations: 3, publicWelfareHours: 120 },
    }),
    districtItems: DistrictItemsSchema.default({}),
    records: z
      .array(RecordSchema)
      .max(200)
      .default([])
      .meta({
        description: 'records that deduct points or bar the applicant (失信、犯罪、一票否决)',
        example: [{ kind: 'dishonesty', date: '2022-08-10' }],
      }),
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
