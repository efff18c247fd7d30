// Expected failures of the host tools: one sentence saying what to do, plus an optional stable
// anchor into docs/errors.md. Does not print or exit: tools/cli.ts is the single exit point.

/** Where the anchors point; messages print it relative to the project root. */
export const ERRORS_DOC = 'docs/errors.md';

/**
 * A failure the user can fix. `message` is one sentence that says what to do; `anchor` names a
 * heading in docs/errors.md that explains the cause at length. Anything that is not a
 * UserError reaching the CLI is a bug.
 */
export class UserError extends Error {
  readonly anchor?: string;
  /** Marks instances across module copies (jest registries, tsx), where instanceof can fail. */
  readonly isUserError = true;

  constructor(message: string, anchor?: string) {
    super(message);
    this.name = 'UserError';
    if (anchor !== undefined) this.anchor = anchor;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError || (typeof err === 'object' && err !== null && (err as { isUserError?: unknown }).isUserError === true);
}

/** The link printed under a message, e.g. `see docs/errors.md#cert-expired`. */
export function errorLink(anchor: string): string {
  return `see ${ERRORS_DOC}#${anchor}`;
}

/**
 * What the CLI prints: for a UserError its sentence and, when it has one, the docs link on the
 * next line; for anything else "bug:" and the stack, because an unexpected failure is ours to fix.
 */
export function formatError(err: unknown): string {
  if (isUserError(err)) return err.anchor ? `${err.message}\n  ${errorLink(err.anchor)}` : err.message;
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return `bug: this should not happen; please report it with what follows.\n${detail}`;
}
