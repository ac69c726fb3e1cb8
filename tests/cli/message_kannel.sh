#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Diversion texts against a real Kannel (bearerbox + smsbox) and its fake
# SMSC, counting what arrived at the fake SMSC: the plan's JSON and its
# exclusions (a child's number, the do-not-contact list), the two-person
# approval, a campaign sent and delivered, messages_sent in the operation's
# report, and exactly-once after the sender is killed with SIGKILL: just
# after the gateway accepted a message (before "sent" was stored), just
# before a request (after "sending" was stored), and at a random moment; and
# after Kannel's smsbox is killed with SIGKILL and restarted mid-campaign.
#
# No step waits a fixed time for something to happen: each polls for the
# state it needs (a campaign claimed, messages at the fake SMSC, Kannel
# settled) up to a generous deadline, so a loaded machine (CI's ASan build,
# ctest -j2 beside other work) makes it slower, not red.
set -euo pipefail
: "${LINESIGHT:?}" "${LS_SRC_DIR:?}"
for b in /usr/sbin/bearerbox /usr/sbin/smsbox /usr/lib/kannel/test/fakesmsc; do
  [ -x "$b" ] || { echo "message_kannel: $b is missing: run scripts/setup (kannel, kannel-extras)"; exit 1; }
done
tmp=$(mktemp -d)
kannels=()
cleanup() {
  for k in "${kannels[@]}"; do "$LS_SRC_DIR/scripts/kannel" stop "$k" || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$tmp"
db="$tmp/t.db"
pw="correct horse battery"
op="2024-10 intensification"

"$LINESIGHT" simulate --seed 11 --scale 300 --out world >/dev/null 2>&1
"$LINESIGHT" ingest --db "$db" world/*.csv >/dev/null
"$LINESIGHT" analyse --db "$db" --json result.json >/dev/null 2>&1
line=$(jq -r '.lines[0].id' result.json)
for u in "ana analyst Hampshire" "sue supervisor Hampshire" "sam supervisor Hampshire"; do
  read -r n r f <<<"$u"
  echo "$pw" | "$LINESIGHT" user add --db "$db" --name "$n" --role "$r" --force "$f" >/dev/null
done

# ---- the plan: exact keys, sorted unique E.164 numbers ----------------------------
"$LINESIGHT" message plan --db "$db" --line "$line" --json >plan0.json
[ "$(jq -c 'keys' plan0.json)" = '["excluded","line","recipients"]' ] || fail "plan keys: $(jq -c keys plan0.json)"
[ "$(jq -c '.excluded | keys' plan0.json)" = '["children","do_not_contact"]' ] || fail "excluded keys"
[ "$(jq -r .line plan0.json)" = "$line" ] || fail "plan line"
n0=$(jq '.recipients | length' plan0.json)
[ "$n0" -ge 6 ] || fail "too few recipients to test with: $n0"
[ "$(jq -c '.recipients' plan0.json)" = "$(jq -c '.recipients | unique' plan0.json)" ] || fail "recipients not sorted and unique"
jq -e '[.recipients[] | test("^\\+[1-9][0-9]{6,14}$")] | all' plan0.json >/dev/null || fail "recipients not E.164"
# every recipient contacted one of the line's deal numbers (the truth's customers)
jq -r '.recipients[]' plan0.json | sort >got.txt
jq -r '[.lines[].customers[]] | .[]' world/truth.json | sort -u >customers.txt
extra=$(comm -23 got.txt customers.txt | wc -l)
[ "$extra" -le $((n0 / 5)) ] || fail "$extra of $n0 recipients are not customers of any line"

# a child's number and a do-not-contact number leave the list
child=$(jq -r '.recipients[0]' plan0.json)
dnc=$(jq -r '.recipients[1]' plan0.json)
printf 'person_id,dob,sex\nPCHILD1,2010-05-01,male\n' >persons_child.csv
printf 'number,person_id\n%s,PCHILD1\n' "$child" >attr_child.csv
"$LINESIGHT" ingest --db "$db" persons_child.csv attr_child.csv >/dev/null
"$LINESIGHT" message dnc add --db "$db" "${dnc/+44/0}" --reason "asked not to be texted" >/dev/null
"$LINESIGHT" message plan --db "$db" --line "$line" --json >plan.json
[ "$(jq '.excluded.children' plan.json)" = 1 ] || fail "child not excluded: $(jq -c .excluded plan.json)"
[ "$(jq '.excluded.do_not_contact' plan.json)" = 1 ] || fail "dnc not excluded: $(jq -c .excluded plan.json)"
[ "$(jq '.recipients | length' plan.json)" = $((n0 - 2)) ] || fail "recipients after exclusions"
jq -e --arg c "$child" --arg d "$dnc" '.recipients | index($c) == null and index($d) == null' plan.json >/dev/null ||
  fail "an excluded number is still a recipient"
n=$((n0 - 2))
"$LINESIGHT" message plan --db "$db" --line LS-9999 --json >/dev/null 2>err.txt && fail "unknown line planned"
set +e; "$LINESIGHT" message plan --db "$db" --line "$line" --days 0 >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 2 ] || fail "--days 0 exit $rc"

# ---- approval: a second person, a supervisor -------------------------------------
campaign() { # campaign TAG [opts] -> id of a new approved campaign whose text starts with TAG
  printf '%s help with drugs: FRANK 0300 123 6600. In an emergency call 999.\n' "$1" >"text-$1.txt"
  local tag=$1
  shift
  echo "$pw" | "$LINESIGHT" message create --db "$db" --line "$line" --as ana --text-file "text-$tag.txt" "$@" >create.out
  local id
  id=$(sed -nE 's/^campaign ([0-9]+) .*/\1/p' create.out)
  echo "$pw" | "$LINESIGHT" message approve --db "$db" --campaign "$id" --as sue >/dev/null
  echo "$id"
}
echo "$pw" | "$LINESIGHT" message create --db "$db" --line "$line" --as sue >c1.out
c1=$(sed -nE 's/^campaign ([0-9]+) .*/\1/p' c1.out)
grep -q awaiting_approval c1.out || fail "new campaign not awaiting approval"
if echo "$pw" | "$LINESIGHT" message approve --db "$db" --campaign "$c1" --as sue 2>/dev/null; then fail "creator approved own campaign"; fi
if echo "$pw" | "$LINESIGHT" message approve --db "$db" --campaign "$c1" --as ana 2>/dev/null; then fail "an analyst approved"; fi
if echo "wrong password!" | "$LINESIGHT" message approve --db "$db" --campaign "$c1" --as sam 2>/dev/null; then fail "wrong password approved"; fi
echo "$pw" | "$LINESIGHT" message approve --db "$db" --campaign "$c1" --as sam >/dev/null || fail "supervisor could not approve"

