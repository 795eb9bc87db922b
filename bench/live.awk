# The reference: track live blocks by address and nothing else (no phases, no
# verdict). What a quick script would do; spylog's speed is measured against it.
# Prints: spy events, blocks still alive.
$1 == "MALLOC" && $2 == "SPY:" && substr($3, 1, 2) == "0x" {
  if ($6 == "bytes" && $7 == "allocated") { live[$3] = $5; n++ }
  else if (substr($5, 1, 5) == "freed") { delete live[$3]; n++ }
  else if ($5 == "reallocated") { delete live[$3]; to = $7; sub(/,$/, "", to); live[to] = $8; n++ }
}
END { c = 0; for (k in live) c++; print n, c }
