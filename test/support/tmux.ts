import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A program running on a real pseudo-terminal inside its own tmux server. */
export interface TmuxPane {
  /** What the terminal shows now, one string per row, trailing blanks trimmed. */
  screen(): Promise<string[]>;
  /** Types keys as tmux names them, e.g. `C-c`. */
  sendKeys(...keys: string[]): Promise<void>;
  /** Polls the screen until `done` holds for it (or `timeoutMs` passes, then throws with the screen). */
  waitFor(done: (screen: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Options of {@link startTmux}. */
export interface TmuxOptions {
  /** The command line and its arguments; run with exactly `env`. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Where the launch script is written. */
  scratch: string;
  /** @defaultValue 120 */
  columns?: number;
  /** @defaultValue 50 */
  rows?: number;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Starts `argv` in a detached tmux session of a fixed size, on a server of its own (its
 * own socket), so neither the user's tmux nor its environment is involved. When the
 * program ends, the pane prints `[exit N]` and stays open for capture.
 */
export async function startTmux(o: TmuxOptions): Promise<TmuxPane> {
  try {
    await run("tmux", ["-V"]);
  } catch {
    throw new Error("tmux is not installed (Debian: apt-get install tmux); the terminal tests drive it");
  }
  const socket = `longbow-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const script = join(o.scratch, `${socket}.sh`);
  writeFileSync(
    script,
    [
      "#!/bin/sh",
      ...Object.entries(o.env).map(([k, v]) => `export ${k}=${quote(v)}`),
      // Ctrl-C reaches the whole foreground group: the shell outlives it to print the exit code
      "trap true INT",
      `cd ${quote(o.cwd)}`,
      `${o.argv.map(quote).join(" ")}`,
      `echo "[exit $?]"`,
      "sleep 600",
      "",
    ].join("\n"),
  );
  const tmux = (...args: string[]) => run("tmux", ["-L", socket, "-f", "/dev/null", ...args]);
  await tmux(
    "new-session",
    "-d",
    "-s",
    "t",
    "-x",
    String(o.columns ?? 120),
    "-y",
    String(o.rows ?? 50),
    `env -i TERM=xterm-256color sh ${quote(script)}`,
  );
  const screen = async () => {
    const { stdout } = await tmux("capture-pane", "-p", "-t", "t");
    const rows = stdout.split("\n").map((l) => l.trimEnd());
    while (rows.length > 0 && rows.at(-1) === "") rows.pop();
    return rows;
  };
  return {
    screen,
    sendKeys: async (...keys) => {
      await tmux("send-keys", "-t", "t", ...keys);
    },
    waitFor: async (done, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = await screen();
        if (done(s)) return s;
        if (Date.now() > until)
          throw new Error(`timed out waiting for the terminal; it shows:\n${s.join("\n")}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: async () => {
      await tmux("kill-server").catch(() => {});
    },
  };
}
