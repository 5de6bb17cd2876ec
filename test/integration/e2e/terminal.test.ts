import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { longbowBin, repoRoot, writeMigration, writeProfiles } from "../../support/cli.js";
import { type FaultProxy, startHoldingProxy } from "../../support/fault-proxy.js";
import { bytesFor, createBucket, putObject } from "../../support/s3-objects.js";
import { startTmux, type TmuxPane } from "../../support/tmux.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-terminal-"));
const panes: TmuxPane[] = [];
const proxies: FaultProxy[] = [];
afterAll(async () => {
  await Promise.all([...panes.map((p) => p.close()), ...proxies.map((p) => p.close())]);
  rmSync(dir, { recursive: true, force: true });
});
const MiB = 1048576;

/** A migration folder and the environment `longbow migrate` runs with on the terminal. */
async function setup(name: string, destinationEndpoint = china.endpoint) {
  const [sb, db] = [uniqueBucket(`${name}-src`), uniqueBucket(`${name}-dst`)];
  await createBucket(src, sb, global.region);
  await createBucket(dst, db, china.region);
  for (const k of ["photos/a.jpg", "photos/b.jpg", "notes/c++ ideas.txt", "empty"])
    await putObject(src, sb, `data/${k}`, bytesFor(k, k === "empty" ? 0 : 70_000));
  await putObject(src, sb, "data/video.mp4", bytesFor("video", 20 * MiB));
  const folder = writeMigration(
    join(dir, name),
    name,
    { side: global, bucket: sb, prefix: "data/" },
    { side: china, bucket: db, prefix: "copy/", endpoint: destinationEndpoint },
  );
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: folder,
    ...writeProfiles(join(folder, "aws"), [global, china]),
    LONGBOW_PART_SIZE_MB: "5",
  };
  const argv = [process.execPath, longbowBin, "migrate", "--dir", folder, "--state", join(folder, "state")];
  return { folder, env, argv };
}

const exited = (s: string[]) => s.some((l) => /^\[exit \d+\]$/.test(l));

describe("longbow migrate on a terminal", () => {
  it("ends with the last state of the bar on its own line, then the report on clean lines, and no warning", async () => {
    const { folder, env, argv } = await setup("screen");
    const pane = await startTmux({ argv, env, cwd: repoRoot, scratch: folder });
    panes.push(pane);
    const screen = await pane.waitFor(exited, 90_000);
    if (process.env.LONGBOW_CAPTURE_SCREEN)
      writeFileSync(process.env.LONGBOW_CAPTURE_SCREEN, `${screen.join("\n")}\n`);
    expect(screen.at(-1)).toBe("[exit 0]");
    const text = screen.join("\n");
    expect(text).not.toMatch(/warning|MaxListeners|NodeVersionSupport|\(node:\d+\)/i);
    // the bar's final state, then the report: each starts a line of its own
    const bar = screen.findIndex((l) => l.includes("100% | 5/5 objects"));
    const heading = screen.findIndex((l) => l.startsWith("### Longbow migration `screen`: finished"));
    expect(bar).toBeGreaterThanOrEqual(0);
    expect(heading).toBeGreaterThan(bar);
    expect(screen.filter((l) => l.includes("% |"))).toHaveLength(1);
    expect(screen).toContain("| done | 5 (100%) | 20.2 MiB (100%) |");
    // no table row shares its line with anything else
    for (const row of screen.filter((l) => l.startsWith("|"))) expect(row).toMatch(/^\|.*\|$/);
  });

  it("after Ctrl-C shows one summary with what resumes and the command to run, and no failure", async () => {
    // the video's parts after the first are held on their way until the run has ended, so
    // Ctrl-C lands mid-copy
    const { proxy: slow, held: heldParts } = await startHoldingProxy(
      china.endpoint,
      (url) => url.includes("/copy/video.mp4?") && !/partNumber=1\b/.test(url),
    );
    proxies.push(slow);
    const { folder, env, argv } = await setup("stopped", slow.endpoint);
    const pane = await startTmux({
      argv,
      env: { ...env, LONGBOW_PARTS_IN_PARALLEL: "1" },
      cwd: repoRoot,
      scratch: folder,
    });
    panes.push(pane);
    await pane.waitFor((s) => s.some((l) => /4\/5 objects/.test(l)) && heldParts.waiting > 0, 90_000);
    await pane.sendKeys("C-c");
    const screen = await pane.waitFor(exited, 60_000);
    heldParts.open();
    expect(screen.at(-1)).toBe("[exit 130]");
    const text = screen.join("\n");
    expect(text.match(/interrupted/g)).toHaveLength(1);
    expect(text).toContain("longbow migrate: interrupted.");
    expect(text).toMatch(/done: +4 of 5 objects/);
    expect(text).toMatch(/stopped: +1 object\(s\) mid-copy/);
    expect(text).toMatch(/resumes: +1 object\(s\) \(20\.0 MiB\) on the next run/);
    expect(text).toContain("Run the same command again to resume:");
    expect(text).toContain(`  longbow migrate --dir ${folder} --state ${join(folder, "state")}`);
    expect(text).not.toMatch(/fail|error|warn|\{"level"/i);
    // the bar is gone, not left half drawn under the summary
    expect(screen.filter((l) => l.includes("% |"))).toHaveLength(0);
  });
});
