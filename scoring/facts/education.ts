// Fact groups `education` and `skills`: the highest degree, the best skill level and title, a special-ability certificate.
import { type Applicant, EDUCATION_LEVELS, TITLE_GRADES } from '../../schema/applicant.ts'
import { b, bool, defineGroup, enumeration, num } from './group.ts'

export const education = defineGroup<Applicant, Applicant>({
  name: 'education',
  facts: [enumeration('education', '学历', EDUCATION_LEVELS)],
  prepare: (a) => a,
  derive: { education: (a) => EDUCATION_LEVELS.indexOf(a.education) },
})

interface Skills {
  /** 1 is the highest level; NaN when none */
  level: number
  /** index in TITLE_GRADES; NaN when none */
  title: number
  special: boolean
}

export const skills = defineGroup<Applicant, Skills>({
  name: 'skills',
  facts: [
    num('skill.level', '职业技能等级（1 最高）'),
    enumeration('title.grade', '专业技术职称', TITLE_GRADES),
    bool('skill.specialAbility', '专项职业能力证书'),
  ],
  prepare: (a) => {
    let level = Number.NaN
    let title = -1
    let special = false
    for (const s of a.skills) {
      if (s.kind === 'skill_level') level = Number.isNaN(level) ? s.level : Math.min(level, s.level)
      else if (s.kind === 'title') title = Math.max(title, TITLE_GRADES.indexOf(s.grade))
      else special = true
    }
    return { level, title: title < 0 ? Number.NaN : title, special }
  },
  derive: {
    'skill.level': (s) => s.level,
    'title.grade': (s) => s.title,
    'skill.specialAbility': (s) => b(s.special),
  },
})
