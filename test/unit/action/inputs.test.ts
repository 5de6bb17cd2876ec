import { describe, expect, it } from "vitest";
import { isAllowed } from "../../../action/src/allowlist.js";
import { withSideInputs } from "../../../action/src/aws.js";
import { parseAllowlist, parseInputs } from "../../../action/src/inputs.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? "";

describe("parseInputs", () => {
  it("applies the defaults of action.yml", () => {
    const inputs = parseInputs(reader({ command: "validate" }), { AWS_REGION: "eu-west-1" });
    expect(inputs).toMatchObject({
      command: "validate",
      migrationsPath: "migrations",
      ssmPath: "/longbow/migrations",
      awsRegion: "eu-west-1",
      throughput: 100_000_000,
      bucketAllowlist: [],
      china: { profile: undefined, credentialsParameter: undefined, endpoint: undefined },
    });
  });

  it.each([
    [
      { command: "deploy" },
      "input command must be one of validate, plan, publish, send, report, got 'deploy'",
    ],
    [
      { command: "plan", throughput: "fast" },
      "input throughput must be a positive number of MB/s, got 'fast'",
    ],
    [{ command: "plan", "ssm-path": "longbow" }, "input ssm-path must start with '/', got 'longbow'"],
    [
      { command: "plan", "china-profile": "china", "china-credentials-parameter": "/p" },
      "inputs china-profile and china-credentials-parameter are exclusive; set one",
    ],
    [
      { command: "plan", "global-endpoint": "not a url" },
      "input global-endpoint must be a URL, got 'not a url'",
    ],
  ])("rejects %j naming the input", (inputs, message) => {
    expect(() => parseInputs(reader(inputs))).toThrow(message);
  });
});

describe("the bucket allowlist", () => {
  it("splits on commas and new lines and matches exact names or trailing-* prefixes", () => {
    const list = parseAllowlist(" photos-global ,\n logs-* \n\n");
    expect(list).toEqual(["photos-global", "logs-*"]);
    expect(isAllowed("photos-global", list)).toBe(true);
    expect(isAllowed("logs-2026", list)).toBe(true);
    expect(isAllowed("photos-global-2", list)).toBe(false);
    expect(isAllowed("anything", [])).toBe(false);
  });
});

describe("withSideInputs", () => {
  const m = normalizeMigration({
    name: "m",
    source: { bucket: "s", region: "us-east-1" },
    destination: { bucket: "d", region: "cn-north-1", credentials: { profile: "from-file" } },
  });

  it("applies china-* inputs to cn-* sides and global-* inputs to the others", () => {
    const inputs = parseInputs(
      reader({ command: "plan", "china-profile": "china", "global-endpoint": "http://127.0.0.1:1" }),
    );
    const out = withSideInputs(m, inputs);
    expect(out.destination).toMatchObject({ bucket: "d", credentials: { profile: "china" } });
    expect(out.destination.endpoint).toBeUndefined();
    expect(out.source).toMatchObject({ credentials: "default", endpoint: "http://127.0.0.1:1" });
  });

  it("keeps the migration's settings when the inputs are empty", () => {
    expect(withSideInputs(m, parseInputs(reader({ command: "plan" })))).toEqual(m);
  });
});
