import { pino } from "pino";

/** The structured logger every module takes by injection. Pino's interface, JSON lines. */
export type Logger = pino.Logger;

/**
 * Field paths whose values never reach a log line. Credentials are also kept out of
 * messages by construction; this is the second line of defence.
 */
export const redactedPaths = [
  "secretAccessKey",
  "sessionToken",
  "aws_secret_access_key",
  "credentials",
  "*.secretAccessKey",
  "*.sessionToken",
  "*.aws_secret_access_key",
  "*.credentials",
  "*.*.secretAccessKey",
  "*.*.credentials",
  "authorization",
  "*.authorization",
  "headers.authorization",
];

export interface LoggerOptions {
  /** @defaultValue "info" */
  level?: string;
  /** Where JSON lines go. @defaultValue standard error (stdout is for command output) */
  destination?: pino.DestinationStream;
  /** Fields on every line, e.g. worker id. */
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything: for library callers and tests that do not care. */
export const silentLogger: Logger = pino({ level: "silent" });
