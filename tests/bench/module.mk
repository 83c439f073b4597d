# `make bench`: card-side APDU/byte counts and wall time of jpki and OpenSC
# over pcscd + jpki-cardsim (tests/bench/bench_card.sh).  BENCH_RUNS sets
# the number of runs per measurement (median reported; default 5).
BENCH_RUNS	?= 5

bench-card: all
	@BUILD=$(BUILD) BENCH_RUNS=$(BENCH_RUNS) \
		tests/lib/isolated.sh sh tests/bench/bench_card.sh

BENCH_TARGETS	+= bench-card
