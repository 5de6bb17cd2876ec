import type { AnnotationProperties } from "@actions/core";
import type { Problem } from "../../../worker/src/config/index.js";

/** The part of `@actions/core` that writes annotations; injectable for tests. */
export interface Annotator {
  error(message: string, properties: AnnotationProperties): void;
  warning(message: string, properties: AnnotationProperties): void;
}

/**
 * Emits one annotation per problem at its file, line and column (errors as errors, warnings
 * as warnings). GitHub shows only the first 10 of each per step, so callers also list every
 * problem in the job summary.
 */
export function annotateProblems(problems: readonly Problem[], annotator: Annotator): void {
  for (const p of problems) {
    const message = p.path === "" ? p.message : `${p.path}: ${p.message}`;
    const properties = { title: "Longbow migration", file: p.file, startLine: p.line, startColumn: p.col };
    if (p.severity === "warning") annotator.warning(message, properties);
    else annotator.error(message, properties);
  }
}
