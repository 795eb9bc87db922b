# The reference for DebugView captures (`seq<TAB>time<TAB>[pid] message`, CRLF): like
# live.awk, tracks live blocks and nothing else, but per process (an address is keyed by
# its pid: the processes have their own address spaces). Fields are live.awk's shifted by
# the three columns; the CR stays on the last field, so that one is compared by prefix.
# Prints: spy events, blocks still alive.
$4 == "MALLOC" && $5 == "SPY:" && substr($6, 1, 2) == "0x" {
  if ($9 == "bytes" && substr($10, 1, 9) == "allocated") { live[$3, $6] = $8; n++ }
  else if (substr($8, 1, 5) == "freed") { delete live[$3, $6]; n++ }
  else if ($8 == "reallocated") { delete live[$3, $6]; to = $10; sub(/,$/, "", to); live[$3, to] = $11; n++ }
}
END { c = 0; for (k in live) c++; print n, c }
