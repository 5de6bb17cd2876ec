/**
 * The limits a migration file and its published parameter must keep, stated once: the
 * validator, `publish` and the README read them from here.
 */
export const inputLimits = {
  /** Largest migration file read, in bytes (a real one is well under 2 KiB). */
  maxFileBytes: 64 * 1024,
  /** Deepest nesting of maps and lists, aliases followed (a migration needs 3). */
  maxNesting: 32,
  /** The yaml library's `maxAliasCount` (alias uses weighted by their size): stops alias bombs. */
  maxAliasCount: 100,
  /** SSM Parameter Store's value limit in the Standard tier ("4 KB"), in bytes. */
  ssmStandardBytes: 4096,
  /** SSM Parameter Store's value limit in the Advanced tier ("8 KB", charged), in bytes. */
  ssmAdvancedBytes: 8192,
} as const;

/** `64 KiB`, `4.9 MiB`: a size for a message. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
}
