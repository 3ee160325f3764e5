#!/usr/bin/env bash
# Builds the Debian 12 packages regwatch-agent, regwatch-collector and regwatch (the CLI), with
# their -dbgsym packages, into dist/ (or --out DIR), then runs lintian on them (errors fail).
# The packaging is deploy/debian/ (the repository keeps no debian/ at its top): this script
# copies the source tree to a temporary directory with deploy/debian as its debian/ and runs
# dpkg-buildpackage there.
#
# Usage: tools/package.sh [--build-dir DIR] [--out DIR]
#   --build-dir DIR  install from DIR, an already configured build of this tree (CI's build/,
#                    RelWithDebInfo), instead of configuring and compiling again; only the
#                    binaries and man pages in it are brought up to date
#   --out DIR        where the packages go (default dist/; emptied of older packages first)
# Version: project(regwatch VERSION x.y.z) in CMakeLists.txt, then ~git<commits>.<revision>,
# so each commit's packages upgrade the last's.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=""
out_dir=dist
while (($#)); do
  case "$1" in
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
    --out) out_dir=${2:?--out needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package: unknown argument $1 (see tools/package.sh --help)" >&2; exit 2 ;;
  esac
done

for tool in dpkg-buildpackage dh help2man lintian cmake ninja; do
  if ! command -v "$tool" >/dev/null; then
    echo "package: $tool is missing: run tools/setup.sh (as root) first" >&2
    exit 1
  fi
done
if [ -n "$build_dir" ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    echo "package: $build_dir is not a configured build (no CMakeCache.txt);" \
      "build one with tools/build.sh or leave out --build-dir" >&2
    exit 1
  fi
  build_dir=$(cd "$build_dir" && pwd)
  if ! grep -q '^REGWATCH_HELP2MAN:FILEPATH=/' "$build_dir/CMakeCache.txt"; then
    echo "package: $build_dir was configured without help2man (no man pages);" \
      "configure it again: cmake -S . -B $build_dir" >&2
    exit 1
  fi
fi

started=$SECONDS
upstream_version=$(sed -n 's/^project(regwatch VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if [ -z "$upstream_version" ]; then
  echo "package: no project(regwatch VERSION ...) in CMakeLists.txt" >&2
  exit 1
fi
revision=$(git rev-parse --short=12 HEAD)
commits=$(git rev-list --count HEAD)
version="${upstream_version}~git${commits}.${revision}"
echo "== package: regwatch $version ($([ -n "$build_dir" ] && echo "from $build_dir" || echo "full build"))"

stage=$(mktemp -d "${TMPDIR:-/tmp}/regwatch-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
source_dir=$stage/regwatch-$upstream_version
mkdir -p "$source_dir"

echo "== package: staging the source tree in $source_dir"
# Tracked and new (not ignored) files as they are in the worktree; deleted ones are skipped.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
  tar --null -T - -cf - | tar -xf - -C "$source_dir"
rm -rf "$source_dir/debian"
cp -r deploy/debian "$source_dir/debian"
cat >"$source_dir/debian/changelog" <<EOF
regwatch ($version) bookworm; urgency=medium

  * Built by tools/package.sh from git revision $revision.

 -- regwatch maintainers <regwatch@example.net>  $(date -R)
EOF

# The binaries report the git revision (common/CMakeLists.txt asks git when configuring); the
# staged copy is no checkout, so git is pointed at this one.
export GIT_DIR
GIT_DIR=$(git rev-parse --absolute-git-dir)
if [ -n "$build_dir" ]; then
  export REGWATCH_PREBUILT_DIR=$build_dir
fi

echo "== package: dpkg-buildpackage -b (log: $out_dir/build.log)"
mkdir -p "$out_dir"
rm -f "$out_dir"/*.deb "$out_dir"/*.ddeb "$out_dir"/*.changes "$out_dir"/*.buildinfo
if ! (cd "$source_dir" && dpkg-buildpackage -b -us -uc -Jauto) >"$out_dir/build.log" 2>&1; then
  tail -n 40 "$out_dir/build.log" >&2
  echo "package: dpkg-buildpackage failed; the whole log is $out_dir/build.log" >&2
  exit 1
fi
shopt -s nullglob
mv "$stage"/*.deb "$stage"/*.ddeb "$stage"/*.changes "$stage"/*.buildinfo "$out_dir"/
echo "== package: built in $((SECONDS - started)) s:"
for deb in "$out_dir"/*.deb "$out_dir"/*.ddeb; do
  printf '  %-60s %6s KiB\n' "$(basename "$deb")" "$(($(stat -c %s "$deb") / 1024))"
done

echo "== package: lintian (errors fail; the warnings we keep and why: docs/deployment.md)"
changes=("$out_dir"/*.changes)
if ! lintian --fail-on error "${changes[@]}"; then
  echo "package: lintian found errors (above)" >&2
  exit 1
fi
echo "== package: done in $((SECONDS - started)) s: $out_dir/"
