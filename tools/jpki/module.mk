# jpki: the command-line tool, its man page and its end-to-end tests.

JPKI_CLI_SRCS	:= tools/jpki/main.c tools/jpki/cli.c tools/jpki/json.c \
		   tools/jpki/fmt.c tools/jpki/pinentry.c \
		   tools/jpki/cmd_readers.c tools/jpki/cmd_info.c \
		   tools/jpki/cmd_cert.c tools/jpki/cmd_pin.c tools/jpki/cmd_sign.c \
		   tools/jpki/cmd_text.c
JPKI_CLI_OBJS	:= $(JPKI_CLI_SRCS:%.c=$(BUILD)/%.o)
JPKI_CLI	:= $(BUILD)/bin/jpki

$(JPKI_CLI): $(JPKI_CLI_OBJS) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $(JPKI_CLI_OBJS) $(ALL_LDFLAGS) $(TOOL_LINK)

ALL_TARGETS	+= $(JPKI_CLI)
