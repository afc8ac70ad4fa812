export { TrustStore } from './trust-store.js'
export type { CertificateInfo, CrlInfo, MasterListOptions, MasterListResult, SkipKind, SkippedFile } from './trust-store.js'
export {
  verifyPassiveAuthentication,
  verifyPassiveAuthenticationSync,
  verifyCardSecurity,
  verifyCardSecuritySync,
} from './passive-authentication.js'
export type { PassiveAuthenticationEvidence } from './passive-authentication.js'
export { decodePublicEvidence, verifyPublicRead } from './public-read.js'
export type { PublicEvidenceFields, PublicEvidenceHousehold, PublicRead, PublicReadVerification } from './public-read.js'
export type { PassiveAuthenticationPolicy, DigestName } from './policy.js'
export { VerificationCheck } from './result.js'
export type { Verification, CardSecurityVerification, SignerDescription } from './result.js'
export { checkLabel, DETAIL_TEMPLATES } from './messages.js'
