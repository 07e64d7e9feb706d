# Functions, local variables, recursion, indexed and associative arrays,
# arithmetic, parameter expansion, case, loops, printf.
fact() { local n=$1; if (( n <= 1 )); then echo 1; else echo $(( n * $(fact $((n - 1))) )); fi; }
echo "fact 10 = $(fact 10)"
fib() { local a=0 b=1 i; for (( i = 0; i < $1; i++ )); do (( b = a + b, a = b - a )); done; echo $a; }
echo "fib 40 = $(fib 40)"
counter=0
bump() { counter=$((counter + $1)); return $(( counter % 7 )); }
bump 5; echo "bump status $? counter $counter"
bump 9; echo "bump status $? counter $counter"

fruits=(apple banana "cherry pie" date)
fruits+=(elderberry)
echo "count ${#fruits[@]}; third '${fruits[2]}'; slice ${fruits[@]:1:2}"
for i in "${!fruits[@]}"; do printf '%d:%s\n' "$i" "${fruits[$i]}"; done
unset 'fruits[1]'
echo "after unset: ${fruits[*]} (${#fruits[@]})"
declare -A color=([sky]=blue [grass]=green [sun]=yellow)
color[blood]=red
for k in $(printf '%s\n' "${!color[@]}" | sort); do echo "$k=${color[$k]}"; done
declare -i x=7 y=3
echo "arith: $((x + y)) $((x - y)) $((x * y)) $((x / y)) $((x % y)) $((x ** y)) $((x << 2)) $((x & y)) $((x ^ y)) $(( -x / y ))"
echo "hex $((0xff)) octal $((017)) base2 $((2#1011)) ternary $(( x > y ? x : y ))"
s="Hello, World of Bash"
echo "${s,,} ${s^^} ${#s} ${s:7:5} ${s/World/Planet} ${s//o/0} ${s#Hello, } ${s%% *}"
path=/usr/local/lib/libfoo.so.1
echo "${path##*/} ${path%/*} ${path%.*} ${unset_var:-default} ${unset_var:+alt}"
for w in 3 abc 42 -7 ""; do
  case $w in
    '') echo "empty" ;;
    -[0-9]*) echo "$w negative" ;;
    *[!0-9]*) echo "$w not a number" ;;
    *) echo "$w number" ;;
  esac
done
i=0; while (( i < 5 )); do (( i++ )); [[ $i == 3 ]] && continue; printf '%s ' $i; done; echo
until [[ $i -le 0 ]]; do i=$((i - 2)); done; echo "until: $i"
printf '%5.2f|%-6s|%05d|%x|%o|%e|%q\n' 3.14159 ab 42 255 8 12345.678 'a b$c'
read -r a b c <<< "one two three four"
echo "read: [$a] [$b] [$c]"
IFS=: read -ra parts <<< "x:y::z"
echo "split: ${#parts[@]} ${parts[*]}"
mapfile -t lines <<'DOC'
line one
line two
DOC
echo "mapfile: ${#lines[@]} '${lines[1]}'"
[[ "abc123" =~ ^([a-z]+)([0-9]+)$ ]] && echo "regex: ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
set -- p q r; shift; echo "positional: $# $1 $*"
f() { return 3; }; f || echo "f failed with $?"
exit 4
