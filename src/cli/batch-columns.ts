// `jifen batch` input columns: bilingual headers, the compact cell syntax (periods, lists) and errors by column.
import {
  type ApplicantInput,
  EDUCATION_LEVELS,
  EMPLOYMENT_KINDS,
  HONOUR_LEVELS,
  HOUSING_KINDS,
  ORGAN_DONATION,
  RECORD_KINDS,
  TITLE_GRADES,
} from '../../schema/applicant.ts'

/** A cell that cannot be read; the batch reports it with its row and column and goes on. */
export class CellError extends Error {}

/** One input column: its English key, its Chinese header, and what it is for (docs/batch.md lists them). */
export interface ColumnDef {
  key: string
  zh: string
  help: string
}

/**
 * The columns, in template order. Every one is optional except birthDate; an empty cell is "not
 * given" (the applicant schema's default). Keys are the applicant fields where they are one field.
 */
export const COLUMNS: readonly ColumnDef[] = [
  { key: 'id', zh: '编号', help: 'your reference for the row, copied to the output (not scored)' },
  { key: 'jurisdiction', zh: '使用地', help: 'jurisdiction of use for this row; else --jurisdiction' },
  { key: 'asOf', zh: '评估日期', help: 'as-of date for this row, YYYY-MM-DD; else --as-of' },
  { key: 'idNumber', zh: '身份证号', help: '18-character ID number (checked, never written out)' },
  { key: 'birthDate', zh: '出生日期', help: 'YYYY-MM-DD (required)' },
  { key: 'education', zh: '学历', help: `one of ${EDUCATION_LEVELS.join(', ')}, or 本科, 硕士 …` },
  { key: 'skills', zh: '技能', help: 'skill_level:3; title:intermediate; special_ability' },
  { key: 'region', zh: '地区', help: 'default region code of the periods below that name none' },
  { key: 'socialInsurance', zh: '社保', help: 'months: 2019-01..2021-06@330212; 2022-01..  (* = back-paid)' },
  { key: 'residenceSince', zh: '居住登记日期', help: 'residence registered since, YYYY-MM-DD' },
  { key: 'residenceRegion', zh: '居住地', help: 'region code of the residence; else region' },
  { key: 'permitIssuedOn', zh: '居住证签发日期', help: 'residence permit issued on, YYYY-MM-DD' },
  { key: 'permitEndorsements', zh: '居住证签注', help: 'endorsement dates: 2021-05-01; 2022-05-01' },
  {
    key: 'employment',
    zh: '就业',
    help: 'labour_contract:2019-01-01..2021-06-30@330212; business_licence:2022-01-01..',
  },
  { key: 'study', zh: '学习', help: 'dates: 2015-09-01..2019-06-30@330203' },
  { key: 'housing', zh: '住房', help: `one of ${HOUSING_KINDS.join(', ')}` },
  { key: 'housingRegion', zh: '住房地区', help: 'region code of the housing; else region' },
  { key: 'housingOwner', zh: '产权人', help: 'self or spouse' },
  { key: 'hukou', zh: '户籍地', help: 'region code of the hukou' },
  { key: 'graduationLevel', zh: '毕业学历', help: 'level of the graduation (as education)' },
  { key: 'graduationFullTime', zh: '全日制', help: 'yes/no, 是/否, true/false, 1/0' },
  { key: 'graduatedOn', zh: '毕业日期', help: 'YYYY-MM-DD' },
  { key: 'shortageOccupation', zh: '紧缺岗位', help: 'yes/no' },
  { key: 'yearlyTaxYuan', zh: '年纳税额', help: 'yuan' },
  { key: 'insuredEmployeesHired', zh: '带动就业人数', help: 'a count' },
  { key: 'inventionPatents', zh: '发明专利', help: 'a count' },
  { key: 'utilityPatents', zh: '实用新型专利', help: 'a count' },
  { key: 'honours', zh: '表彰', help: `levels: city; provincial (${HONOUR_LEVELS.join(', ')})` },
  { key: 'publicWelfareHours', zh: '志愿服务时长', help: 'hours' },
  { key: 'bloodDonations', zh: '献血次数', help: 'a count' },
  { key: 'organDonation', zh: '器官捐献', help: ORGAN_DONATION.join(', ') },
  { key: 'districtItems', zh: '区级项目', help: 'local_housing=yes; local_honours=2' },
  { key: 'records', zh: '不良记录', help: `${RECORD_KINDS.join(', ')} with a date: dishonesty:2023-05-01` },
]

