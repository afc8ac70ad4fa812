// A pure-JavaScript Passive Authentication with pkijs, for comparison in
// benches/pa.bench.mjs. It runs the checks of the native verifier: the
// structure and eContentType, the signed attributes and the signature (by
// pkijs SignedData.verify), the DS certificate signature and validity, the
// CSCA validity, the CRL, and every data group hash. Like the native
// verifier, it caches a verified DS chain by certificate bytes.
// Signatures go through WebCrypto: Node's own for NIST curves, and
// @peculiar/webcrypto for brainpool curves, which Node's WebCrypto lacks.

import { createHash } from 'node:crypto'

import { Crypto } from '@peculiar/webcrypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'

const LDS_SECURITY_OBJECT = '2.23.136.1.1.1'

const BRAINPOOL_CURVES = {
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
}

/** pkijs 4.0 knows brainpool point sizes but maps no brainpool curve OID to a WebCrypto name; this engine adds the mapping. */
class BrainpoolCryptoEngine extends pkijs.CryptoEngine {
  getAlgorithmByOID(oid, safety, target) {
    const curve = BRAINPOOL_CURVES[oid]
    return curve ? { name: curve } : super.getAlgorithmByOID(oid, safety, target)
  }
}

/** Selects the WebCrypto provider: `node` (NIST curves) or `peculiar` (brainpool). */
export function useEngine(kind) {
  const engine =
    kind === 'peculiar'
      ? new BrainpoolCryptoEngine({ name: kind, crypto: new Crypto() })
      : new pkijs.CryptoEngine({ name: kind, crypto: globalThis.crypto })
  pkijs.setEngine(kind, engine)
}

function fromDer(bytes, what) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const parsed = asn1js.fromBER(buffer)
  if (parsed.offset === -1 || parsed.offset !== buffer.byteLength) throw new Error(`${what}: malformed or trailing bytes`)
  return parsed.result
}

/** Parses CSCA certificates and CRLs (DER) once. */
export function pkijsTrust(cscaDers, crlDers) {
  return {
    cscas: cscaDers.map((der) => pkijs.Certificate.fromBER(der)),
    crls: crlDers.map((der) => pkijs.CertificateRevocationList.fromBER(der)),
    cache: new Map(),
  }
}

async function validateChain(ds, trust, now) {
  const csca = trust.cscas.find((candidate) => candidate.subject.isEqual(ds.issuer))
  if (!csca) return [['ds.issuer', false]]
  const checks = [['ds.issuer', true], ['ds.certificate_signature', await ds.verify(csca)]]
  const crl = trust.crls.find((candidate) => candidate.issuer.isEqual(ds.issuer))
  if (crl) {
    const crlValid = await crl.verify({ issuerCertificate: csca })
    checks.push(['ds.crl_status', crlValid && !crl.isCertificateRevoked(ds)])
  }
  return { csca, checks }
}

function validity(certificate, now) {
  return certificate.notBefore.value <= now && now <= certificate.notAfter.value
}

/** Runs Passive Authentication and returns `{ ok, checks: [name, ok][] }`. */
export async function pkijsPassiveAuthentication(sod, dataGroups, trust, now = new Date()) {
  const checks = []
  const wrapper = fromDer(sod, 'EF.SOD')
  const contentInfoBer = wrapper.idBlock.tagClass === 2 && wrapper.idBlock.tagNumber === 23 ? wrapper.valueBlock.value[0] : wrapper
  const contentInfo = new pkijs.ContentInfo({ schema: contentInfoBer })
  const signedData = new pkijs.SignedData({ schema: contentInfo.content })
  checks.push(['sod.content_type', signedData.encapContentInfo.eContentType === LDS_SECURITY_OBJECT])

  const econtent = signedData.encapContentInfo.eContent.getValue()
  const lds = fromDer(new Uint8Array(econtent), 'LDSSecurityObject')
  const hashes = new Map()
  for (const entry of lds.valueBlock.value[2].valueBlock.value) {
    const [number, hash] = entry.valueBlock.value
    hashes.set(number.valueBlock.valueDec, Buffer.from(hash.valueBlock.valueHexView))
  }

  const signature = await signedData.verify({ signer: 0, checkChain: false, extendedMode: true })
  checks.push(['sod.signature', signature.signatureVerified === true])
  checks.push(['sod.message_digest', signature.code !== 15])

  const ds = signedData.certificates[0]
  const key = Buffer.from(ds.toSchema().toBER(false)).toString('base64')
  let chain = trust.cache.get(key)
  if (!chain) {
    chain = await validateChain(ds, trust, now)
    trust.cache.set(key, chain)
  }
  if (Array.isArray(chain)) {
    checks.push(...chain)
  } else {
    checks.push(...chain.checks, ['ds.validity', validity(ds, now)], ['csca.validity', validity(chain.csca, now)])
  }

  for (const [number, bytes] of dataGroups) {
    const expected = hashes.get(number)
    if (!expected) {
      checks.push([`dg${number}.not_in_sod`, false])
      continue
    }
    const actual = createHash('sha256').update(bytes).digest()
    checks.push([`dg${number}.hash`, actual.equals(expected)])
  }
  return { ok: checks.every(([, ok]) => ok), checks }
}
