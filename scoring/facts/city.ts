// Fact group `city`: the city-level items an applicant declares (shortage job, tax, patents, honours, volunteering, donation).
import { type Applicant, ORGAN_DONATION } from '../../schema/applicant.ts'
import { b, bool, defineGroup, enumeration, num } from './group.ts'

const HONOURS = ['none', 'district', 'city', 'provincial', 'national'] as const

type CityItems = Applicant['cityItems']

export const city = defineGroup<Applicant, CityItems>({
  name: 'city',
  facts: [
    bool('city.shortageOccupation', '紧缺岗位'),
    num('city.yearlyTaxYuan', '年纳税额（元）'),
    num('city.insuredEmployeesHired', '带动参保就业人数'),
    num('city.inventionPatents', '发明专利数'),
    num('city.utilityPatents', '实用新型或外观设计专利数'),
    enumeration('city.honour', '最高表彰奖励', HONOURS),
    num('city.publicWelfareHours', '志愿服务时数'),
    num('city.bloodDonations', '无偿献血次数'),
    enumeration('city.organDonation', '无偿捐献', ORGAN_DONATION),
  ],
  prepare: (a) => a.cityItems,
  derive: {
    'city.shortageOccupation': (c) => b(c.shortageOccupation),
    'city.yearlyTaxYuan': (c) => c.yearlyTaxYuan,
    'city.insuredEmployeesHired': (c) => c.insuredEmployeesHired,
    'city.inventionPatents': (c) => c.inventionPatents,
    'city.utilityPatents': (c) => c.utilityPatents,
    'city.honour': (c) => {
      let honour = 0
      for (const x of c.honours) honour = Math.max(honour, HONOURS.indexOf(x))
      return honour
    },
    'city.publicWelfareHours': (c) => c.publicWelfareHours,
    'city.bloodDonations': (c) => c.bloodDonations,
    'city.organDonation': (c) => ORGAN_DONATION.indexOf(c.organDonation),
  },
})
