# Latency of `ocigate hook` (full check) against store size, from tests/bench/run.sh.
# gnuplot -e "datafile='build/bench/plot.tsv'; outfile='build/bench/latency.png'" tests/bench/latency.gp
# datafile: blocks (signatures, verdicts, allowlist) of "entries warm_ms warm_min_ms cold_ms cold_min_ms",
# then the /bin/true floor.
if (!exists("datafile")) datafile = 'build/bench/plot.tsv'
if (!exists("outfile")) outfile = 'build/bench/latency.png'
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,620 noenhanced font ",10"
} else {
    set terminal png size 1000,620 noenhanced
}
set output outfile
set title "ocigate hook, full check: median latency per invocation against store size"
set logscale x
set xrange [0.5:3000000]
set format x "10^{%L}"
set format x "%.0s%c"
set xlabel "entries in the store (signatures / verdicts / allowlisted digests)"
set ylabel "ms per invocation (spawn + wait)"
set yrange [0:*]
set key top left
set grid
plot datafile index 0 using 1:4 with linespoints lw 2 pt 7 title "signatures, cold", \
     datafile index 0 using 1:2 with linespoints lw 2 pt 6 dt 2 title "signatures, warm", \
     datafile index 1 using 1:4 with linespoints lw 2 pt 5 title "verdicts, cold", \
     datafile index 1 using 1:2 with linespoints lw 2 pt 4 dt 2 title "verdicts, warm", \
     datafile index 2 using 1:4 with linespoints lw 2 pt 9 title "allowlisted digests, cold", \
     datafile index 2 using 1:2 with linespoints lw 2 pt 8 dt 2 title "allowlisted digests, warm", \
     datafile index 3 using 1:2 with lines lw 2 lc rgb "black" title "/bin/true (floor)"
