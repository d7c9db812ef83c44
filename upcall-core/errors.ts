/** Errors the core throws. All are Error subclasses with a stable `code` for callers to switch on. */
export class UpcallError extends Error {
  override name = 'UpcallError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An option value was refused; the message names the option, the value and what is allowed. */
export class InvalidOptionError extends UpcallError {
  override name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(
      'EINVALIDOPTION',
      `invalid value ${JSON.stringify(value)} for option '${option}': expected ${expected}`,
    );
  }
}

/** A change or id that cannot be accepted (bad flags, empty client id...). */
export class InvalidArgumentError extends UpcallError {
  override name = 'InvalidArgumentError';
  constructor(message: string) {
    super('EINVALIDARG', message);
  }
}

/** The core was used after `close()`. */
export class ClosedError extends UpcallError {
  override name = 'ClosedError';
  constructor() {
    super('ECLOSED', 'the upcall core is closed');
  }
}
