import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/cli.js";

const run = promisify(execFile);

interface Outcome {
  streamed: boolean;
  results: { case: string; error?: string; etag?: string; md5?: string; checksum?: unknown[] }[];
}

/** The same uploads completed in moto's backend with the bench's streamed completion on or off. */
async function complete(streamed: boolean): Promise<Outcome> {
  const { stdout } = await run(
    join(repoRoot, ".venv", "bin", "python"),
    [join(repoRoot, "test", "unit", "bench", "python", "complete_upload_cases.py")],
    { env: { ...process.env, LONGBOW_BENCH_STREAMED_COMPLETE: streamed ? "1" : "0" }, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as Outcome;
}

// bench/emulator/sitecustomize.py replaces moto's CompleteMultipartUpload with one that copies
// each part once; a bench row is only comparable if what the upload leaves behind is the same.
describe("the bench emulator's streamed multipart completion", () => {
  it("leaves the same object, ETag and checksum as moto's own, and refuses the same uploads", async () => {
    const [stock, streamed] = await Promise.all([complete(false), complete(true)]);
    expect(stock.streamed).toBe(false);
    expect(streamed.streamed).toBe(true);
    expect(streamed.results).toEqual(stock.results);
    const byCase = Object.fromEntries(stock.results.map((r) => [r.case, r]));
    expect(byCase["wrong-etag"]?.error).toBe("InvalidPart");
    expect(byCase["small-middle-part"]?.error).toBe("EntityTooSmall");
    expect(byCase["no-parts"]?.error).toBe("MalformedXML");
    expect(byCase.default?.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(byCase["sha256-composite"]?.checksum?.[0]).toBe("COMPOSITE");
  }, 60_000);
});