# one gateway for every campaign below; each campaign's text carries a tag
k="$tmp/k1"
kannels+=("$k")
"$LS_SRC_DIR/scripts/kannel" start "$k" >/dev/null
gw="$k/gateway.conf"
# How long a resumed sender waits for the report of a message in doubt. It
# bounds correctness, not speed: a wait that ends before Kannel's report
# arrives resends a message Kannel had, and Kannel's timing is not ours (a
# restarted smsbox, a report retried after a refused connection, a starved
# machine). A report ends the wait at once, so a long wait only
# costs time when no report can come: the "sending" kill below, which by
# construction never reached Kannel, resumes with short.conf instead.
sed -i 's/^reconcile_wait_s = .*/reconcile_wait_s = 90/' "$gw"
sed 's/^reconcile_wait_s = .*/reconcile_wait_s = 2/' "$gw" >short.conf
tagged() { "$LS_SRC_DIR/scripts/kannel" received "$k" | awk -v t="$1" '$2 == t'; }
wait_tagged() { # wait_tagged TAG N: until N messages tagged TAG arrived (120 s at most)
  local end=$((SECONDS + 120))
  until [ "$(tagged "$1" | wc -l)" -ge "$2" ]; do
    [ "$SECONDS" -lt "$end" ] || { fail "$1: waited 120 s for $2 messages"; return 1; }
    sleep 0.05
  done
}
exactly_once() { # exactly_once TAG WHAT
  local counts
  # everything Kannel accepted has reached the fake SMSC's log
  "$LS_SRC_DIR/scripts/kannel" settle "$k" || fail "$2: Kannel did not settle"
  counts=$(tagged "$1" | awk '{print $1}' | sort | uniq -c | awk '{print $1}' | sort -u | tr '\n' ' ')
  [ "$counts" = "1 " ] || fail "$2: messages per recipient: $counts"
  tagged "$1" | awk '{print $1}' | sort >"$1.to"
  jq -r '.recipients[]' plan.json | sort >"$1.want"
  cmp -s "$1.to" "$1.want" || fail "$2: the recipients who got a message differ from the plan"
}

