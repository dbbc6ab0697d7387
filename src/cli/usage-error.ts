// A mistake in what the user gave the CLI (exit code 2), apart from the commands so that any of them can raise it.

/** A mistake in what the user gave us: printed as a readable message, exit code 2. */
export class UsageError extends Error {}
