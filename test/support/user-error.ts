// What a rejected promise says to the user: its UserError, or just the docs/errors.md anchor.
import { isUserError, type UserError } from '../../tools/shared/errors';

/** The UserError `p` rejects with; anything else (or no rejection) fails the test. */
export async function failure(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

/** The anchor of the UserError `p` rejects with. */
export async function anchorOf(p: Promise<unknown>): Promise<string | undefined> {
  return (await failure(p)).anchor;
}
