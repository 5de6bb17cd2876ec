import type { Emulators } from "./emulator.js";

declare module "vitest" {
  export interface ProvidedContext {
    emulator: Emulators;
  }
}
