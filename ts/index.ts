import native from './native.js'

export { NewEidError, isNewEidError, formatStatusWord, ERROR_CODES } from './errors/index.js'
export type { ErrorCode, PinState, NewEidErrorOptions } from './errors/index.js'
export { getLanguage, setLanguage, languageFromEnvironment } from './i18n.js'
export type { Language, Localized } from './i18n.js'

/** Returns the version of the loaded native addon. */
export const nativeVersion = (): string => native.nativeVersion()
export { decodeCnsText, encodeCnsText, cnsCodeOf, cnsCodesOf, charOfCnsCode, toBig5, fromBig5 } from './text/index.js'
export type { CnsText, CnsPrivateUseCharacter, CnsUnmappedCharacter, ToBig5Options, Big5Result, UnencodableAction, CharacterAt } from './text/index.js'

export {
  TrustStore,
  verifyPassiveAuthentication,
  verifyPassiveAuthenticationSync,
  verifyCardSecurity,
  verifyCardSecuritySync,
  VerificationCheck,
} from './verify/index.js'
export { decodePublicEvidence, verifyPublicRead } from './verify/index.js'
export type { MasterListOptions, SkipKind, PublicEvidenceFields, PublicEvidenceHousehold, PublicRead, PublicReadVerification } from './verify/index.js'
export type {
  CertificateInfo,
  CrlInfo,
  MasterListResult,
  SkippedFile,
  PassiveAuthenticationEvidence,
  PassiveAuthenticationPolicy,
  DigestName,
  Verification,
  CardSecurityVerification,
  SignerDescription,
} from './verify/index.js'

export {
  listCardTerminals,
  listEIDs,
  getEIDLabel,
  getEIDHouseholdData,
  getEIDPublicData,
  ListCardTerminal,
  ListEID,
  GetEIDLabel,
  GetEIDHouseHoldData,
  GetEIDPublicData,
  civilDate,
  DEFAULT_TIMEOUT_MS,
} from './client/index.js'
export type {
  CardOptions,
  CardTerminal,
  CivilDate,
  EIDCard,
  EIDLabel,
  Evidence,
  HouseholdData,
  PaceInfo,
  PublicData,
  Secret,
} from './client/index.js'
export { VirtualCard } from './virtual-card.js'
export type { VirtualCardOptions, VpcdOptions, RemovalFault } from './virtual-card.js'
