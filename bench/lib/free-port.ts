// A free loopback TCP port, for starting a real server process on it (the start-up bench, the bundle test).
import { createServer } from 'node:net'

/** Binds port 0 on loopback and releases it at once; the caller then starts its server on that port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}
