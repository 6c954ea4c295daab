#!/usr/bin/env bash
# The bash completion the build generated (tools/hookfan.bash, what cmake --install and the
# .deb install): sourced in bash, it completes subcommands and each subcommand's options as
# `hookfan COMMAND --help` lists them, so a new flag cannot be missing from it.
# Also `hookfan help COMMAND` prints exactly `hookfan COMMAND --help`.
# Usage: completion_test.sh HOOKFAN_BINARY COMPLETION_SCRIPT
set -euo pipefail
hookfan=$1
script=$2
fail() { echo "completion_test: $*" >&2; exit 1; }
# shellcheck source=/dev/null
source "$script"
complete -p hookfan | grep -q -- '-F _hookfan' || fail "$script does not register _hookfan"

# What bash offers for the words of `line` (the cursor after its last word).
complete_line() {
  read -r -a COMP_WORDS <<<"$1"
  [[ "$1" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _hookfan
  [ "${#COMPREPLY[@]}" -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
expect() {
  local got
  got=$(complete_line "$1")
  [ "$got" = "$2" ] || fail "'$1<TAB>' offers '$got', want '$2'"
}

expect "hookfan s" "serve sink "
expect "hookfan " "blast demo help run serve sink version "
expect "hookfan help se" "serve "
expect "hookfan serve --conf" "--config "
# After an option that takes a value: nothing from us, bash completes file names.
expect "hookfan serve --config " ""
expect "hookfan --vers" "--version "

# Every long option of every command's --help is offered after `hookfan COMMAND --`.
for command in serve run sink blast demo version; do
  offered=$(complete_line "hookfan $command --")
  listed=$("$hookfan" "$command" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
  for option in $listed; do
    [[ " $offered" == *" $option "* ]] || fail "hookfan $command --<TAB> lacks $option: $offered"
  done
done
[[ "$(complete_line "hookfan serve --")" == *"--config "* ]] || fail "serve lacks --config"

# `hookfan help serve` is `hookfan serve --help`; an unknown command is exit 2, one line.
[ "$("$hookfan" help serve)" = "$("$hookfan" serve --help)" ] || fail "help serve differs"
[ "$("$hookfan" help)" = "$("$hookfan" --help)" ] || fail "help differs from --help"
set +e
error=$("$hookfan" help nosuch 2>&1)
status=$?
set -e
[ "$status" -eq 2 ] && [ "$(wc -l <<<"$error")" -eq 1 ] ||
  fail "help nosuch: exit $status, '$error' (want 2 and one line)"
echo "completion_test: ok"