# an unapproved campaign is not sent
echo "$pw" | "$LINESIGHT" message create --db "$db" --line "$line" --as ana >c2.out
c2=$(sed -nE 's/^campaign ([0-9]+) .*/\1/p' c2.out)
if "$LINESIGHT" message send --db "$db" --campaign "$c2" --gateway "$gw" >/dev/null 2>&1; then fail "unapproved campaign sent"; fi

# ---- a whole campaign, credited to the operation -----------------------------------
"$LINESIGHT" message send --db "$db" --campaign "$c1" --gateway "$gw" >send1.out || fail "send: $(cat send1.out)"
"$LS_SRC_DIR/scripts/kannel" settle "$k" || fail "Kannel did not settle"
got=$("$LS_SRC_DIR/scripts/kannel" count "$k")
[ "$got" = "$n" ] || fail "fake SMSC received $got messages, want $n"
exactly_once Police "the first campaign"
"$LS_SRC_DIR/scripts/kannel" received "$k" | grep -c "FRANK 0300 123 6600" | grep -qx "$n" || fail "message text"
"$LINESIGHT" message status --db "$db" --campaign "$c1" --json >st1.json
[ "$(jq -r .status st1.json)" = complete ] || fail "campaign 1 not complete: $(cat st1.json)"
[ "$(jq '.states.delivered' st1.json)" = "$n" ] || fail "delivery reports: $(jq -c .states st1.json)"
# sending again sends nothing more
"$LINESIGHT" message send --db "$db" --campaign "$c1" --gateway "$gw" >/dev/null
[ "$(tagged Police | wc -l)" = "$n" ] || fail "a complete campaign was sent again"

c3=$(campaign OPS --operation "$op" --force Hampshire)
"$LINESIGHT" message send --db "$db" --campaign "$c3" --gateway "$gw" >/dev/null || fail "send c3"
"$LINESIGHT" message send --db "$db" --campaign "$c3" --gateway "$gw" >/dev/null || fail "send c3 again"
"$LINESIGHT" report --db "$db" --operation "$op" --format json >report.json
[ "$(jq .messages_sent report.json)" = "$n" ] || fail "messages_sent $(jq .messages_sent report.json), want $n (once)"

# ---- kill -9 and resume: exactly once ------------------------------------------------
# accepted:3 kills the sender as soon as it has read Kannel's "accepted" for
# the third message. Kannel sends that message's delivery report at the same
# time, and on a loaded machine the report can reach the sender's listener
# (which then settles the message) before the sender has read the answer:
# nothing is in doubt, which is right but not the case under test. That try
# is checked too (resumed, exactly once) and the kill is tried again, on a
# new campaign, up to 5 times.
for hook in accepted:3 sending:4; do
  for try in 1 2 3 4 5; do
    tag="KILL${hook%%:*}$try"
    c=$(campaign "$tag")
    set +e
    LINESIGHT_TEST_KILL_AT=$hook "$LINESIGHT" message send --db "$db" --campaign "$c" --gateway "$gw" >/dev/null 2>&1
    rc=$?
    set -e
    [ "$rc" = 137 ] || fail "$hook: the sender was not killed (exit $rc)"
    "$LINESIGHT" message status --db "$db" --campaign "$c" --json >mid.json
    early=0
    if [ "${hook%%:*}" = accepted ] && [ "$try" -lt 5 ] &&
      [ "$(jq -c '.states | [.sending, .planned, .sent + .delivered]' mid.json)" = "[0,$((n - 3)),3]" ]; then
      early=1 # the third message's report came before the kill
    else
      [ "$(jq '.states.sending' mid.json)" = 1 ] || fail "$hook: one message should be in doubt: $(jq -c .states mid.json)"
    fi
    # killed before its request: no report can come, so no need to wait long
    conf=$gw
    [ "${hook%%:*}" = sending ] && conf=short.conf
    "$LINESIGHT" message send --db "$db" --campaign "$c" --gateway "$conf" >resume.out 2>&1 || fail "$hook resume: $(cat resume.out)"
    case $hook:$early in
      *:1) grep -q "0 in doubt found sent, 0 in doubt sent again" resume.out || fail "$hook (settled first): $(cat resume.out)" ;;
      accepted:*) grep -q "1 in doubt found sent, 0 in doubt sent again" resume.out || fail "$hook: $(cat resume.out)" ;;
      sending:*) grep -q "0 in doubt found sent, 1 in doubt sent again" resume.out || fail "$hook: $(cat resume.out)" ;;
    esac
    exactly_once "$tag" "kill -9 at $hook (try $try)"
    [ "$early" = 1 ] || break
    echo "note: $hook try $try: the report arrived before the kill; trying again"
  done
