// The applicant page's form ↔ preview-request mapping: pure functions, used by the page and by the Node tests.
// @ts-check

/**
 * The ten Ningbo districts and counties of policy.md §3.3, by GB/T 2260 code, in the order the page
 * lists them (their names are in the page's dictionaries, i18n.js).
 */
export const DISTRICT_CODES = Object.freeze([
  '330203',
  '330205',
  '330206',
  '330211',
  '330212',
  '330213',
  '330225',
  '330226',
  '330281',
  '330282',
])

// The caller vocabulary of schema/applicant.ts; the page cannot import the zod schema, so a Node test
// checks these copies against it.
export const EDUCATION_LEVELS = Object.freeze([
  'none',
  'primary',
  'junior',
  'senior',
  'vocational_secondary',
  'junior_college',
  'bachelor',
  'master',
  'doctorate',
])
/** Ordered from the lowest grade to the highest. */
export const TITLE_GRADES = Object.freeze(['junior', 'intermediate', 'deputy_senior', 'senior'])
/** Ordered from the lowest honour to the highest. */
export const HONOUR_LEVELS = Object.freeze(['district', 'city', 'provincial', 'national'])
export const ORGAN_DONATION = Object.freeze(['none', 'registered', 'donated'])
export const HOUSING_KINDS = Object.freeze([
  'none',
  'dormitory',
  'public_rental',
  'registered_rental',
  'owned',
])
export const HOUSING_OWNERS = Object.freeze(['self', 'spouse'])
export const EMPLOYMENT_KINDS = Object.freeze(['labour_contract', 'business_licence', 'land_contract'])
export const RECORD_KINDS = Object.freeze(['dishonesty', 'crime', 'veto'])
/** Skill levels 1 (高级技师, the highest) to 5 (初级工). */
export const SKILL_LEVELS = Object.freeze(['1', '2', '3', '4', '5'])

/** The city items the form asks for as numbers (counts, yuan, hours). */
export const CITY_NUMBERS = Object.freeze([
  'yearlyTaxYuan',
  'insuredEmployeesHired',
  'inventionPatents',
  'utilityPatents',
  'publicWelfareHours',
  'bloodDonations',
])

/** The form's repeated rows, by the applicant array they fill. */
export const ROW_LISTS = Object.freeze(['socialInsurance', 'employment', 'records', 'endorsements'])

/**
 * @typedef {{ from: string, to: string, region: string, backPaid: boolean }} InsuranceRow
 * @typedef {{ kind: string, from: string, to: string, region: string }} EmploymentRow
 * @typedef {{ kind: string, date: string }} RecordRow
 * @typedef {{
 *   shortageOccupation: boolean, yearlyTaxYuan: string, insuredEmployeesHired: string,
 *   inventionPatents: string, utilityPatents: string, honours: string[], publicWelfareHours: string,
 *   bloodDonations: string, organDonation: string
 * }} CityFields
 * @typedef {{
 *   jurisdiction: string, asOf: string, birthDate: string, education: string,
 *   skillLevel: string, titleGrade: string, specialAbility: boolean,
 *   socialInsurance: InsuranceRow[],
 *   residence: { registeredSince: string, region: string, permitIssuedOn: string },
 *   endorsements: string[],
 *   employment: EmploymentRow[],
 *   housing: { kind: string, region: string, owner: string },
 *   city: CityFields,
 *   records: RecordRow[],
 *   target: { points: string, by: string }
 * }} Fields
 *   What the form holds, as typed: strings for inputs and selects ('' when blank), booleans for
 *   checkboxes, one array entry per row on screen. A region is a GB/T 2260 code.
 * @typedef {{ socialInsurance: number[], employment: number[], records: number[], endorsements: number[] }} RowMap
 *   For each list in the request, the form row each entry came from (blank rows are left out).
 * @typedef {{ jurisdiction: string, asOf: string, applicant: Record<string, unknown>, target?: Record<string, unknown> }} PreviewRequest
 */

