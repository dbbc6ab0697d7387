// API-key hashing, ID HMAC and the audit hash chain, without a database.
import t from 'tap'
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from '../../src/security/api-keys.ts'
import { type AuditEntry, chainEntry, GENESIS_HASH, verifyChain } from '../../src/security/audit-chain.ts'
import { idHmac, protectIdNumber } from '../../src/security/id-hmac.ts'

t.test('a generated key parses back and only its own secret matches the stored hash', async (t) => {
  const k = generateApiKey()
  const parsed = parseApiKey(k.key)
  t.ok(parsed)
  t.equal(parsed?.keyId, k.keyId)
  t.ok(secretMatches(parsed!.secret, k.secretHash))
  const other = parseApiKey(generateApiKey().key)!
  t.notOk(secretMatches(other.secret, k.secretHash), 'another key’s secret does not match')
  t.notOk(k.secretHash.includes(parsed!.secret), 'the stored hash does not contain the secret')
  t.equal(hashSecret('x'), hashSecret('x'))
  t.not(generateApiKey().key, k.key)
})

t.test('malformed keys do not parse', async (t) => {
  t.equal(parseApiKey('Bearer abc'), null)
  t.equal(parseApiKey('jf_123_abc'), null)
  t.equal(parseApiKey(''), null)
})

t.test(
  'ID HMAC is keyed: same ID and secret agree, another secret differs; masked form hides the middle',
  async (t) => {
    const id = '11010519491231002X'
    t.equal(idHmac(id, 's1'), idHmac(id, 's1'))
    t.not(idHmac(id, 's1'), idHmac(id, 's2'))
    const p = protectIdNumber(id, 's1')
    t.equal(p.masked, '110105***********X')
    t.notOk(JSON.stringify(p).includes('19491231'))
  },
)

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = []
  for (let i = 1; i <= n; i++) {
    out.push(
      chainEntry(
        {
          seq: i,
          at: `2026-11-23T10:00:0${i}Z`,
          keyName: 'window-1',
          action: 'evaluation.stored',
          objectId: `ev-${i}`,
        },
        out.at(-1) ?? null,
      ),
    )
  }
  return out
}

t.test('an intact chain verifies; the first entry links to the genesis hash', async (t) => {
  const c = chain(5)
  t.equal(c[0].prevHash, GENESIS_HASH)
  t.equal(c[3].prevHash, c[2].hash)
  t.same(verifyChain(c), { ok: true, entries: 5 })
  t.same(verifyChain([]), { ok: true, entries: 0 })
})

t.test('an altered entry is reported at its own sequence number', async (t) => {
  const c = chain(5)
  c[2] = { ...c[2], objectId: 'ev-999' }
  const v = verifyChain(c)
  t.equal(v.ok, false)
  t.match(v, { brokenAt: 3, reason: /altered/ })
})

t.test('an entry re-hashed after alteration breaks the next link', async (t) => {
  const c = chain(5)
  c[1] = chainEntry({ ...c[1], action: 'key.revoked' }, c[0])
  const v = verifyChain(c)
  t.match(v, { ok: false, brokenAt: 3, reason: /previous-hash/ })
})

t.test('a deleted entry is a gap', async (t) => {
  const c = chain(5)
  c.splice(3, 1)
  t.match(verifyChain(c), { ok: false, brokenAt: 5, reason: /entry 4 is missing/ })
})
