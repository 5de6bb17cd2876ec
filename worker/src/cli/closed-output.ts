let installed = false;

/**
 * A reader that leaves early (`longbow plan | head`) closes the pipe under stdout or
 * stderr; the next write then fails with EPIPE, which as an unhandled stream error would
 * crash the process mid-command (a migration among them). The reader has what it wanted:
 * further output is dropped and the command carries on to its own end and exit code.
 */
export function dropOutputToClosedPipes(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return;
      throw err;
    });
  }
}
