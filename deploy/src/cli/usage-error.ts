/**
 * A mistake in how the command was called (a missing flag, an unknown ref or service): reported
 * as one line without a stack trace, exit code 2. Anything else that fails exits 1.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What cannot run on this machine (the Pulumi CLI, a Docker engine): exit code 2, saying what is missing. */
export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
}
