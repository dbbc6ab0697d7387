// API-key hashing, ID HMAC and the audit hash chain, without a database.
import t from 'tap'
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from '../../src/security/api-keys.ts'
import {
  type AuditEntry,
  AuditKey,
  chainEntry,
  GENESIS_HASH,
  legacyEntryHash,
  verifyChain,
} from '../../src/security/audit-chain.ts'
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

const KEY = new AuditKey('jifen-test-only-audit-key-0123456789abcdef')

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = []
  for (let i = 1; i <= n; i++) {
    out.push(
      chainEntry(
        {
          at: `2026-11-23T10:00:0${i}Z`,
          keyName: 'window-1',
          action: 'evaluation.stored',
          objectId: `ev-${i}`,
          objectHash: `${i}`.repeat(64),
        },
        out.at(-1) ?? null,
        KEY,
      ),
    )
  }
  return out
}

t.test('an intact chain verifies; the first entry links to the genesis hash', async (t) => {
  const c = chain(5)
  t.equal(c[0].prevHash, GENESIS_HASH)
  t.equal(c[3].prevHash, c[2].hash)
  t.same(verifyChain(c, KEY), { ok: true, entries: 5, legacy: 0, head: { seq: 5, hash: c[4].hash } })
  t.same(verifyChain([], KEY), { ok: true, entries: 0, legacy: 0, head: null })
})

t.test('an altered entry is reported at its own sequence number', async (t) => {
  const c = chain(5)
  c[2] = { ...c[2], objectId: 'ev-999' }
  const v = verifyChain(c, KEY)
  t.equal(v.ok, false)
  t.match(v, { brokenAt: 3, reason: /altered/ })
})

t.test('an entry re-hashed after alteration breaks the next link', async (t) => {
  const c = chain(5)
  c[1] = chainEntry({ ...c[1], action: 'key.revoked' }, c[0], KEY)
  const v = verifyChain(c, KEY)
  t.match(v, { ok: false, brokenAt: 3, reason: /previous-hash/ })
})

t.test('a deleted entry is a gap', async (t) => {
  const c = chain(5)
  c.splice(3, 1)
  t.match(verifyChain(c, KEY), { ok: false, brokenAt: 5, reason: /entry 4 is missing/ })
})

t.test('an entry rewritten and re-chained without the audit key does not verify', async (t) => {
  const c = chain(5)
  const forger = new AuditKey('someone-else-entirely-guessing-the-key-000')
  // the attacker rewrites entry 2 and re-chains everything after it, with a key of their own
  c[1] = chainEntry({ ...c[1], objectId: 'ev-999' }, c[0], forger)
  for (let i = 2; i < 5; i++) c[i] = chainEntry(c[i], c[i - 1], forger)
  t.match(verifyChain(c, KEY), { ok: false, brokenAt: 2, reason: /without the audit key/ })
})

t.test(
  'legacy (unkeyed) entries verify only before the keyed ones and within the stated count',
  async (t) => {
    const legacy: AuditEntry[] = []
    for (let i = 1; i <= 3; i++) {
      const prevHash = legacy.at(-1)?.hash ?? GENESIS_HASH
      const content = { seq: i, at: 'x', keyName: 'k', action: 'a', objectId: `o${i}`, objectHash: null }
      legacy.push({ ...content, prevHash, hash: legacyEntryHash(content, prevHash), keyed: false })
    }
    const keyed = chainEntry({ at: 'y', keyName: 'k', action: 'a', objectId: 'o4' }, legacy[2], KEY)
    t.match(verifyChain([...legacy, keyed], KEY, { legacyUntil: 3 }), { ok: true, legacy: 3, entries: 4 })
    t.match(verifyChain([...legacy, keyed], KEY, { legacyUntil: 2 }), {
      ok: false,
      brokenAt: 3,
      reason: /unkeyed/,
    })
    // a whole chain rewritten as legacy entries, once the database states it was keyed from entry 1
    t.match(verifyChain(legacy, KEY, { legacyUntil: 0 }), { ok: false, brokenAt: 1, reason: /unkeyed/ })
  },
)

t.test('checkpoints: signed with the key; a rewrite or truncation after one is found', async (t) => {
  const c = chain(5)
  const cp = KEY.checkpoint({ seq: 4, hash: c[3].hash, legacy: 0, at: 'now' })
  t.ok(KEY.signed(cp))
  t.notOk(KEY.signed({ ...cp, seq: 5 }), 'a changed checkpoint is not signed')
  t.notOk(new AuditKey('another-key-another-key-another-key-0').signed(cp))
  t.match(verifyChain(c, KEY, { checkpoints: [cp] }), { ok: true })
  t.match(verifyChain(c.slice(0, 3), KEY, { checkpoints: [cp] }), { ok: false, reason: /truncated/ })
  const other = chain(5)
  other[3] = chainEntry({ ...other[3], objectId: 'x' }, other[2], KEY)
  t.match(verifyChain(other.slice(0, 4), KEY, { checkpoints: [cp] }), {
    ok: false,
    brokenAt: 4,
    reason: /checkpoint/,
  })
})
