import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
  environment?: unknown;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const dir = join(import.meta.dirname, "..", "..", "..", ".github", "workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const load = (f: string) => ({
  text: readFileSync(join(dir, f), "utf8"),
  wf: parse(readFileSync(join(dir, f), "utf8")) as Workflow,
});
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);

describe("workflow security rules", () => {
  it("has the five workflows", () => {
    expect(files.sort()).toEqual(
      expect.arrayContaining(["ci.yml", "deploy.yml", "report.yml", "sync.yml", "validate.yml"]),
    );
  });

  it.each(files)("%s pins every third-party action by commit SHA with a version comment", (f) => {
    const { text, wf } = load(f);
    for (const step of steps(wf)) {
      // `$/...` (and `./...`) is this repository's own Action, at the workflow's revision
      if (step.uses === undefined || step.uses.startsWith("./") || step.uses.startsWith("$/")) continue;
      expect(step.uses, f).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      const line = text.split("\n").find((l) => l.includes(step.uses as string));
      expect(line, `${step.uses} in ${f}`).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it.each(files)("%s never uses pull_request_target", (f) => {
    expect(Object.keys(load(f).wf.on)).not.toContain("pull_request_target");
  });

  it.each(files)("%s declares read-only permissions at the top; write scopes only per job", (f) => {
    const { wf } = load(f);
    expect(wf.permissions, f).toBeDefined();
    expect(
      Object.values(wf.permissions ?? {}).every((v) => v === "read" || v === "none"),
      f,
    ).toBe(true);
    for (const [name, job] of Object.entries(wf.jobs)) {
      const usesAws = (job.steps ?? []).some((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      if (usesAws) expect(job.permissions?.["id-token"], `${f} job ${name}`).toBe("write");
    }
  });

  it.each(files)("%s checks out without persisting the token", (f) => {
    for (const step of steps(load(f).wf).filter((s) => s.uses?.startsWith("actions/checkout@"))) {
      expect(step.with?.["persist-credentials"], f).toBe(false);
    }
  });

  it.each(files)("%s assumes China roles with the China STS audience", (f) => {
    for (const step of steps(load(f).wf).filter((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    )) {
      const china = /CHINA/.test(String(step.with?.["role-to-assume"]));
      expect(step.with?.audience, `${f}: ${String(step.with?.["role-to-assume"])}`).toBe(
        china ? "sts.amazonaws.com.cn" : undefined,
      );
    }
  });

  it("plans only pull requests from the repository itself", () => {
    const { wf } = load("validate.yml");
    const credentialed = Object.entries(wf.jobs).filter(([, j]) => j.permissions?.["id-token"] === "write");
    expect(credentialed.length).toBeGreaterThan(0);
    for (const [, job] of credentialed) {
      expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    }
    const validate = wf.jobs.validate;
    expect(validate?.permissions).toBeUndefined();
    expect(validate?.if).toBeUndefined();
  });

  it.each(["deploy.yml", "sync.yml"])("%s never cancels a run in progress", (f) => {
    expect(load(f).wf.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("deploys inside the protected environment", () => {
    expect(load("deploy.yml").wf.jobs.deploy?.environment).toBe("longbow-production");
  });

  it("deploys the stack (its grants) before it publishes the migrations", () => {
    const deploySteps = load("deploy.yml").wf.jobs.deploy?.steps ?? [];
    const cdk = deploySteps.findIndex((st) => /cdk@[\d.]+ deploy/.test(st.run ?? ""));
    const publish = deploySteps.findIndex((st) => st.with?.command === "publish");
    expect(cdk).toBeGreaterThan(-1);
    expect(publish).toBeGreaterThan(cdk);
  });

  it("plans with a read-only China key, never the fleet's, and passes the endpoint allowlist", () => {
    const { text, wf } = load("validate.yml");
    const planStep = (wf.jobs.plan?.steps ?? []).find((st) => st.with?.command === "plan");
    expect(planStep?.with?.["endpoint-allowlist"]).toMatch(/^\$\{\{ vars\.LONGBOW_ENDPOINT_ALLOWLIST \}\}$/);
    expect(String(planStep?.with?.["china-credentials-parameter"])).toContain(
      "vars.LONGBOW_CHINA_PLAN_CREDENTIALS_PARAMETER",
    );
    expect(text).not.toContain("vars.LONGBOW_CHINA_CREDENTIALS_PARAMETER");
    const send = (load("sync.yml").wf.jobs.send?.steps ?? []).find((st) => st.with?.command === "send");
    expect(send?.with?.["endpoint-allowlist"]).toMatch(/^\$\{\{ vars\.LONGBOW_ENDPOINT_ALLOWLIST \}\}$/);
  });
});
