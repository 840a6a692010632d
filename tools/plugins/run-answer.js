// How a language host runs a program and answers the engine's Run request, in one place for
// tools/plugins/language-host.js (copied with this file into the CLI's directory) and tools/drift/sharedHost.ts (which
// loads it from the project's tools/plugins).
"use strict";

/**
 * Wraps the gRPC callback of one Run for @pulumi/pulumi's in-process LanguageServer, which answers a failed run twice
 * (the error, then a response carrying it): the first answer only goes through. `onAnswer(failed)` is called before
 * it. A failed run whose error the program already logged (it reached the user as an engine diagnostic: the server
 * logs an uncaught RunError's message, or any other error with its stack) is answered "bail", as the official
 * language host does: the run failed and it was reported, instead of an error the CLI would print a second time.
 *
 * @param callback the gRPC callback
 * @param sdk `RunResponse` (the SDK's proto/language_pb) and `hasErrors` (its log.hasErrors, read in the run's context)
 * @param onAnswer optional, called once with whether the run failed
 */
function answerOnce(callback, sdk, onAnswer) {
  let answered = false;
  return (error, response) => {
    if (answered) return;
    answered = true;
    const failed = Boolean(error || (response && response.getError()));
    if (onAnswer) onAnswer(failed);
    if (failed && sdk.hasErrors()) {
      callback(null, new sdk.RunResponse().setBail(true));
      return;
    }
    callback(error, response);
  };
}

/** A loaded program module's main export: its default export (a compiled ES module), else the module itself. */
function mainOf(loaded) {
  return loaded && loaded.__esModule && "default" in loaded ? loaded.default : loaded;
}

module.exports = { answerOnce, mainOf };
