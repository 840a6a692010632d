// Reads what a call wrote to stdout: one base64 line holding UTF-8 JSON, either the operation's result with the
// warning, verbose and information messages the function wrote, or the error record the bootstrap built from the
// PowerShell error.
import { z } from "zod";
import { BASE64_PATTERN } from "./invocation";

export const powerShellErrorRecord = z.strictObject({
  message: z.string(),
  category: z.string(),
  fullyQualifiedErrorId: z.string(),
  exceptionType: z.string(),
});
export type PowerShellErrorRecord = z.infer<typeof powerShellErrorRecord>;

export const streamMessage = z.strictObject({
  stream: z.enum(["warning", "verbose", "information"]),
  message: z.string(),
});
export type StreamMessage = z.infer<typeof streamMessage>;

const errorEnvelope = z.strictObject({ error: powerShellErrorRecord });
const resultEnvelope = z.strictObject({ result: z.unknown(), messages: z.array(streamMessage) });

export type Answer =
  | { kind: "result"; value: unknown; messages: StreamMessage[]; strayOutput: string[] }
  | { kind: "error"; record: PowerShellErrorRecord; strayOutput: string[] };

export class MissingAnswerError extends Error {
  override readonly name = "MissingAnswerError";
}

/** The last line of stdout is the answer; anything before it (host output nobody asked for) is returned as stray. */
export function decodeAnswer(stdout: string): Answer {
  const lines = stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const answerLine = lines.pop();
  if (answerLine === undefined || !BASE64_PATTERN.test(answerLine)) {
    throw new MissingAnswerError(
      answerLine === undefined ? "PowerShell wrote no answer" : `PowerShell wrote no base64 answer line`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(answerLine, "base64").toString("utf8"));
  } catch (error) {
    throw new MissingAnswerError(`PowerShell's answer is not base64 of JSON: ${(error as Error).message}`);
  }
  const asError = errorEnvelope.safeParse(value);
  if (asError.success) {
    return { kind: "error", record: asError.data.error, strayOutput: lines };
  }
  const asResult = resultEnvelope.safeParse(value);
  if (!asResult.success) {
    throw new MissingAnswerError("PowerShell's answer is neither a result nor an error record");
  }
  return {
    kind: "result",
    value: asResult.data.result,
    messages: asResult.data.messages,
    strayOutput: lines,
  };
}
