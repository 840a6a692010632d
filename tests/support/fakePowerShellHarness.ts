// Test helper: a per-test copy of the fake PowerShell executable, configured through a small wrapper script,
// with its log and control file in a temporary directory.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const FAKE_POWERSHELL = path.join(__dirname, "fakePowerShell.js");

export interface FakeFault {
  /** An operation, "_session" (opening the session) or "*" (any operation). */
  operation: string;
  fault:
    "hang" | "crash" | "exit" | "stderr" | "stray" | "slow" | "idleExit" | "brokenSession" | "lostConnection";
  delayMs?: number;
}

export interface FakeControl {
  plan?: Record<string, string[]>;
  faults?: FakeFault[];
  sessionError?: { message: string; category: string; fullyQualifiedErrorId: string; exceptionType: string };
}

export interface FakePowerShellOptions {
  mode?: "replay" | "simulator";
  control?: FakeControl;
  simulatorStateFile?: string;
  simulatorServer?: string;
  stdoutEncoding?: "ascii" | "utf8";
}

export type FakeLogRecord =
  | { pid: number; event: "start"; argv: string[]; passwordVariablePresent: boolean }
  | { pid: number; event: "line"; line: string }
  | {
      pid: number;
      event: "call";
      /** session: _session.ps1; local / remote: an EntraWriteback function. */
      shape: "session" | "local" | "remote";
      /** The contract operation (or _session). */
      script: string;
      /** The EntraWriteback function called (not for _session). */
      command?: string;
      arguments: unknown;
    }
  | { pid: number; event: "session"; transport: string; passwordReceived: boolean }
  | { pid: number; event: "refused"; reason: string }
  | { pid: number; event: "fault"; script: string; fault: string }
  | { pid: number; event: "failure"; message: string };

export interface FakePowerShell {
  /** Pass as `executable` to createPowerShellBackend. */
  readonly executable: string;
  readonly directory: string;
  setControl(control: FakeControl): void;
  log(): FakeLogRecord[];
  /** Every command line the fake received, delimiter lines excluded. */
  commandLines(): string[];
  calls(): Extract<FakeLogRecord, { event: "call" }>[];
  processIds(): number[];
  cleanup(): void;
}

const DELIMITER_LINE = /^\[Console\]::(Out|Error)\.WriteLine\("[0-9A-Za-z]{16}"\)$/;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function createFakePowerShell(options: FakePowerShellOptions = {}): FakePowerShell {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "fake-powershell-"));
  const logFile = path.join(directory, "log.jsonl");
  const controlFile = path.join(directory, "control.json");
  const executable = path.join(directory, "powershell");
  const environment: Record<string, string> = {
    FAKE_PS_MODE: options.mode ?? "replay",
    FAKE_PS_LOG: logFile,
    FAKE_PS_CONTROL: controlFile,
    FAKE_PS_STDOUT_ENCODING: options.stdoutEncoding ?? "ascii",
  };
  if (options.simulatorStateFile !== undefined)
    environment.FAKE_PS_SIMULATOR_STATE = options.simulatorStateFile;
  if (options.simulatorServer !== undefined) environment.FAKE_PS_SIMULATOR_SERVER = options.simulatorServer;
  const exportLines = Object.entries(environment).map(
    ([name, value]) => `export ${name}=${shellQuote(value)}`,
  );
  fs.writeFileSync(
    executable,
    [
      "#!/bin/sh",
      ...exportLines,
      `exec ${shellQuote(process.execPath)} ${shellQuote(FAKE_POWERSHELL)} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );

  const setControl = (control: FakeControl) => fs.writeFileSync(controlFile, JSON.stringify(control));
  setControl(options.control ?? {});

  const log = (): FakeLogRecord[] =>
    fs.existsSync(logFile)
      ? fs
          .readFileSync(logFile, "utf8")
          .split("\n")
          .filter((line) => line.length > 0)
          .map((line) => JSON.parse(line) as FakeLogRecord)
      : [];

  return {
    executable,
    directory,
    setControl,
    log,
    commandLines: () =>
      log()
        .flatMap((record) => (record.event === "line" ? [record.line] : []))
        .filter((line) => !DELIMITER_LINE.test(line)),
    calls: () =>
      log().filter((record): record is Extract<FakeLogRecord, { event: "call" }> => record.event === "call"),
    processIds: () => log().flatMap((record) => (record.event === "start" ? [record.pid] : [])),
    cleanup: () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}
