import native, { callNative, callNativeSync } from './native.js'

/** How to build a virtual card. */
export interface VirtualCardOptions {
  /** A built-in persona (`lin-mei-ling`, `chen-zhi-kun`, `huang-pua`) or the path of a persona file. */
  persona?: string
  /** Whether the card offers extended-length APDUs (default true). */
  extendedLength?: boolean
  /** Standardised domain parameter IDs of the PACE options the card offers (default `[13]`). */
  paceParameterIds?: number[]
}

/** Where a vpcd card connects: vpcd listens on 35963 ("Virtual PCD 00 00") and 35964 ("Virtual PCD 00 01"). */
export interface VpcdOptions {
  host?: string
  port?: number
}

/** The command at which a card fault fires (for tests of removal and hangs). */
export interface RemovalFault {
  /** Instruction byte, such as 0xB0 for READ BINARY. */
  ins: number
  /** P1 byte, such as 0x87 for READ BINARY of DG7 by its short file identifier. */
  p1?: number
  /** Which matching command triggers it (default 1). */
  occurrence?: number
}

type Handle = InstanceType<typeof native.VirtualCardHandle>

/**
 * The virtual New eID card, holding a fictitious persona's data. It is the
 * test bed of this package: no real New eID card exists.
 */
export class VirtualCard {
  readonly #handle: Handle

  private constructor(handle: Handle) {
    this.#handle = handle
  }

  /** The built-in personas. */
  static personas(): string[] {
    return native.builtInPersonas()
  }

  /**
   * Inserts a card into a reader of this process named `reader`. The reader
   * is listed with the PC/SC readers and works without pcscd.
   */
  static insert(options: VirtualCardOptions & { reader?: string } = {}): VirtualCard {
    const reader = options.reader ?? 'NewEID Virtual Reader'
    return new VirtualCard(callNativeSync(() => native.insertVirtualCard(reader, options)))
  }

  /** Connects a card to vsmartcard's vpcd, so that pcscd shows it in a reader. */
  static connectToVpcd(options: VirtualCardOptions & VpcdOptions = {}): VirtualCard {
    const { host, port, ...card } = options
    return new VirtualCard(callNativeSync(() => native.connectVirtualCardToVpcd(card, { host, port })))
  }

  get persona(): string {
    return this.#handle.persona
  }

  /** The persona's CAN: test data, but print it no more than a real one. */
  get can(): string {
    return this.#handle.can
  }

  /** The reader name for an in-process card; undefined for a vpcd card. */
  get reader(): string | undefined {
    return this.#handle.inProcessReader ?? undefined
  }

  get present(): boolean {
    return this.#handle.present
  }

  get pinTriesLeft(): number {
    return this.#handle.pinTriesLeft
  }

  /** Pulls the card from its reader. */
  remove(): void {
    this.#handle.remove()
  }

  /** Puts the card back; it powers up with no secure messaging session. */
  reinsert(): void {
    this.#handle.insert()
  }

  /** Resolves true once the card is in its reader, false after the timeout. */
  waitUntilPresent(timeoutMs = 5000): Promise<boolean> {
    return callNative(() => this.#handle.waitUntilPresent(timeoutMs))
  }

  /** Pulls a vpcd card when a matching command arrives, without answering it. */
  pullOnCommand(fault: RemovalFault): void {
    callNativeSync(() => this.#handle.pullOnCommand(fault))
  }

  /**
   * Makes a vpcd card stop answering when a matching command arrives, as a
   * broken card would. It answers again after `remove()` and `reinsert()`.
   */
  muteOnCommand(fault: RemovalFault): void {
    callNativeSync(() => this.#handle.muteOnCommand(fault))
  }

  /** Takes the card out and releases its reader or vpcd connection. */
  stop(): void {
    this.#handle.stop()
  }
}
