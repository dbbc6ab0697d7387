// GB 11643-1999 citizen ID numbers: check character, birth date, masking, applicant validation.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { idBirthDate, idCheckChar, idNumberProblem, maskIdNumber } from '../../schema/id-number.ts'

// 11010519491231002X: digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 × weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
// = 7 + 9 + 0 + 5 + 0 + 20 + 2 + 9 + 24 + 27 + 7 + 18 + 30 + 5 + 0 + 0 + 4 = 167; 167 mod 11 = 2 → "10X98765432"[2] = X
const WITH_X = '11010519491231002X'
// 330212199001011232: 3 3 0 2 1 2 1 9 9 0 0 1 0 1 1 2 3 × weights
// = 21 + 27 + 0 + 10 + 8 + 8 + 2 + 9 + 54 + 0 + 0 + 9 + 0 + 5 + 8 + 8 + 6 = 175; 175 mod 11 = 10 → "10X98765432"[10] = 2
const WITH_DIGIT = '330212199001011232'

t.test('check character', async (t) => {
  t.equal(idCheckChar(WITH_X.slice(0, 17)), 'X')
  t.equal(idCheckChar(WITH_DIGIT.slice(0, 17)), '2')
  // 17 zeros: sum 0, 0 mod 11 = 0 → "1"
  t.equal(idCheckChar('00000000000000000'), '1')
})

t.test('idNumberProblem', async (t) => {
  t.equal(idNumberProblem(WITH_X), null)
  t.equal(idNumberProblem(WITH_DIGIT), null)
  t.equal(idNumberProblem('110105194912310021'), 'checksum', 'a digit where X is due')
  t.equal(idNumberProblem('330212199001011233'), 'checksum', 'last digit off by one')
  t.equal(idNumberProblem('330212199001011132'), 'checksum', 'a changed sequence digit')
  t.equal(idNumberProblem('11010519491231002x'), 'format', 'lower-case x')
  t.equal(idNumberProblem('1101051949123100'), 'format', 'too short')
  t.equal(idNumberProblem('X10105194912310021'), 'format', 'X only at the end')
  // 2023-02-30 is no date; the check character is made to match so only the date is wrong
  const first17 = '33021220230230123'
  t.equal(idNumberProblem(first17 + idCheckChar(first17)), 'birth_date')
})

t.test('birth date', async (t) => {
  t.equal(idBirthDate(WITH_X), '1949-12-31')
  t.equal(idBirthDate(WITH_DIGIT), '1990-01-01')
  t.equal(idBirthDate('330212199013011232'), null, 'month 13')
})

t.test('masking keeps the region and the check character only', async (t) => {
  t.equal(maskIdNumber(WITH_X), '110105***********X')
  t.equal(maskIdNumber(WITH_DIGIT), '330212***********2')
  t.equal(maskIdNumber(WITH_DIGIT).length, 18)
})

t.test('the applicant schema checks the ID', async (t) => {
  t.equal(ApplicantSchema.safeParse({ idNumber: WITH_DIGIT, birthDate: '1990-01-01' }).success, true)
  t.equal(
    ApplicantSchema.safeParse({ idNumber: WITH_DIGIT, birthDate: '1990-01-02' }).success,
    false,
    'birthDate differs from the ID',
  )
  t.equal(
    ApplicantSchema.safeParse({ idNumber: '330212199001011233', birthDate: '1990-01-01' }).success,
    false,
    'bad checksum',
  )
})
