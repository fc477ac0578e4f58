// The CLI's one error type: a message for the operator and the exit code it means. main.ts prints
// the message (never a stack) and exits with the code.

export class CliError extends Error {
  constructor(
    message: string,
    /** 1: the input has errors (validate, migrate); 2: bad usage or an unreachable API. */
    readonly exitCode: 1 | 2 = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}
