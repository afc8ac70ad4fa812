import native from './native.js'

export const nativeVersion = (): string => native.nativeVersion()
