import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { longbowBin } from "../../support/cli.js";

// Starts the built CLI (bin/longbow.js may rebuild it first on a busy machine).
vi.setConfig({ testTimeout: 60_000 });

/** Runs `longbow args` with its stdout pipe closed by the reader before anything is written. */
async function withStdoutClosed(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [longbowBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

describe("output to a reader that left (longbow … | head)", () => {
  it("is dropped: the command ends with its own exit code, not an unhandled EPIPE", async () => {
    const help = await withStdoutClosed(["validate", "--help"]);
    expect(help.stderr).not.toContain("EPIPE");
    expect(help.code).toBe(0);
    const validate = await withStdoutClosed(["validate", "test/fixtures/migrations/valid"]);
    expect(validate.stderr).not.toContain("EPIPE");
    expect(validate.code).toBe(0);
  });
});
