#!/usr/bin/env bash
# Sourced by infra/chaos.sh and infra/cluster-test.sh: runs the integration tests of one trait N times in a row, each
# run bounded by a timeout, and prints each run's result with its counts (the line the test appended to the report
# file, or a note that the run stopped before writing one). Returns non-zero when any run failed.
#
#   repeat_test NAME CATEGORY RUNS RUN_TIMEOUT REPORT [AFTER_EACH_RUN_COMMAND ...]
#
# REPORT: the file the test appends its counts to (the caller exports it under the test's own variable); each run's
# console log goes to REPORT.run<i>.log. TRX_DIR (optional, from the environment): where each run's TRX file goes.
# AFTER_EACH_RUN_COMMAND runs after every run, passed or not (its failure is ignored).
repeat_test() {
  local name=$1 category=$2 runs=$3 run_timeout=$4 report=$5
  shift 5
  local failed=0 i before result counts
  local trx=()
  [[ -n ${TRX_DIR:-} ]] && trx=(--logger trx --results-directory "$TRX_DIR")
  for i in $(seq "$runs"); do
    before=$(wc -l <"$report")
    if timeout "$run_timeout" dotnet test tests/Pipeline.IntegrationTests -c Release --no-build \
        --filter "Category=$category" --logger "console;verbosity=detailed" "${trx[@]}" >"$report.run$i.log" 2>&1; then
      result=passed
    else
      result=FAILED
      failed=$((failed + 1))
    fi
    counts="no counts (the run stopped before its end; see its log)"
    (($(wc -l <"$report") > before)) && counts=$(tail -n 1 "$report")
    printf 'run %d: %s: %s\n' "$i" "$result" "$counts"
    if (($# > 0)); then
      "$@" || true
    fi
  done
  echo "$name: $((runs - failed)) of $runs runs passed; counts in $report, logs in $report.run*.log"
  ((failed == 0))
}
