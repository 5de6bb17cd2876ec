import { partitionOf } from "../endpoint/index.js";
import { bucketNameProblem } from "./bucket-name.js";
import { didYouMean } from "./did-you-mean.js";
import type { SideDraft } from "./draft.js";
import { endpointPartition, endpointProblems } from "./endpoint-url.js";
import { partitions, regionStatus, supportedPartitions } from "./partitions.js";
import { type Problem, problemAt } from "./problem.js";
import type { YamlSource } from "./yaml-source.js";

type Where = { file: string; source: YamlSource };
type Path = (string | number)[];

const knownRegions = partitions
  .filter((p) => (supportedPartitions as readonly string[]).includes(p.id))
  .flatMap((p) => p.regions);

/**
 * Checks a region name against the SDK's partition table: an error when no partition could
 * have it, or when its partition is not one Longbow serves; a warning when it fits aws or
 * aws-cn but the SDK does not list it (a typo, or a region newer than the SDK).
 */
export function regionProblem(where: Where, path: Path, region: string): Problem | undefined {
  const status = regionStatus(region);
  const hint = didYouMean(region, knownRegions);
  if (status.kind === "impossible") {
    return problemAt(
      where,
      path,
      `region '${region}' is not an AWS region: no partition has such a name${hint}`,
    );
  }
  if (!(supportedPartitions as readonly string[]).includes(status.partition)) {
    return problemAt(
      where,
      path,
      `region '${region}' is in partition ${status.partition}; Longbow moves objects within and between aws and aws-cn only`,
    );
  }
  if (status.kind === "unlisted") {
    return problemAt(
      where,
      path,
      `region '${region}' is not a region the AWS SDK knows in partition ${status.partition} (a typo, or newer than this SDK)${hint}`,
      "warning",
    );
  }
  return undefined;
}

/** Checks of one side (`source` or `destination`) that the schema cannot express. */
export function checkSide(where: Where, name: "source" | "destination", side: SideDraft): Problem[] {
  const out: Problem[] = [];
  const push = (p: Problem | undefined) => {
    if (p) out.push(p);
  };
  if (side.bucket !== undefined) {
    const bad = bucketNameProblem(side.bucket);
    if (bad) out.push(problemAt(where, [name, "bucket"], bad));
  }
  if (side.region !== undefined) push(regionProblem(where, [name, "region"], side.region));
  const creds = side.credentials;
  if (typeof creds === "object" && "ssmParameter" in creds && typeof creds.region === "string") {
    push(regionProblem(where, [name, "credentials", "region"], creds.region));
  }
  if (typeof side.endpoint === "string") {
    for (const m of endpointProblems(side.endpoint)) out.push(problemAt(where, [name, "endpoint"], m));
    const ep = endpointPartition(side.endpoint);
    if (ep !== undefined && side.region !== undefined && ep !== partitionOf(side.region)) {
      out.push(
        problemAt(
          where,
          [name, "endpoint"],
          `endpoint is in partition ${ep} but region '${side.region}' is in partition ${partitionOf(side.region)}`,
        ),
      );
    }
  }
  return out;
}
