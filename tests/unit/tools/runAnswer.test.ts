// tools/plugins/run-answer.js: how tools/plugins/language-host.js and npm run drift's shared language host answer a Run.
import * as path from "node:path";
import * as langproto from "@pulumi/pulumi/proto/language_pb";

type Callback = (error: Error | null | undefined, response?: langproto.RunResponse) => void;
const { answerOnce } = require(
  path.join(__dirname, "..", "..", "..", "tools", "plugins", "run-answer.js"),
) as {
  answerOnce(
    callback: Callback,
    sdk: { RunResponse: typeof langproto.RunResponse; hasErrors: () => boolean },
    onAnswer?: (failed: boolean) => void,
  ): Callback;
};

function answers(hasErrors: boolean, ...given: Parameters<Callback>[]) {
  const seen: { error?: string; responseError?: string; bail?: boolean }[] = [];
  const failed: boolean[] = [];
  const answer = answerOnce(
    (error, response) =>
      seen.push({
        ...(error ? { error: error.message } : {}),
        ...(response?.getError() ? { responseError: response.getError() } : {}),
        ...(response?.getBail() ? { bail: true } : {}),
      }),
    { RunResponse: langproto.RunResponse, hasErrors: () => hasErrors },
    (f) => failed.push(f),
  );
  for (const args of given) answer(...args);
  return { seen, failed };
}

const failedRun: Parameters<Callback>[] = [
  [new Error("boom"), undefined],
  [undefined, new langproto.RunResponse().setError("boom")],
];

test("a failed run is answered once, with its error, when the program logged none", () => {
  expect(answers(false, ...failedRun)).toEqual({ seen: [{ error: "boom" }], failed: [true] });
});

test("a failed run whose error was logged is answered bail, once", () => {
  expect(answers(true, ...failedRun)).toEqual({ seen: [{ bail: true }], failed: [true] });
  expect(answers(true, [undefined, new langproto.RunResponse().setError("boom")])).toEqual({
    seen: [{ bail: true }],
    failed: [true],
  });
});

test("a run that succeeded is answered as it is, even if something was logged as an error", () => {
  expect(answers(true, [undefined, new langproto.RunResponse()])).toEqual({ seen: [{}], failed: [false] });
});
