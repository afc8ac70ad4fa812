// Regenerates the Passive Authentication fixtures of this directory with the
// openssl command line (tools/test-pki.mjs), so that the Rust tests verify
// SODs that our own builder did not write. Run from the repository root:
//   node crates/core/testdata/pa/generate.mjs
// Private keys stay in a temporary directory; only certificates, CRLs, data
// groups and SODs are written here. Validity: 20 years from generation.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { createTestPki, encodeLdsWithOpenssl, signWithOpenssl, wrapSod } from '../../../../tools/test-pki.mjs'

const here = dirname(fileURLToPath(import.meta.url))

// Data groups shaped like the card profile's: [APPLICATION n] { 80 text }.
const dataGroups = new Map()
for (const number of [1, 2, 3, 7, 15]) {
  const text = Buffer.from(`TEST DG${number}`)
  dataGroups.set(number, Buffer.concat([Buffer.from([0x60 + number, text.length + 2, 0x80, text.length]), text]))
}
for (const [number, bytes] of dataGroups) writeFileSync(join(here, `dg${number}.bin`), bytes)

const cases = [
  { name: 'p256', pki: { cscaCurve: 'P-256' } },
  { name: 'rsa-pss', pki: { cscaCurve: 'rsa' }, sign: { pss: true } },
  { name: 'brainpool-p384', pki: { cscaCurve: 'brainpoolP384r1' }, sign: { digest: 'sha384' } },
  { name: 'explicit', pki: { cscaCurve: 'P-256', dsCurve: 'brainpoolP256r1', explicitDs: true } },
  { name: 'link', pki: { cscaCurve: 'P-256', link: true } },
  { name: 'revoked', pki: { cscaCurve: 'P-256', revokeDs: true } },
]

const lds = encodeLdsWithOpenssl(dataGroups)
writeFileSync(join(here, 'lds-sha256.der'), lds)
const work = mkdtempSync(join(tmpdir(), 'neweid-fixtures-'))
try {
  for (const { name, pki, sign = {} } of cases) {
    const out = join(work, name)
    const files = createTestPki({ out, name: `TEST ${name}`, ...pki })
    const target = join(here, name)
    mkdirSync(target, { recursive: true })
    copyFileSync(files.cscaCert, join(target, 'csca.cert.pem'))
    copyFileSync(files.dsCert, join(target, 'ds.cert.pem'))
    copyFileSync(files.crl, join(target, 'csca.crl.pem'))
    if (files.linkCert) copyFileSync(files.linkCert, join(target, 'csca-link.cert.pem'))
    const contentInfo = signWithOpenssl({ content: lds, certificate: files.dsCert, key: files.dsKey, ...sign })
    writeFileSync(join(target, 'sod.bin'), wrapSod(contentInfo))
    if (name === 'p256') {
      const streamed = signWithOpenssl({ content: lds, certificate: files.dsCert, key: files.dsKey, stream: true })
      writeFileSync(join(target, 'sod-indefinite.bin'), wrapSod(streamed))
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
console.log(`fixtures written to ${here}`)

