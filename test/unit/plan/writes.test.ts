import { describe, expect, it } from "vitest";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import { assemblePlan, MigrationPlanBuilder, renderPlanMarkdown } from "../../../worker/src/plan/index.js";

type Destination = Parameters<typeof normalizeMigration>[0]["destination"];
const render = (destination: Partial<Destination>) =>
  renderPlanMarkdown(
    assemblePlan(
      [
        new MigrationPlanBuilder(
          normalizeMigration({
            name: "videos",
            source: { bucket: "src", region: "us-east-1" },
            destination: { bucket: "dst", region: "cn-northwest-1", ...destination },
          }),
        ).build(1e8),
      ],
      1e8,
      new Date(0),
    ),
  );
const writes = (md: string) => md.split("\n").filter((l) => l.startsWith("Writes:"));

describe("the plan shows how copies are written", () => {
  it("with the defaults: STANDARD, tags copied", () => {
    expect(writes(render({}))).toEqual(["Writes: storage class `STANDARD`; tags copied"]);
  });

  it("with the source's own classes and without tags", () => {
    expect(writes(render({ storageClass: "preserve", tags: "none" }))).toEqual([
      "Writes: storage class each source object's own; tags not copied",
    ]);
    expect(writes(render({ storageClass: "GLACIER_IR" }))).toEqual([
      "Writes: storage class `GLACIER_IR`; tags copied",
    ]);
  });
});
