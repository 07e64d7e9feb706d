# Background jobs with wait, traps on signals and EXIT, exec redirections.
sleep 0.2 & p1=$!
(sleep 0.1; exit 3) & p2=$!
wait $p2; echo "job 2 status $?"
wait $p1; echo "job 1 status $?"
for i in 1 2 3; do (echo "worker $i"; exit $i) > /tmp/emu-bash-job-$i.$$ & done
wait
cat /tmp/emu-bash-job-{1,2,3}.$$; rm -f /tmp/emu-bash-job-*.$$
# Jobs killed by signals. No trap is set yet: with one, bash catches fatal
# signals in a job until it has reset them before exec, a race (natively too)
# that the kill could win.
sleep 10 & victim=$!
kill -TERM $victim; wait $victim; echo "killed job status $?"
sleep 10 & victim=$!
kill -KILL $victim; wait $victim; echo "SIGKILLed job status $?"

trap 'echo "EXIT trap ran (status $?)"' EXIT
trap 'echo "caught USR1"' USR1
kill -USR1 $$
echo "after USR1"
( trap 'echo "subshell caught USR2"; exit 8' USR2; kill -USR2 $BASHPID; echo "not reached" ); echo "subshell status $?"
f=/tmp/emu-bash-exec.$$
exec 3> "$f"
echo "to fd 3" >&3
echo "again" >&3
exec 3>&-
cat "$f"
exec 4< "$f"
read -r first <&4; read -r second <&4
exec 4<&-
echo "read back: $first / $second"
exec 5>>"$f"; echo "appended" >&5; exec 5>&-
wc -l < "$f"
{ echo "stdout line"; echo "stderr line" >&2; } 2>&1 | sort
( exec > "$f"; echo "exec redirected stdout" ); cat "$f"
rm -f "$f"
trap - USR1
ignored=$(trap 'echo in-trap' INT; trap -p INT); echo "trap -p: $ignored"
trap '' HUP; kill -HUP $$; echo "ignored HUP"
echo "jobs done"; exit 5
