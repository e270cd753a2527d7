// What a checkpoint is made of: checks that pass with a line of what they saw, or fail with what is
// wrong and what to do about it.

/** A check's failure: `message` says what is wrong, `hint` what to do (a command, a file to read). */
export class CheckFailed extends Error {
  name = 'CheckFailed';

  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

/** Fails the check unless `condition` holds. */
export function expect(condition, message, hint) {
  if (!condition) throw new CheckFailed(message, hint);
}

/**
 * Runs the checks one after the other and reports each; stops at the first that fails, since the
 * later ones build on it (no echo through a gateway that is not running). Returns whether all passed.
 */
export async function runChecks(checks, context, write) {
  for (const [index, check] of checks.entries()) {
    try {
      const seen = await check.run(context);
      write(`  ✔ ${check.name}${seen ? ` — ${seen}` : ''}`);
    } catch (error) {
      const expected = error instanceof CheckFailed;
      write(`  ✘ ${check.name}`);
      write(`      ${expected ? error.message : `unexpected error: ${error.stack ?? error}`}`);
      if (expected && error.hint) {
        for (const line of error.hint.split('\n')) write(`      → ${line}`);
      }
      const skipped = checks.slice(index + 1);
      for (const later of skipped)
        write(`  · ${later.name} (not checked: fix the one above first)`);
      return false;
    }
  }
  return true;
}
