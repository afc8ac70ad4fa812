#!/usr/bin/env node
// Creates a TEST-ONLY ICAO-style PKI with the openssl command line: a CSCA,
// an optional CSCA link certificate, a Document Signer (DS) and a CRL.
// Every subject says "TEST ONLY – not a production key". Never trust the
// output in production.
//
// Usage: node tools/test-pki.mjs --out DIR [--csca-curve P-256|brainpoolP256r1|brainpoolP384r1|rsa]
//          [--ds-curve ...] [--days 7305] [--ds-not-before ISO] [--ds-not-after ISO]
//          [--link] [--revoke-ds] [--explicit-ds] [--name LABEL]

import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CURVES = ['P-256', 'brainpoolP256r1', 'brainpoolP384r1', 'rsa']
const ORGANIZATION = 'TEST ONLY – not a production key'

function openssl(args, options = {}) {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], ...options })
}

/** Formats a Date as the GeneralizedTime string `openssl ca` accepts. */
function opensslTime(date) {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z')
}

function generateKey(path, curve, { explicit = false } = {}) {
  if (curve === 'rsa') {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path])
    return
  }
  if (!CURVES.includes(curve)) throw new Error(`unknown curve ${curve}: use one of ${CURVES.join(', ')}`)
  openssl([
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    `ec_paramgen_curve:${curve}`,
    '-pkeyopt',
    `ec_param_enc:${explicit ? 'explicit' : 'named_curve'}`,
    '-out',
    path,
  ])
}

function digestFor(curve) {
  return curve === 'brainpoolP384r1' ? 'sha384' : 'sha256'
}

function requestConfig(commonName, extensions = '') {
  return [
    '[ req ]',
    'distinguished_name = dn',
    'prompt = no',
    'utf8 = yes',
    'string_mask = utf8only',
    'x509_extensions = csca_ext',
    '[ dn ]',
    'C = TW',
    `O = ${ORGANIZATION}`,
    `CN = ${commonName}`,
    '[ csca_ext ]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    extensions,
    '',
  ].join('\n')
}

