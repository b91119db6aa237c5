/** CLI errors: a message that says what to do, and an exit code. Never a stack trace for the user. */

/** Exit codes: 1 for a refused or failed operation, 2 for bad usage. */
export const EXIT = { failed: 1, usage: 2 } as const;

/** An error the CLI reports on stderr before exiting non-zero. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments: exit 2 with the command's usage. */
export const usageError = (message: string, usage?: string): CliError =>
  new CliError(usage === undefined ? message : `${message}\n\nusage: ${usage}`, EXIT.usage);
