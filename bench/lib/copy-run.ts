import { loadavg } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { EmulatorSide } from "../../test/emulator/emulator.js";
import type { WanProxyProcess } from "../wan/proxy-process.js";
import { createBucket, deleteBucket } from "./buckets.js";
import { type DatasetObject, totalBytes } from "./dataset.js";
import type { BenchEmulators } from "./emulators.js";
import { measure } from "./measure.js";
import { ownCpuSeconds, processCpuSeconds } from "./process-cpu.js";
import type { RunResult, StepResult } from "./results.js";
import type { Tool, ToolEndpoint } from "./tools.js";
import { verifyCopy } from "./verify.js";

/** What every run of one suite shares: the seeded source and clients for checking. */
export interface CopyRunContext {
  /** The emulator condition, "stock" or "patched". */
  condition: string;
  suite: string;
  emulators: BenchEmulators;
  workDir: string;
  sourceBucket: string;
  objects: DatasetObject[];
  /** Direct-endpoint clients the benchmark itself uses (create, verify, delete). */
  s3: { global: S3Client; china: S3Client };
  /** Objects hashed on both sides beyond those whose ETags differ. @defaultValue 8 */
  verifySample?: number;
}

/** How the client reaches the destination: straight to the emulator, or through the WAN proxy. */
export interface CopyPath {
  name: string;
  wan?: WanProxyProcess;
}

let runCounter = 0;

function endpointOf(side: EmulatorSide, endpoint: string, bucket: string): ToolEndpoint {
  return {
    name: side.name,
    endpoint,
    directEndpoint: side.directEndpoint,
    region: side.region,
    accessKeyId: side.accessKeyId,
    secretAccessKey: side.secretAccessKey,
    bucket,
    prefix: "",
  };
}

/**
 * Copies the seeded data set once with one tool into a fresh destination bucket, then
 * verifies it and deletes the bucket (the emulator holds objects in memory and temp
 * files). Requests are counted at the emulators over the tool's run only.
 */
export async function runCopy(
  ctx: CopyRunContext,
  tool: Tool,
  path: CopyPath,
  round: number,
): Promise<RunResult> {
  const { global, china } = ctx.emulators.info;
  const destinationBucket = `bench-dst-${process.pid}-${++runCounter}`;
  await createBucket(ctx.s3.china, destinationBucket, china.region);
  try {
    const runName = `${ctx.condition}-${ctx.suite}-${path.name}-${round}`;
    const steps = await tool.steps({
      source: endpointOf(global, global.directEndpoint, ctx.sourceBucket),
      destination: endpointOf(china, path.wan?.endpoint ?? china.directEndpoint, destinationBucket),
      // the queue and the ledger live on the source's side, as the fleet's do (global)
      services: {
        endpoint: global.directEndpoint,
        region: global.region,
        accessKeyId: global.accessKeyId,
        secretAccessKey: global.secretAccessKey,
      },
      workDir: ctx.workDir,
      runName,
    });
    const before = await path.wan?.stats();
    const mark = ctx.emulators.requests.mark();
    const load0 = loadavg()[0] ?? 0;
    const pids = ctx.emulators.info;
    const cpu0 = {
      global: processCpuSeconds(pids.global.pid),
      china: processCpuSeconds(pids.china.pid),
      bench: ownCpuSeconds(),
      wan: path.wan ? processCpuSeconds(path.wan.pid) : 0,
    };
    const stepResults: StepResult[] = [];
    let stdout = "";
    for (const step of steps) {
      const n = step.processes ?? 1;
      const started = process.hrtime.bigint();
      const each = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          measure(step.command, step.args, {
            env: step.env,
            workDir: ctx.workDir,
            outputFile: join(
              ctx.workDir,
              `output-${tool.name.replaceAll(" ", "-")}-${step.name}${n > 1 ? `-${i + 1}` : ""}-${runName}.log`,
            ),
            ...(step.stopWhen ? { stopWhen: step.stopWhen } : {}),
          }),
        ),
      );
      const { stdout: out, stderrTail } = each[0] as (typeof each)[number];
      // processes started together: the step lasts until the last ends; CPU adds up
      const cost = {
        wallSeconds: n > 1 ? Number(process.hrtime.bigint() - started) / 1e9 : (each[0]?.wallSeconds ?? 0),
        userSeconds: each.reduce((t, x) => t + x.userSeconds, 0),
        systemSeconds: each.reduce((t, x) => t + x.systemSeconds, 0),
        maxRssBytes: Math.max(0, ...each.map((x) => x.maxRssBytes)),
        exitCode: each.find((x) => x.exitCode !== 0)?.exitCode ?? 0,
      };
      stepResults.push({ name: step.name, cost });
      stdout = out;
      if (cost.exitCode !== 0) {
        process.stderr.write(`${tool.name} ${step.name} exited ${cost.exitCode}:\n${stderrTail}\n`);
        break;
      }
    }
    const cost = {
      wallSeconds: stepResults.reduce((n, x) => n + x.cost.wallSeconds, 0),
      userSeconds: stepResults.reduce((n, x) => n + x.cost.userSeconds, 0),
      systemSeconds: stepResults.reduce((n, x) => n + x.cost.systemSeconds, 0),
      maxRssBytes: Math.max(0, ...stepResults.map((x) => x.cost.maxRssBytes)),
      exitCode: stepResults.find((x) => x.cost.exitCode !== 0)?.cost.exitCode ?? 0,
    };
    const load1 = loadavg()[0] ?? 0;
    const otherCpu = {
      emulatorGlobal: processCpuSeconds(pids.global.pid) - cpu0.global,
      emulatorChina: processCpuSeconds(pids.china.pid) - cpu0.china,
      benchProcess: ownCpuSeconds() - cpu0.bench,
      ...(path.wan ? { wanProxy: processCpuSeconds(path.wan.pid) - cpu0.wan } : {}),
    };
    const requests = ctx.emulators.requests.since(mark);
    const verification = await verifyCopy(
      { s3: ctx.s3.global, bucket: ctx.sourceBucket },
      { s3: ctx.s3.china, bucket: destinationBucket },
      ctx.verifySample ?? 8,
    );
    const after = await path.wan?.stats();
    const lastLine = stdout.trim().split("\n").at(-1) ?? "";
    let clientReport: unknown;
    try {
      clientReport = lastLine.startsWith("{") ? JSON.parse(lastLine) : undefined;
    } catch {
      clientReport = undefined;
    }
    return {
      condition: ctx.condition,
      suite: ctx.suite,
      path: path.name,
      round,
      tool: tool.name,
      kind: tool.kind,
      settings: tool.settings,
      ...(tool.budgetMiB === undefined ? {} : { budgetMiB: tool.budgetMiB }),
      objects: ctx.objects.length,
      bytes: totalBytes(ctx.objects),
      cost,
      steps: stepResults,
      clientReport,
      requests,
      verification,
      ...(before && after
        ? {
            wan: {
              connections: after.connections - before.connections,
              resets: after.resets - before.resets,
              bytesUp: after.bytesUp - before.bytesUp,
              bytesDown: after.bytesDown - before.bytesDown,
            },
          }
        : {}),
      load: [load0, load1],
      otherCpu,
    };
  } finally {
    await deleteBucket(ctx.s3.china, destinationBucket);
  }
}