function caConfig(dir, certificate, key, digest) {
  return [
    '[ ca ]',
    'default_ca = csca',
    '[ csca ]',
    `database = ${dir}/index.txt`,
    `new_certs_dir = ${dir}`,
    `serial = ${dir}/serial`,
    `crlnumber = ${dir}/crlnumber`,
    `certificate = ${certificate}`,
    `private_key = ${key}`,
    `default_md = ${digest}`,
    'policy = policy_any',
    'unique_subject = no',
    'copy_extensions = none',
    'default_crl_days = 7305',
    '[ policy_any ]',
    'countryName = optional',
    'organizationName = optional',
    'commonName = supplied',
    '[ ds_ext ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '[ link_ext ]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '[ crl_ext ]',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n')
}

/** A CA directory for `openssl ca`: index, serial and configuration. */
function makeAuthority(work, label, certificate, key, digest, firstSerial) {
  const dir = join(work, `ca-${label}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.txt'), '')
  writeFileSync(join(dir, 'serial'), `${firstSerial}\n`)
  writeFileSync(join(dir, 'crlnumber'), '01\n')
  const config = join(dir, 'ca.cnf')
  writeFileSync(config, caConfig(dir, certificate, key, digest))
  return config
}

/** Returns the validity period of a PEM certificate. */
function validityOf(certPath) {
  const certificate = new X509Certificate(readFileSync(certPath))
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) }
}

function selfSigned(work, keyPath, certPath, commonName, days, digest, serial) {
  const config = join(work, `req-${serial}.cnf`)
  writeFileSync(config, requestConfig(commonName))
  openssl(['req', '-new', '-x509', '-config', config, '-key', keyPath, '-out', certPath, '-days', String(days), `-${digest}`, '-set_serial', String(serial)])
}

function issue(work, caConfigPath, keyPath, certPath, commonName, { extensions, notBefore, notAfter, digest }) {
  const config = join(work, `req-${commonName.replace(/\W+/g, '-')}.cnf`)
  writeFileSync(config, requestConfig(commonName))
  const request = `${certPath}.csr`
  openssl(['req', '-new', '-config', config, '-key', keyPath, '-out', request])
  openssl([
    'ca', '-batch', '-notext', '-config', caConfigPath, '-extensions', extensions, '-in', request, '-out', certPath,
    '-startdate', opensslTime(notBefore), '-enddate', opensslTime(notAfter), '-md', digest,
  ])
  rmSync(request)
}

/**
 * Creates a test PKI in `out` and returns the paths it wrote:
 * `csca-TEST.{key,cert}.pem`, `ds-TEST.{key,cert}.pem`, `csca-TEST.crl.pem`,
 * and with `link` also `csca-new-TEST.{key,cert}.pem` and `csca-link-TEST.cert.pem`.
 */
export function createTestPki(options) {
  const {
    out,
    cscaCurve = 'P-256',
    dsCurve = cscaCurve,
    days = 7305,
    dsNotBefore,
    dsNotAfter,
    link = false,
    revokeDs = false,
    explicitDs = false,
    name = 'TEST',
  } = options
  mkdirSync(out, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'neweid-pki-'))
  const path = (file) => join(out, file)
  const files = {
    cscaKey: path('csca-TEST.key.pem'),
    cscaCert: path('csca-TEST.cert.pem'),
    dsKey: path('ds-TEST.key.pem'),
    dsCert: path('ds-TEST.cert.pem'),
    crl: path('csca-TEST.crl.pem'),
  }
  try {
    const cscaDigest = digestFor(cscaCurve)
    generateKey(files.cscaKey, cscaCurve)
    selfSigned(work, files.cscaKey, files.cscaCert, `${name} CSCA`, days, cscaDigest, 1)
    let issuerConfig = makeAuthority(work, 'old', files.cscaCert, files.cscaKey, cscaDigest, '10')

    if (link) {
      files.newCscaKey = path('csca-new-TEST.key.pem')
      files.newCscaCert = path('csca-new-TEST.cert.pem')
      files.linkCert = path('csca-link-TEST.cert.pem')
      generateKey(files.newCscaKey, cscaCurve)
      selfSigned(work, files.newCscaKey, files.newCscaCert, `${name} CSCA`, days, cscaDigest, 2)
      const oldCsca = validityOf(files.cscaCert)
      issue(work, issuerConfig, files.newCscaKey, files.linkCert, `${name} CSCA`, {
        extensions: 'link_ext',
        notBefore: oldCsca.notBefore,
        notAfter: new Date(oldCsca.notAfter.getTime() - 86_400_000),
        digest: cscaDigest,
      })
      issuerConfig = makeAuthority(work, 'new', files.newCscaCert, files.newCscaKey, cscaDigest, '20')
    }

    // By default the DS is valid within its issuer's validity, from the
    // issuer's notBefore to one day before its notAfter.
    const issuer = validityOf(link ? files.newCscaCert : files.cscaCert)
    generateKey(files.dsKey, dsCurve, { explicit: explicitDs })
    issue(work, issuerConfig, files.dsKey, files.dsCert, `${name} Document Signer`, {
      extensions: 'ds_ext',
      notBefore: dsNotBefore ?? issuer.notBefore,
      notAfter: dsNotAfter ?? new Date(issuer.notAfter.getTime() - 86_400_000),
      digest: cscaDigest,
    })
    if (revokeDs) openssl(['ca', '-config', issuerConfig, '-revoke', files.dsCert])
    openssl(['ca', '-config', issuerConfig, '-gencrl', '-crlexts', 'crl_ext', '-out', files.crl])
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return files
}

/**
 * Encodes an LDSSecurityObject (version 0) with `openssl asn1parse -genconf`
 * from data groups given as a Map or object of number to bytes.
 */
export function encodeLdsWithOpenssl(dataGroups, hash = 'sha256') {
  const oids = { sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3' }
  const entries = [...new Map(Object.entries(Object.fromEntries(dataGroups))).entries()].sort((a, b) => a[0] - b[0])
  const lines = ['asn1 = SEQUENCE:lds', '[ lds ]', 'version = INTEGER:0', 'algorithm = SEQUENCE:hash_algorithm', 'hashes = SEQUENCE:hashes', '[ hash_algorithm ]', `oid = OID:${oids[hash]}`, '[ hashes ]']
  for (const [number] of entries) lines.push(`dg${number} = SEQUENCE:dg${number}`)
  for (const [number, bytes] of entries) {
    const digest = createHash(hash).update(bytes).digest('hex')
    lines.push(`[ dg${number} ]`, `number = INTEGER:${number}`, `hash = FORMAT:HEX,OCTETSTRING:${digest}`)
  }
  const work = mkdtempSync(join(tmpdir(), 'neweid-lds-'))
  try {
    const config = join(work, 'lds.cnf')
    const der = join(work, 'lds.der')
    writeFileSync(config, lines.join('\n') + '\n')
    openssl(['asn1parse', '-genconf', config, '-out', der, '-noout'])
    return readFileSync(der)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * Signs `content` with `openssl cms -sign` into a DER ContentInfo with the
 * given eContentType. `pss` selects RSA-PSS; `stream` makes openssl write
 * indefinite lengths (BER), which verifiers must reject.
 */
export function signWithOpenssl({ content, certificate, key, contentType = '2.23.136.1.1.1', digest = 'sha256', pss = false, stream = false }) {
  const work = mkdtempSync(join(tmpdir(), 'neweid-cms-'))
  try {
    const input = join(work, 'content.der')
    const output = join(work, 'signed.der')
    writeFileSync(input, content)
    const args = ['cms', '-sign', '-binary', '-nodetach', '-nosmimecap', '-econtent_type', contentType, '-md', digest, '-in', input, '-signer', certificate, '-inkey', key, '-outform', 'DER', '-out', output]
    if (pss) args.push('-keyopt', 'rsa_padding_mode:pss')
    if (stream) args.push('-stream')
    openssl(args)
    return readFileSync(output)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** Wraps a ContentInfo in the EF.SOD tag 77 with a minimal DER length. */
export function wrapSod(contentInfo) {
  const length = contentInfo.length
  const header = length < 0x80 ? [0x77, length] : length < 0x100 ? [0x77, 0x81, length] : [0x77, 0x82, length >> 8, length & 0xff]
  return Buffer.concat([Buffer.from(header), contentInfo])
}

function parseArguments(argv) {
  const options = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${flag} needs a value`)
      return next
    }
    switch (flag) {
      case '--out': options.out = resolve(value()); break
      case '--csca-curve': options.cscaCurve = value(); break
      case '--ds-curve': options.dsCurve = value(); break
      case '--days': options.days = Number(value()); break
      case '--ds-not-before': options.dsNotBefore = new Date(value()); break
      case '--ds-not-after': options.dsNotAfter = new Date(value()); break
      case '--link': options.link = true; break
      case '--revoke-ds': options.revokeDs = true; break
      case '--explicit-ds': options.explicitDs = true; break
      case '--name': options.name = value(); break
      default: throw new Error(`unknown option ${flag}; see the usage at the top of tools/test-pki.mjs`)
    }
  }
  if (!options.out) throw new Error('--out DIR is required')
  return options
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const files = createTestPki(parseArguments(process.argv.slice(2)))
    for (const [role, file] of Object.entries(files)) console.log(`${role}: ${file}`)
  } catch (error) {
    console.error(`test-pki: ${error.message}`)
    process.exit(1)
  }
}