done

# a kill -9 from outside at a random moment, at 8 messages a second: after
# a random number of messages (1 to n/2) have arrived, plus a random part of
# a message's interval (a fixed sleep from the start would hit before the
# first message or after the last when the machine is loaded)
sed 's/^rate_per_second = .*/rate_per_second = 8/' "$gw" >slow.conf
c=$(campaign RANDOM)
"$LINESIGHT" message send --db "$db" --campaign "$c" --gateway slow.conf >/dev/null 2>&1 &
sender=$!
wait_tagged RANDOM $((RANDOM % (n / 2) + 1)) || true
sleep "$(printf '0.%03d' $((RANDOM % 125)))"
kill -9 "$sender" 2>/dev/null || true
wait "$sender" 2>/dev/null || true
before=$(tagged RANDOM | wc -l)
[ "$before" -ge 1 ] && [ "$before" -lt "$n" ] || fail "the random kill was not mid-campaign ($before of $n)"
"$LINESIGHT" message send --db "$db" --campaign "$c" --gateway "$gw" >/dev/null 2>&1 || fail "resume after random kill"
exactly_once RANDOM "kill -9 at random (after $before)"

# Kannel's smsbox killed with SIGKILL mid-campaign and restarted: the sender
# waits for it, reconciles a message in doubt, and ends exactly once
c=$(campaign SMSBOX)
"$LINESIGHT" message send --db "$db" --campaign "$c" --gateway slow.conf >smsbox.out 2>&1 &
sender=$!
wait_tagged SMSBOX 3 || true
"$LS_SRC_DIR/scripts/kannel" kill-smsbox "$k"
before=$(tagged SMSBOX | wc -l)
[ "$before" -lt "$n" ] || fail "smsbox was killed after the end ($before of $n)"
sleep 1.5 # the outage: the sender meets a closed port meanwhile
"$LS_SRC_DIR/scripts/kannel" restart-smsbox "$k"
wait "$sender" || fail "sender across an smsbox restart: $(tail -3 smsbox.out)"
exactly_once SMSBOX "smsbox killed and restarted"

# a second sender cannot take a live sender's campaign: the first, at 2
# messages a second, has claimed it (status "sending") before the second
# starts, and is stopped (SIGTERM: after the message in flight) and resumed
# once the second was refused
sed 's/^rate_per_second = .*/rate_per_second = 2/' "$gw" >slower.conf
c=$(campaign TWO)
"$LINESIGHT" message send --db "$db" --campaign "$c" --gateway slower.conf >first.out 2>&1 &
sender=$!
end=$((SECONDS + 120))
until [ "$("$LINESIGHT" message status --db "$db" --campaign "$c" --json | jq -r .status)" = sending ]; do
  [ "$SECONDS" -lt "$end" ] || { fail "the first sender did not claim its campaign in 120 s"; break; }
  sleep 0.05
done
sed 's/^dlr_listen = .*/dlr_listen = 127.0.0.1:1/' "$gw" >other.conf
if "$LINESIGHT" message send --db "$db" --campaign "$c" --gateway other.conf >/dev/null 2>second.err; then
  fail "two senders on one campaign"
fi
grep -q "being sent by" second.err || fail "second sender: $(cat second.err)"
kill -TERM "$sender" 2>/dev/null || true
set +e; wait "$sender"; rc=$?; set -e
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "first sender failed (exit $rc): $(tail -3 first.out)"
"$LINESIGHT" message send --db "$db" --campaign "$c" --gateway "$gw" >/dev/null 2>&1 || fail "resume of the first sender's campaign"
exactly_once TWO "a second sender refused"

"$LINESIGHT" audit verify --db "$db" >/dev/null || fail "audit chain"
[ "$fails" = 0 ] || { echo "message_kannel: $fails failures"; exit 1; }
echo "message_kannel: ok ($n recipients a campaign; sender killed 3 times and smsbox once, exactly once)"
