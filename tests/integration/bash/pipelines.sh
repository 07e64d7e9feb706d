# Pipelines of external programs, command substitution, subshells,
# here-documents, exit statuses and PIPESTATUS.
printf '%s\n' pear apple fig apple kiwi fig apple | sort | uniq -c | sort -rn | head -2
echo "lines: $(printf 'a\nb\nc\n' | wc -l)"
echo "The Quick Brown Fox" | tr 'A-Z' 'a-z' | tr ' ' '\n' | sort | tr '\n' ' '; echo
seq 1 100 | awk '{ s += $1 } END { print "sum", s }'
seq 1 20 | grep -E '^1' | sed 's/^/n=/' | tail -3
echo "nested: $(echo "inner $(echo deepest | tr a-z A-Z)")"
x=outer; (x=inner; echo "subshell sees $x"; exit 3); echo "subshell status $? and x=$x"
{ echo grouped; echo output; } | cat -n
cat <<EOF2 | sort -r
gamma $x
alpha $((1 + 2))
beta \$literal
EOF2
cat <<'EOF2'
quoted $x $(not run)
EOF2
cat <<-EOF2
	tab-stripped heredoc
	EOF2
false | true; echo "status $? PIPESTATUS ${PIPESTATUS[*]}"
true | (exit 5) | true; echo "PIPESTATUS ${PIPESTATUS[*]}"
set -o pipefail; true | (exit 6) | true; echo "pipefail status $?"; set +o pipefail
out=$(exit 9); echo "command substitution status $?"
echo "count of words: $(echo one two three | wc -w)"
yes | head -3
printf 'b\na\nc\n' > /tmp/emu-bash-pipe.$$; sort < /tmp/emu-bash-pipe.$$ | head -1; rm -f /tmp/emu-bash-pipe.$$
while read -r n; do echo "read $n"; done < <(seq 3)
diff <(printf '1\n2\n3\n') <(printf '1\n3\n') ; echo "diff status $?"
echo $(( $(seq 1 10 | wc -l) * 2 ))
env -i X=1 /bin/busybox env 2>/dev/null | sort || echo "env -i ran"
xargs -n 2 echo <<< "a b c d e"
exec_out=$(sh -c 'echo from sh; exit 2'); echo "$exec_out $?"
