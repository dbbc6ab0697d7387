// Applicants as batch rows (docs/batch.md's cell syntax): the 100,000-row test and the batch benchmark write them.
import type { ApplicantInput } from '../../schema/applicant.ts'

/** The province, the city and every district with a points table of its own. */
export const JURISDICTIONS = [
  '330000',
  '330200',
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
]

export const HEADER = [
  'id',
  'jurisdiction',
  'idNumber',
  'birthDate',
  'education',
  'skills',
  'socialInsurance',
  'residenceSince',
  'residenceRegion',
  'permitIssuedOn',
  'permitEndorsements',
  'employment',
  'housing',
  'housingRegion',
  'housingOwner',
  'hukou',
  'shortageOccupation',
  'yearlyTaxYuan',
  'insuredEmployeesHired',
  'inventionPatents',
  'utilityPatents',
  'honours',
  'publicWelfareHours',
  'bloodDonations',
  'organDonation',
  'records',
]

const span = (p: { from: string; to: string | null; region: string }) =>
  `${p.from}..${p.to ?? ''}@${p.region}`

/** An applicant in the batch's cell syntax (docs/batch.md): the inverse of reading a row. */
export function cellsOf(id: string, jurisdiction: string, a: ApplicantInput): string[] {
  const c = a.cityItems ?? {}
  const r = a.residence ?? null
  const h = a.housing ?? null
  return [
    id,
    jurisdiction,
    a.idNumber ?? '',
    a.birthDate,
    a.education ?? '',
    (a.skills ?? [])
      .map((s) =>
        s.kind === 'skill_level'
          ? `skill_level:${s.level}`
          : s.kind === 'title'
            ? `title:${s.grade}`
            : s.kind,
      )
      .join(';'),
    (a.socialInsurance ?? []).map((p) => `${span(p)}${p.backPaid ? '*' : ''}`).join(';'),
    r?.registeredSince ?? '',
    r?.region ?? '',
    r?.permit?.issuedOn ?? '',
    (r?.permit?.endorsements ?? []).join(';'),
    (a.employment ?? []).map((e) => `${e.kind}:${span(e)}`).join(';'),
    h?.kind ?? '',
    h?.region ?? '',
    h?.owner ?? '',
    a.hukou ?? '',
    c.shortageOccupation === undefined ? '' : String(c.shortageOccupation),
    String(c.yearlyTaxYuan ?? ''),
    String(c.insuredEmployeesHired ?? ''),
    String(c.inventionPatents ?? ''),
    String(c.utilityPatents ?? ''),
    (c.honours ?? []).join(';'),
    String(c.publicWelfareHours ?? ''),
    String(c.bloodDonations ?? ''),
    c.organDonation ?? '',
    (a.records ?? []).map((x) => `${x.kind}:${x.date}`).join(';'),
  ]
}
