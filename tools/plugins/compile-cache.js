// Preloaded (node --require) into the plugin processes the Pulumi engine starts: the language host and the
// dynamic provider host. Node keeps compiled modules in NODE_COMPILE_CACHE, but writes the cache only when
// a process exits normally, and the engine ends plugins with a signal; so write it once the modules loaded.
"use strict";
const nodeModule = require("node:module");

if (typeof nodeModule.flushCompileCache === "function" && nodeModule.getCompileCacheDir?.()) {
  setTimeout(() => nodeModule.flushCompileCache(), 1500).unref();
}
