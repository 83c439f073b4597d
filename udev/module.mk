# udev/: the modprobe blacklist for kernel NFC drivers that grab PC/SC
# readers (peers.md §4).  No udev rules: the distribution's libccid rules
# (92-libccid.rules) already give pcscd the CCID readers; see README,
# "Readers on Linux".  Installed only by the opt-in `make install-udev`,
# never by `make install`.

MODPROBEDIR	?= /etc/modprobe.d

install-udev:
	install -d $(DESTDIR)$(MODPROBEDIR)
	install -m 0644 udev/blacklist-jpki-nfc.conf \
		$(DESTDIR)$(MODPROBEDIR)/blacklist-jpki-nfc.conf
	@echo "install-udev: unload the drivers now with"
	@echo "  modprobe -r port100 pn533_usb pn533 nfc   (or reboot)"

# `make uninstall` removes it too when it is there.
INSTALLED_FILES	+= $(MODPROBEDIR)/blacklist-jpki-nfc.conf

check-udev:
	@mkdir -p $(RESULTS)
	@if sh udev/check.sh >&2; then echo "1 0"; else echo "0 1"; fi \
		> $(RESULTS)/udev.count
	@test "$$(cat $(RESULTS)/udev.count)" = "1 0"

CHECK_TARGETS	+= check-udev
