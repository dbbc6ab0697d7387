// Test set-up for the browser test: Debian's chromium, installed with apt where it is missing (CI runs as root).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * The flags the browser test runs chromium with: headless, no sandbox (root in a container), and none of
 * the background traffic (component updates, sync, QUIC probes) that would make "nothing leaves the
 * browser" untestable. playwright adds `--user-data-dir` itself from launchPersistentContext's folder.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Either the path of a chromium to drive, or why there is none (the test then skips, saying so). */
export type ChromiumSetUp = { path: string } | { skip: string }

function run(command: string): { ok: boolean; output: string } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', timeout: 540_000 })
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() }
}

/** Whether fontconfig knows a font with Chinese glyphs (without one, screenshots show empty boxes). */
function hasChineseFont(): boolean {
  const r = run('fc-list :lang=zh family')
  return r.ok && r.output !== ''
}

/**
 * Makes sure chromium is installed: finds it, or installs Debian's package with apt-get (as the test
 * runs as root in CI). Where apt is impossible (no apt-get, not root, or the install fails) it says why.
 * A small Chinese font (WenQuanYi Micro Hei, 1.6 MB) comes with it where none is installed: the page is
 * in Chinese and its screenshots must be legible; the page itself names only system fonts.
 * The dpkg lock timeout lets a concurrent apt run finish first instead of failing this one.
 */
export function ensureChromium(): ChromiumSetUp {
  const packages = [
    ...(existsSync(CHROMIUM) ? [] : ['chromium']),
    ...(hasChineseFont() ? [] : ['fonts-wqy-microhei']),
  ]
  if (packages.length === 0) return { path: CHROMIUM }
  const missing = `${packages.join(' and ')} ${packages.length > 1 ? 'are' : 'is'} missing`
  const canInstall = run('command -v apt-get').ok && userInfo().uid === 0
  if (canInstall) {
    const apt = 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q'
    const update = run(`${apt} update`)
    const install = update.ok
      ? run(`${apt} install -y --no-install-recommends ${packages.join(' ')}`)
      : update
    if (existsSync(CHROMIUM)) return { path: CHROMIUM }
    const tail = install.output.split('\n').slice(-5).join(' | ')
    return { skip: `${missing} and apt-get could not install it: ${tail}` }
  }
  // a missing font alone does not stop the test: only the screenshots suffer
  if (existsSync(CHROMIUM)) return { path: CHROMIUM }
  return {
    skip: `${missing}: installing needs apt-get and root (apt-get install -y ${packages.join(' ')})`,
  }
}
