/**
 * Destination storage classes Longbow writes. The original supported the first seven;
 * GLACIER_IR is accepted too because it is the usual archive tier today.
 */
export const storageClasses = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
] as const;

export type StorageClass = (typeof storageClasses)[number];

/** A destination's class: one for every object, or `preserve` (each source object's own). */
export type StorageClassChoice = StorageClass | "preserve";

/** Classes whose objects must be restored before they can be read. */
export const archiveClasses: ReadonlySet<string> = new Set(["GLACIER", "DEEP_ARCHIVE"]);

export function isStorageClass(value: string): value is StorageClass {
  return (storageClasses as readonly string[]).includes(value);
}
