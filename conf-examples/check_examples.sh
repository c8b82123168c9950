#!/usr/bin/env bash
# Checks the examples: each pair differs only in the per-node settings, and
# keepalived (when installed) accepts every file with exit status 0 once the
# parts that depend on this host are neutralised (script user, script paths,
# interfaces other than eth0). Usage: check_examples.sh [KEEPALIVED]
set -u
here=$(cd "$(dirname "$0")" && pwd)
keepalived=${1:-$(command -v keepalived || true)}
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Settings a pair may differ in; also bare addresses (the unicast_peer list).
per_node='^[<>] *(router_id|priority|state|unicast_src_ip) |^[<>] *[0-9a-fA-F.:]+$'
check_pair() {
  local a=$1 b=$2 extra
  extra=$(diff <(grep -v '^ *!' "$a") <(grep -v '^ *!' "$b") | grep '^[<>]' | grep -Ev "$per_node")
  if [[ -n $extra ]]; then
    echo "FAIL pair ${a#"$here"/} / ${b#"$here"/} differs beyond per-node settings:"
    echo "$extra"
    failures=$((failures + 1))
  fi
}
for dir in "$here"/*-pair; do check_pair "$dir/master.conf" "$dir/backup.conf"; done
check_pair "$here/demo/director-a.conf" "$here/demo/director-b.conf"

if [[ -z $keepalived ]]; then
  echo "keepalived not installed: only the pair diffs were checked"
else
  while IFS= read -r -d '' conf; do
    if [[ $conf == "$here"/real-server/* ]]; then
      echo "skip ${conf#"$here"/}: Tandem's own real_server_setup block, which keepalived does not have"
      continue
    fi
    neutral="$tmp/$(basename "$conf")"
    sed -E -e 's/script_user [a-z_]+/script_user root/' \
           -e 's#(script|misc_path) "[^"]*"#\1 "/bin/true"#' \
           -e 's/\beth1\b/eth0/g' "$conf" > "$neutral"
    out=$("$keepalived" -t -l -f "$neutral" 2>&1)
    rc=$?
    if [[ $rc -ne 0 ]]; then
      echo "FAIL ${conf#"$here"/}: keepalived -t exit $rc"
      echo "$out" | sed 's/^/    /'
      failures=$((failures + 1))
    else
      echo "ok   ${conf#"$here"/}"
    fi
  done < <(find "$here" -name '*.conf' -print0 | sort -z)
fi
exit $((failures > 0))
