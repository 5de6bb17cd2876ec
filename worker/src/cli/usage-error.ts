/**
 * A command line that cannot work as given (a missing flag, a flag that contradicts
 * another, an unknown migration name): `main` prints the message with the command's name
 * and exits 2, as commander does for its own usage errors.
 */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}