const BY_NAME = new Map<string, ColumnDef>()
for (const c of COLUMNS) {
  BY_NAME.set(c.key.toLowerCase(), c)
  BY_NAME.set(c.zh, c)
}

/**
 * The column a header names: its English key (any case) or its Chinese name, alone or both together
 * as the templates write them (`出生日期 birthDate`, `出生日期/birthDate`, `出生日期(birthDate)`).
 */
export function columnOf(header: string): ColumnDef | null {
  const tokens = header
    .replace(/^\uFEFF/, '')
    .split(/[\s/|()（）]+/)
    .filter((t) => t !== '')
  let found: ColumnDef | null = null
  for (const t of tokens) {
    const c = BY_NAME.get(t) ?? BY_NAME.get(t.toLowerCase())
    if (c === undefined) return null
    if (found !== null && found !== c) return null
    found = c
  }
  return found
}

/** The header row's columns, by position; unknown, repeated or missing required headers are usage errors. */
export function mapHeaders(headers: readonly string[]): {
  columns: (ColumnDef | null)[]
  problems: string[]
} {
  const problems: string[] = []
  const seen = new Set<string>()
  const columns = headers.map((h, i) => {
    if (h.trim() === '') return null
    const c = columnOf(h.trim())
    if (c === null) problems.push(`column ${i + 1} "${h}" is not a batch column (see docs/batch.md)`)
    else if (seen.has(c.key)) problems.push(`column ${i + 1} "${h}" repeats ${c.key}`)
    else seen.add(c.key)
    return c
  })
  if (!seen.has('birthDate')) problems.push('no birthDate (出生日期) column')
  return { columns, problems }
}

// ---------------------------------------------------------------------------------------------------
// Cells

const EDUCATION_ZH: Record<string, string> = {
  无: 'none',
  小学: 'primary',
  初中: 'junior',
  高中: 'senior',
  中专: 'vocational_secondary',
  大专: 'junior_college',
  本科: 'bachelor',
  硕士: 'master',
  博士: 'doctorate',
}

/** List items: `;` (or the full-width `；`) separates them; blanks around them do not count. */
function listOf(cell: string): string[] {
  return cell
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new CellError(`${JSON.stringify(value)} is not ${what} (${allowed.join(', ')})`)
}

function yesNo(cell: string): boolean {
  const v = cell.trim().toLowerCase()
  if (['yes', 'y', 'true', '1', '是'].includes(v)) return true
  if (['no', 'n', 'false', '0', '否'].includes(v)) return false
  throw new CellError(`${JSON.stringify(cell)} is not yes or no`)
}

function numberOf(cell: string): number {
  const v = cell.trim()
  if (!/^\d+(\.\d+)?$/.test(v)) throw new CellError(`${JSON.stringify(cell)} is not a number`)
  return Number(v)
}

/**
 * A period `FROM..TO@REGION`: TO empty for an ongoing one, `@REGION` optional (then the row's region
 * column). The dates themselves are checked by the applicant schema, which names the entry.
 */
function periodOf(
  text: string,
  region: string | undefined,
  n: number,
): { from: string; to: string | null; region: string } {
  const m = /^([^.@]+)\.\.([^.@]*)(?:@(\S+))?$/.exec(text)
  if (m === null)
    throw new CellError(`period ${n}: ${JSON.stringify(text)} is not FROM..TO or FROM..TO@REGION`)
  const r = m[3] ?? region
  if (r === undefined) throw new CellError(`period ${n}: no region (add @REGION or a region column)`)
  return { from: m[1].trim(), to: m[2].trim() === '' ? null : m[2].trim(), region: r }
}

