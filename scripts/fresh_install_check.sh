#!/usr/bin/env bash
# What a new user does, word for word from the README, in a throwaway directory, with
# the time of each step: a clone of this repository's committed HEAD (with ../shared
# beside it, as the README asks), then the README's setup line and its test line, each
# `&&`-separated command timed on its own. The venv keeps the pip it ships: nothing
# here upgrades it, so an install that needs a newer pip fails here as it would for the
# user. The two lines are read from README.md itself, so this checks what it says.
#
#   scripts/fresh_install_check.sh              # the clone is removed at the end
#   KEEP=1 scripts/fresh_install_check.sh       # ... or kept, and its path printed
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="$(cd "$ROOT/.." && pwd)/shared"

setup_line="$(grep -m1 -E '^python3 -m venv \.venv && ' "$ROOT/README.md" || true)"
test_line="$(grep -m1 -E '^\. \.venv/bin/activate && scripts/test' "$ROOT/README.md" || true)"
if [ -z "$setup_line" ] || [ -z "$test_line" ]; then
    echo "README.md: the setup line (python3 -m venv .venv && ...) or the test line (. .venv/bin/activate && scripts/test) is missing" >&2
    exit 2
fi
[ -d "$SHARED" ] || { echo "no shared data at $SHARED" >&2; exit 2; }

WORK="$(mktemp -d /tmp/couverture-fresh-XXXXXX)"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept: $WORK"; fi; }
trap cleanup EXIT
git clone --quiet "$ROOT" "$WORK/couverture"
ln -s "$SHARED" "$WORK/shared"
cd "$WORK/couverture"
deactivate 2>/dev/null || true
unset VIRTUAL_ENV PYTHONPATH

echo "fresh install check of $(git rev-parse --short HEAD) in $WORK/couverture ($(nproc) cores, $(python3 --version))"
summary=()
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
total_start=$EPOCHREALTIME
for line in "$setup_line" "$test_line"; do
    echo
    echo "\$ $line"
    # Each `&&`-separated command of the line is one step (the README's lines have no other &&).
    IFS=$'\n' read -r -d '' -a steps < <(printf '%s' "$line" | sed 's/ && /\n/g' && printf '\0') || true
    for step in "${steps[@]}"; do
        start=$EPOCHREALTIME
        echo "--- $step"
        status=0
        # In this shell (the activation must last), the output kept and its end shown.
        eval "$step" > "$WORK/step.log" 2>&1 || status=$?
        tail -n 12 "$WORK/step.log"
        seconds=$(since "$start")
        summary+=("$(printf '%8s s  %s  %s' "$seconds" "$([ "$status" -eq 0 ] && echo ok || echo "FAILED ($status)")" "$step")")
        if [ "$step" = ". .venv/bin/activate" ]; then
            echo "    (pip as shipped: $(pip --version | cut -d' ' -f1-2))"
        fi
        if [ "$status" -ne 0 ]; then
            printf '\n%s\n' "${summary[@]}"
            echo "FAILED at: $step"
            exit 1
        fi
    done
done
printf '\nstep times\n'
printf '%s\n' "${summary[@]}"
printf '%8s s  total\n' "$(since "$total_start")"
