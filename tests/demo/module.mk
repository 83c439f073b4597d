# `make demo`: install what is missing, build, then tests/demo/demo.sh under
# private namespaces (its own pcscd and virtual card), stopped at the end.
demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/demo/demo.sh
