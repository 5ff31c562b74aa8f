# Sourced by the start scripts of backends and proxies (after set -euo
# pipefail): a private work directory $work, named after $1, that is removed
# when the script exits or is stopped by TERM (fcgispec stops it by its pid
# or process group), and run_child, which runs a server in the foreground
# of the script so that stop reaches it.
work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
child=""
# A child stopped by TERM makes wait return 143; under set -e that would
# leave the trap before the work directory is removed.
# The folder goes before the wait as well: a stop that loses patience with
# a child slow to exit KILLs the whole group, this shell too, and it would
# stay. Whatever the child still writes in it is gone then anyway.
cleanup() {
  if [ -n "$child" ] && kill "$child" 2>/dev/null; then
    rm -rf "$work" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
# Runs the command in the background of the shell and waits for it.
run_child() {
  "$@" &
  child=$!
  wait "$child"
}