/** @returns {Fields} a blank form */
export function emptyFields() {
  return {
    jurisdiction: '',
    asOf: '',
    birthDate: '',
    education: '',
    skillLevel: '',
    titleGrade: '',
    specialAbility: false,
    socialInsurance: [],
    residence: { registeredSince: '', region: '', permitIssuedOn: '' },
    endorsements: [],
    employment: [],
    housing: { kind: '', region: '', owner: '' },
    city: {
      shortageOccupation: false,
      yearlyTaxYuan: '',
      insuredEmployeesHired: '',
      inventionPatents: '',
      utilityPatents: '',
      honours: [],
      publicWelfareHours: '',
      bloodDonations: '',
      organDonation: '',
    },
    records: [],
    target: { points: '', by: '' },
  }
}

/** @param {unknown} s */
const text = (s) => (typeof s === 'string' ? s.trim() : '')

/**
 * A number as typed: blank is "not given" (undefined), a plain decimal is its number, and anything
 * else is passed on as typed so that the service names the field instead of the page guessing.
 * @param {string} s
 * @returns {number | string | undefined}
 */
export function numberOrAsTyped(s) {
  const v = s.trim()
  if (v === '') return undefined
  return /^\d+(\.\d+)?$/.test(v) ? Number(v) : v
}

/**
 * Whether any of these inputs holds something. A row's kind select is not counted: it always holds a
 * choice, and a row with nothing typed into it is blank to the person looking at it.
 * @param {unknown[]} values
 */
const anyGiven = (...values) => values.some((v) => (typeof v === 'string' ? v.trim() !== '' : v === true))

/**
 * The preview request for what the form holds. Blank rows and blank sections are left out (the
 * service's defaults apply); a section partly filled is sent as it is, so that what is missing comes
 * back as a field error from the service rather than being guessed here.
 * @param {Fields} f
 * @returns {{ request: PreviewRequest, rows: RowMap }}
 */
export function requestFromFields(f) {
  /** @type {RowMap} */
  const rows = { socialInsurance: [], employment: [], records: [], endorsements: [] }
  /** @type {Record<string, unknown>} */
  const applicant = { birthDate: text(f.birthDate) }
  if (f.education !== '') applicant.education = f.education

  /** @type {Record<string, unknown>[]} */
  const skills = []
  if (f.skillLevel !== '') skills.push({ kind: 'skill_level', level: Number(f.skillLevel) })
  if (f.titleGrade !== '') skills.push({ kind: 'title', grade: f.titleGrade })
  if (f.specialAbility) skills.push({ kind: 'special_ability' })
  if (skills.length > 0) applicant.skills = skills

  /** @type {Record<string, unknown>[]} */
  const insurance = []
  f.socialInsurance.forEach((r, i) => {
    if (!anyGiven(r.from, r.to, r.region, r.backPaid)) return
    rows.socialInsurance.push(i)
    insurance.push({
      from: text(r.from),
      to: text(r.to) || null,
      region: text(r.region),
      backPaid: r.backPaid,
    })
  })
  if (insurance.length > 0) applicant.socialInsurance = insurance

  /** @type {string[]} */
  const endorsements = []
  f.endorsements.forEach((d, i) => {
    if (text(d) === '') return
    rows.endorsements.push(i)
    endorsements.push(text(d))
  })
  const res = f.residence
  const permitGiven = text(res.permitIssuedOn) !== '' || endorsements.length > 0
  if (anyGiven(res.registeredSince, res.region) || permitGiven) {
    applicant.residence = {
      registeredSince: text(res.registeredSince),
      region: text(res.region),
      permit: permitGiven ? { issuedOn: text(res.permitIssuedOn), endorsements } : null,
    }
  }

  /** @type {Record<string, unknown>[]} */
  const employment = []
  f.employment.forEach((r, i) => {
    if (!anyGiven(r.from, r.to, r.region)) return
    rows.employment.push(i)
    employment.push({ kind: r.kind, from: text(r.from), to: text(r.to) || null, region: text(r.region) })
  })
  if (employment.length > 0) applicant.employment = employment

  const h = f.housing
  if (h.kind !== '') {
    applicant.housing = {
      kind: h.kind,
      region: text(h.region) || null,
      owner: h.kind === 'owned' && h.owner !== '' ? h.owner : null,
    }
  }

  /** @type {Record<string, unknown>} */
  const city = {}
  if (f.city.shortageOccupation) city.shortageOccupation = true
  for (const k of CITY_NUMBERS) {
    const v = numberOrAsTyped(/** @type {string} */ (f.city[/** @type {keyof CityFields} */ (k)]))
    if (v !== undefined) city[k] = v
  }
  if (f.city.honours.length > 0) city.honours = HONOUR_LEVELS.filter((l) => f.city.honours.includes(l))
  if (f.city.organDonation !== '' && f.city.organDonation !== 'none')
    city.organDonation = f.city.organDonation
  if (Object.keys(city).length > 0) applicant.cityItems = city

  /** @type {Record<string, unknown>[]} */
  const records = []
  f.records.forEach((r, i) => {
    if (!anyGiven(r.date)) return
    rows.records.push(i)
    records.push({ kind: r.kind, date: text(r.date) })
  })
  if (records.length > 0) applicant.records = records

  /** @type {PreviewRequest} */
  const request = { jurisdiction: f.jurisdiction, asOf: text(f.asOf), applicant }
  const points = numberOrAsTyped(f.target.points)
  if (points !== undefined || text(f.target.by) !== '') {
    request.target = { points, ...(text(f.target.by) === '' ? {} : { by: text(f.target.by) }) }
  }
  return { request, rows }
}

