# help2man fills each paragraph of a --help's "Examples:" section, so consecutive example
# command lines (the CLI's, which have no description each) run together into one. In the
# EXAMPLES section, an .IP paragraph of several lines is printed line by line (.nf ... .fi).
# Usage: awk -f examples_nofill.awk PAGE > PAGE.fixed
function flush(   i) {
  if (n > 1) print ".nf"
  for (i = 1; i <= n; i++) print block[i]
  if (n > 1) print ".fi"
  n = 0
}
/^\.SH/ { flush(); in_examples = ($0 == ".SH EXAMPLES"); collecting = 0; print; next }
in_examples && /^\./ { flush(); collecting = ($0 == ".IP"); print; next }
in_examples && collecting { block[++n] = $0; next }
{ print }
END { flush() }