/** The applicant (and the row's own jurisdiction, date and reference) from one row's cells by column key. */
export interface RowInput {
  ref: string
  jurisdiction: string | undefined
  asOf: string | undefined
  applicant: ApplicantInput
}

/**
 * Reads one row. Each cell is read on its own, so that all of a row's unreadable cells are reported
 * together; the applicant schema then checks what was read (and its errors are mapped back to columns).
 */
export function readRow(
  cells: ReadonlyMap<string, string>,
): { row: RowInput } | { errors: { column: string; message: string }[] } {
  const errors: { column: string; message: string }[] = []
  const get = (k: string) => {
    const v = cells.get(k)?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  const region = get('region')
  const a: Record<string, unknown> = {}
  const city: Record<string, unknown> = {}
  const read = (key: string, f: (v: string) => void) => {
    const v = get(key)
    if (v === undefined) return
    try {
      f(v)
    } catch (e) {
      if (!(e instanceof CellError)) throw e
      errors.push({ column: key, message: e.message })
    }
  }
  read('idNumber', (v) => {
    a.idNumber = v
  })
  read('birthDate', (v) => {
    a.birthDate = v
  })
  if (get('birthDate') === undefined) errors.push({ column: 'birthDate', message: 'required' })
  read('education', (v) => {
    a.education = oneOf(EDUCATION_ZH[v] ?? v, EDUCATION_LEVELS, 'an education level')
  })
  read('skills', (v) => {
    a.skills = listOf(v).map((s) => {
      const [kind, arg] = s.split(':').map((x) => x.trim())
      if (kind === 'skill_level') return { kind, level: numberOf(arg ?? '') }
      if (kind === 'title') return { kind, grade: oneOf(arg ?? '', TITLE_GRADES, 'a title grade') }
      if (kind === 'special_ability' && arg === undefined) return { kind }
      throw new CellError(`${JSON.stringify(s)} is not skill_level:N, title:GRADE or special_ability`)
    })
  })
  read('socialInsurance', (v) => {
    a.socialInsurance = listOf(v).map((p, i) => {
      const backPaid = p.endsWith('*')
      return { ...periodOf(backPaid ? p.slice(0, -1).trim() : p, region, i + 1), backPaid }
    })
  })
  const residenceSince = get('residenceSince')
  if (residenceSince !== undefined) {
    const r = get('residenceRegion') ?? region
    if (r === undefined) errors.push({ column: 'residenceRegion', message: 'required with residenceSince' })
    const permitIssuedOn = get('permitIssuedOn')
    a.residence = {
      registeredSince: residenceSince,
      region: r,
      permit:
        permitIssuedOn === undefined
          ? null
          : { issuedOn: permitIssuedOn, endorsements: listOf(get('permitEndorsements') ?? '') },
    }
  } else {
    for (const k of ['residenceRegion', 'permitIssuedOn', 'permitEndorsements'])
      if (get(k) !== undefined) errors.push({ column: k, message: 'given without residenceSince' })
  }
  read('employment', (v) => {
    a.employment = listOf(v).map((p, i) => {
      const colon = p.indexOf(':')
      if (colon < 0) throw new CellError(`period ${i + 1}: ${JSON.stringify(p)} is not KIND:FROM..TO@REGION`)
      const kind = oneOf(p.slice(0, colon).trim(), EMPLOYMENT_KINDS, 'an employment kind')
      return { kind, ...periodOf(p.slice(colon + 1).trim(), region, i + 1) }
    })
  })
  read('study', (v) => {
    a.study = listOf(v).map((p, i) => periodOf(p, region, i + 1))
  })
  read('housing', (v) => {
    a.housing = {
      kind: oneOf(v, HOUSING_KINDS, 'a housing kind'),
      region: get('housingRegion') ?? (v === 'none' ? null : (region ?? null)),
      owner: get('housingOwner') ?? null,
    }
  })
  read('hukou', (v) => {
    a.hukou = v
  })
  const level = get('graduationLevel')
  if (level !== undefined) {
    const graduation: Record<string, unknown> = { fullTime: false, graduatedOn: get('graduatedOn') }
    read('graduationLevel', (v) => {
      graduation.level = oneOf(EDUCATION_ZH[v] ?? v, EDUCATION_LEVELS, 'an education level')
    })
    read('graduationFullTime', (v) => {
      graduation.fullTime = yesNo(v)
    })
    a.graduation = graduation
  } else {
    for (const k of ['graduationFullTime', 'graduatedOn'])
      if (get(k) !== undefined) errors.push({ column: k, message: 'given without graduationLevel' })
  }
  read('shortageOccupation', (v) => {
    city.shortageOccupation = yesNo(v)
  })
  for (const k of [
    'yearlyTaxYuan',
    'insuredEmployeesHired',
    'inventionPatents',
    'utilityPatents',
    'publicWelfareHours',
    'bloodDonations',
  ])
    read(k, (v) => {
      city[k] = numberOf(v)
    })
  read('honours', (v) => {
    city.honours = listOf(v).map((h) => oneOf(h, HONOUR_LEVELS, 'an honour level'))
  })
  read('organDonation', (v) => {
    city.organDonation = oneOf(v, ORGAN_DONATION, 'an organ-donation status')
  })
  if (Object.keys(city).length > 0) a.cityItems = city
  read('districtItems', (v) => {
    const items: Record<string, number | boolean> = {}
    for (const entry of listOf(v)) {
      const eq = entry.indexOf('=')
      if (eq < 0) throw new CellError(`${JSON.stringify(entry)} is not ITEM=VALUE`)
      const value = entry.slice(eq + 1).trim()
      items[entry.slice(0, eq).trim()] = /^\d/.test(value) ? numberOf(value) : yesNo(value)
    }
    a.districtItems = items
  })
  read('records', (v) => {
    a.records = listOf(v).map((r) => {
      const colon = r.indexOf(':')
      if (colon < 0) throw new CellError(`${JSON.stringify(r)} is not KIND:DATE`)
      return {
        kind: oneOf(r.slice(0, colon).trim(), RECORD_KINDS, 'a record kind'),
        date: r.slice(colon + 1).trim(),
      }
    })
  })
  if (errors.length > 0) return { errors }
  return {
    row: {
      ref: get('id') ?? '',
      jurisdiction: get('jurisdiction'),
      asOf: get('asOf'),
      applicant: a as ApplicantInput,
    },
  }
}

/** The column an applicant-schema error is about (the path's first segments name it). */
export function columnOfPath(path: readonly PropertyKey[]): string {
  const [first, second, third] = path.map(String)
  switch (first) {
    case 'residence':
      if (second === 'permit') return third === 'endorsements' ? 'permitEndorsements' : 'permitIssuedOn'
      return second === 'region' ? 'residenceRegion' : 'residenceSince'
    case 'housing':
      return second === 'region' ? 'housingRegion' : second === 'owner' ? 'housingOwner' : 'housing'
    case 'graduation':
      return second === 'graduatedOn'
        ? 'graduatedOn'
        : second === 'fullTime'
          ? 'graduationFullTime'
          : 'graduationLevel'
    case 'cityItems':
      return second ?? 'cityItems'
    case undefined:
      return ''
    default:
      return first
  }
}

/** An applicant-schema error in the batch's words: a list entry is "entry N" (1-based), as the cell reads. */
export function messageOfPath(path: readonly PropertyKey[], message: string): string {
  const n = path.find((p) => typeof p === 'number')
  const field = path
    .filter((p) => typeof p === 'string')
    .slice(1)
    .join('.')
  return [n === undefined ? null : `entry ${n + 1}`, field === '' ? null : field, message]
    .filter((x) => x !== null)
    .join(': ')
}
