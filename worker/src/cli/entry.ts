// Entry of the bundle `npm run build` writes to dist/longbow.mjs (the file the worker fleet
// runs). It exports main() for bin/longbow.js and runs it when executed directly.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { main } from "./main.js";

export { main };

const invoked = process.argv[1];
if (invoked !== undefined && pathToFileURL(realpathSync(invoked)).href === import.meta.url) {
  process.exitCode = await main(process.argv);
}