/** @param {unknown} v @returns {Record<string, unknown>} */
const obj = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? /** @type {any} */ (v) : {})
/** @param {unknown} v @returns {unknown[]} */
const arr = (v) => (Array.isArray(v) ? v : [])
/** A value from a file, as the form would hold it. @param {unknown} v */
const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

/** The applicant fields the form has no control for: a loaded file's values for them are not sent. */
const APPLICANT_KEYS = new Set([
  'birthDate',
  'education',
  'skills',
  'socialInsurance',
  'residence',
  'employment',
  'housing',
  'cityItems',
  'records',
])

/**
 * The form's fields for a preview request (as saved by the page) or for a bare applicant (as the CLI's
 * `jifen score` reads). Several skills become the highest skill level and the highest title, and
 * repeated honours one tick per level: the tables score both highest-only, so the total is the same.
 * @param {unknown} input
 * @returns {{ fields: Fields, ignored: string[] }} the fields, and the parts of the input the form
 *   cannot hold (an ID number, district items …), which are not sent
 */
export function fieldsFromRequest(input) {
  const root = obj(input)
  const isRequest = 'applicant' in root
  const a = isRequest ? obj(root.applicant) : root
  const f = emptyFields()
  const ignored = Object.keys(a)
    .filter((k) => !APPLICANT_KEYS.has(k))
    .map((k) => (isRequest ? `applicant.${k}` : k))
  if (isRequest) {
    f.jurisdiction = str(root.jurisdiction)
    f.asOf = str(root.asOf)
    const target = obj(root.target)
    f.target = { points: str(target.points), by: str(target.by) }
    for (const k of Object.keys(root)) {
      if (!['jurisdiction', 'asOf', 'applicant', 'target'].includes(k)) ignored.push(k)
    }
  }
  f.birthDate = str(a.birthDate)
  f.education = str(a.education)

  let level = Number.POSITIVE_INFINITY
  let title = -1
  for (const s of arr(a.skills).map(obj)) {
    if (s.kind === 'skill_level' && typeof s.level === 'number') level = Math.min(level, s.level)
    if (s.kind === 'title') title = Math.max(title, TITLE_GRADES.indexOf(str(s.grade)))
    if (s.kind === 'special_ability') f.specialAbility = true
  }
  f.skillLevel = Number.isFinite(level) ? String(level) : ''
  f.titleGrade = title >= 0 ? TITLE_GRADES[title] : ''

  f.socialInsurance = arr(a.socialInsurance)
    .map(obj)
    .map((p) => ({ from: str(p.from), to: str(p.to), region: str(p.region), backPaid: p.backPaid === true }))

  const res = obj(a.residence)
  const permit = obj(res.permit)
  f.residence = {
    registeredSince: str(res.registeredSince),
    region: str(res.region),
    permitIssuedOn: str(permit.issuedOn),
  }
  f.endorsements = arr(permit.endorsements).map(str)

  f.employment = arr(a.employment)
    .map(obj)
    .map((e) => ({ kind: str(e.kind), from: str(e.from), to: str(e.to), region: str(e.region) }))

  const h = obj(a.housing)
  f.housing = { kind: str(h.kind), region: str(h.region), owner: str(h.owner) }

  const c = obj(a.cityItems)
  f.city = {
    shortageOccupation: c.shortageOccupation === true,
    yearlyTaxYuan: str(c.yearlyTaxYuan),
    insuredEmployeesHired: str(c.insuredEmployeesHired),
    inventionPatents: str(c.inventionPatents),
    utilityPatents: str(c.utilityPatents),
    honours: HONOUR_LEVELS.filter((l) => arr(c.honours).includes(l)),
    publicWelfareHours: str(c.publicWelfareHours),
    bloodDonations: str(c.bloodDonations),
    organDonation: str(c.organDonation),
  }
  for (const k of Object.keys(c)) {
    if (!(k in f.city)) ignored.push(`${isRequest ? 'applicant.' : ''}cityItems.${k}`)
  }

  f.records = arr(a.records)
    .map(obj)
    .map((r) => ({ kind: str(r.kind), date: str(r.date) }))
  return { fields: f, ignored }
}

