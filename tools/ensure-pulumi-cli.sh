#!/usr/bin/env bash
# Prints the path of a Pulumi CLI this project can drive, obtaining one when needed.
#
# 1. `pulumi` on PATH, when it is at least MIN_VERSION (set ENTRA_WRITEBACK_IGNORE_PATH_PULUMI=1 to skip it).
# 2. A CLI this script built before, in the cache directory outside the repository.
# 3. Otherwise it builds the pinned PINNED_VERSION from the Go module proxy (the usual installers
#    download from the internet; `go install ...@version` refuses pkg/v3 because its go.mod has replace
#    directives, so we build through a small wrapper module), stamps the version so `pulumi version`
#    prints it, and writes our own `pulumi-resource-pulumi-nodejs` launcher and `pulumi-language-nodejs`
#    language host next to it.
# Progress goes to stderr; the only stdout line is the CLI path.
set -euo pipefail

PINNED_VERSION="v3.259.0"
MIN_VERSION="3.216.0"
project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${ENTRA_WRITEBACK_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?set HOME or ENTRA_WRITEBACK_CACHE_DIR}/.cache}/entra-writeback}"
install_dir="$cache_root/pulumi-$PINNED_VERSION"
cli="$install_dir/bin/pulumi"

say() { printf 'ensure-pulumi-cli: %s\n' "$*" >&2; }

version_at_least() { # $1 >= $2, both x.y.z
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Puts one file of tools/plugins into the CLI's bin directory, executable when the source is. Other checkouts'
# deployments may be running the launchers there (sh reads a script as it runs it; node has its files open): a new
# content goes to a temporary file in the same directory and is renamed over the old one, so a running process keeps
# the file it opened and a new one sees the whole new file. A file whose content is already the same is left as it is.
install_plugin_file() {
  local source="$1" target="$2" mode=644 temporary
  [ -x "$source" ] && mode=755
  if [ -f "$target" ] && cmp -s "$source" "$target"; then
    if [ -x "$source" ] && [ ! -x "$target" ]; then chmod "$mode" "$target"; fi
    return 0
  fi
  temporary="$(mktemp "$target.XXXXXX")"
  if ! { cp "$source" "$temporary" && chmod "$mode" "$temporary" && mv -f "$temporary" "$target"; }; then
    rm -f "$temporary"
    return 1
  fi
}

write_launchers() {
  local bin_dir="$1" name
  # What a launcher loads goes in before the launcher itself, so a launcher started meanwhile finds its files.
  for name in engine-watch.js compile-cache.js provider-protocol.js dynamic-provider-host.js run-answer.js language-host.js; do
    install_plugin_file "$project_dir/tools/plugins/$name" "$bin_dir/$name"
  done
  # The provider plugin's Go front (tools/provider-front/main.go), which the launcher runs when it is there.
  "$project_dir/tools/provider-front/build.sh" "$bin_dir/provider-front" "$bin_dir/../provider-front.source"
  for name in pulumi-resource-pulumi-nodejs pulumi-language-nodejs; do
    install_plugin_file "$project_dir/tools/plugins/$name" "$bin_dir/$name"
  done
}

if [ -z "${ENTRA_WRITEBACK_IGNORE_PATH_PULUMI:-}" ] && path_cli="$(command -v pulumi 2>/dev/null)" \
  && [ "$path_cli" != "$cli" ]; then
  path_version="$("$path_cli" version 2>/dev/null | sed 's/^v//' | sed 's/[-+].*//')"
  if [ -n "$path_version" ] && version_at_least "$path_version" "$MIN_VERSION"; then
    echo "$path_cli"
    exit 0
  fi
  say "ignoring $path_cli (version '${path_version:-unknown}', need >= $MIN_VERSION)"
fi

if [ -x "$cli" ] && [ "$("$cli" version 2>/dev/null)" = "$PINNED_VERSION" ]; then
  # Keep the launchers current: they are ours and may have changed since the CLI was built.
  write_launchers "$install_dir/bin"
  echo "$cli"
  exit 0
fi

# go_bin and go_home: Go on PATH, else where Go's installer puts it (the front's build.sh finds it the same way).
. "$project_dir/tools/provider-front/go-toolchain.sh"
if [ -n "$go_bin" ] && ! command -v go >/dev/null; then PATH="${go_bin%/go}:$PATH"; fi
command -v go >/dev/null || { say "no Pulumi CLI on PATH and no Go toolchain (on PATH or in $go_home) to build $PINNED_VERSION; install Pulumi >= $MIN_VERSION or Go >= 1.25"; exit 1; }

mkdir -p "$install_dir"
exec 9>"$install_dir/.build.lock"
if command -v flock >/dev/null; then flock 9; fi
if [ -x "$cli" ] && [ "$("$cli" version 2>/dev/null)" = "$PINNED_VERSION" ]; then
  write_launchers "$install_dir/bin"
  echo "$cli"
  exit 0
fi

build_dir="$install_dir/build"
rm -rf "$build_dir"
mkdir -p "$build_dir" "$install_dir/bin"
cp "$project_dir/tools/pulumi-cli/go.mod.txt" "$build_dir/go.mod"
started=$(date +%s)
say "building the Pulumi CLI $PINNED_VERSION from the Go module proxy into $install_dir (first time only; a few minutes)"
(
  cd "$build_dir"
  export GOFLAGS="${GOFLAGS:-} -mod=mod"
  go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PINNED_VERSION" >&2
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PINNED_VERSION" \
    -o "$install_dir/bin/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
)
mv "$install_dir/bin/pulumi.partial" "$cli"
write_launchers "$install_dir/bin"
rm -rf "$build_dir"
say "built $("$cli" version) in $(( $(date +%s) - started ))s"
echo "$cli"
