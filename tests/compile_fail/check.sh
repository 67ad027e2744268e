#!/usr/bin/env bash
# check.sh fail|control <compiler> <source> <compiler flags>...
set -uo pipefail
mode=$1 compiler=$2 source=$3
shift 3
flags=(-std=c++20 -fsyntax-only "$@")
[[ $mode == fail ]] && flags+=(-DSLUICE_COMPILE_FAIL)

output=$("$compiler" "${flags[@]}" "$source" 2>&1)
status=$?
if [[ $mode == control ]]; then
  if [[ $status -ne 0 ]]; then
    echo "control case of $source does not compile:"; echo "$output" | head -40; exit 1
  fi
  echo "control compiles"; exit 0
fi
if [[ $status -eq 0 ]]; then
  echo "$source compiled, but the misuse it holds must not"; exit 1
fi
failed=0
while IFS= read -r expected; do
  if ! grep -qF -- "$expected" <<<"$output"; then
    echo "missing from the compiler's output: $expected"; failed=1
  fi
done < <(sed -n 's|^// expect: ||p' "$source")
if ! grep -q '^// expect: ' "$source"; then echo "$source has no '// expect:' line"; failed=1; fi
# One misuse, one message: a cascade of errors is a defect of the library, not of the caller.
errors=$(grep -cE ':[0-9]+:[0-9]+: error:' <<<"$output" || true)
if [[ $errors -ne 1 ]]; then echo "expected exactly one error, the compiler reported $errors"; failed=1; fi
if [[ $failed -ne 0 ]]; then echo "--- compiler output ---"; echo "$output" | head -60; exit 1; fi
echo "failed as expected: $(sed -n 's|^// expect: ||p' "$source" | head -1)"