/**
 * Where on the form an error the service reports belongs: `body.applicant.birthDate` → `birthDate`,
 * `body.applicant.socialInsurance.1.to` → `socialInsurance.<form row>.to`. Keys name the form's
 * controls (see app.js); null when no single control fits (the error is shown above the form).
 * @param {string} path a problem+json error path
 * @param {RowMap} rows the row map of the request that was sent
 * @returns {string | null}
 */
export function fieldKeyOfPath(path, rows) {
  const p = path.split('.')
  if (p[0] !== 'body') return null
  if (p[1] === 'jurisdiction' || p[1] === 'asOf') return p[1]
  if (p[1] === 'target') return p[2] === 'by' ? 'target.by' : 'target.points'
  if (p[1] !== 'applicant' || p.length < 3) return null
  const rowKey = (
    /** @type {keyof RowMap} */ list,
    /** @type {string} */ index,
    /** @type {string} */ field,
  ) => {
    const row = rows[list][Number(index)]
    return row === undefined ? null : `${list}.${row}.${field}`
  }
  switch (p[2]) {
    case 'birthDate':
    case 'education':
      return p[2]
    case 'skills':
      return 'skillLevel'
    case 'socialInsurance':
    case 'employment':
    case 'records': {
      if (p[3] === undefined) return null
      const field = p[4] ?? (p[2] === 'records' ? 'date' : 'from')
      return rowKey(p[2], p[3], field)
    }
    case 'residence': {
      if (p[3] === 'registeredSince' || p[3] === 'region') return `residence.${p[3]}`
      if (p[3] !== 'permit') return 'residence.registeredSince'
      if (p[4] === 'endorsements' && p[5] !== undefined) return rowKey('endorsements', p[5], 'date')
      // a permit-wide problem (e.g. an endorsement dated before the permit) belongs to its issue date
      return 'residence.permitIssuedOn'
    }
    case 'housing':
      return `housing.${p[3] === 'region' || p[3] === 'owner' ? p[3] : 'kind'}`
    case 'cityItems':
      return p[3] === undefined ? null : `city.${p[3]}`
    default:
      return null
  }
}
