// Canonical JSON and content hashes: key order is irrelevant; the facts hash leaves out the ID number.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { TableSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { canonicalJson, contentSha256, factsSha256, sha256Hex } from '../../scoring/hash.ts'

t.test('canonical JSON sorts keys at every depth', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] }), '{"a":[2,{"c":2,"d":1}],"b":1}')
  t.equal(canonicalJson({ x: 7.4, y: 0.5 }), '{"x":7.4,"y":0.5}')
  t.throws(() => canonicalJson(undefined))
})

t.test('sha256Hex', async (t) => {
  // FIPS 180-2 test vector
  t.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

t.test('content hashes ignore key order but not content', async (t) => {
  t.equal(contentSha256({ a: 1, b: { c: [1, 2] } }), contentSha256({ b: { c: [1, 2] }, a: 1 }))
  t.not(contentSha256({ a: [1, 2] }), contentSha256({ a: [2, 1] }), 'array order matters')
  t.not(contentSha256({ a: 1 }), contentSha256({ a: 2 }))
})

t.test('factsSha256 ignores the ID number', async (t) => {
  const withId = ApplicantSchema.parse({ idNumber: '330212199001011232', birthDate: '1990-01-01' })
  const withoutId = ApplicantSchema.parse({ birthDate: '1990-01-01' })
  t.equal(factsSha256(withId), factsSha256(withoutId))
  t.equal(factsSha256(withId), contentSha256(withoutId))
  const other = ApplicantSchema.parse({ birthDate: '1990-01-02' })
  t.not(factsSha256(other), factsSha256(withoutId), 'a different fact changes the hash')
  const reordered = ApplicantSchema.parse({ education: 'bachelor', birthDate: '1990-01-01' })
  const ordered = ApplicantSchema.parse({ birthDate: '1990-01-01', education: 'bachelor' })
  t.equal(factsSha256(reordered), factsSha256(ordered))
})

t.test('a compiled table carries the hash of its content', async (t) => {
  const fields = {
    id: 'hash-test',
    version: 1,
    scheme: 'points',
    jurisdiction: '330200',
    title: 't',
    validFrom: '2022-04-01',
    ref: 'r',
  }
  const a = compileTable(TableSchema.parse(fields))
  const reversed = Object.fromEntries(Object.entries(fields).reverse())
  const b = compileTable(TableSchema.parse(reversed))
  t.equal(a.sha256, b.sha256)
  t.equal(a.sha256, contentSha256(a.table))
  t.not(compileTable(TableSchema.parse({ ...fields, version: 2 })).sha256, a.sha256)
})
