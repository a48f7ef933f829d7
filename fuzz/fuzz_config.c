/* Fuzz target: the configuration file (src/conf), YAML to blocks of
 * flags. Every block's args must lie in the file's array, every position
 * inside the text's lines. */
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	struct conf_error err;

	if (conf_parse((const char *)data, size, &c, &err) == 0) {
		int total = 0;
		for (int i = 0; i < c.nblocks; i++) {
			total += c.blocks[i].nargs;
			for (int j = 0; j < c.blocks[i].nargs; j++)
				if (c.blocks[i].args[j].kpos.line < 1 ||
				    c.blocks[i].args[j].key[0] == '\0')
					__builtin_trap();
		}
		if (total != c.nargs || c.nargs > CONF_MAX_ARGS)
			__builtin_trap();
	}
	conf_fini(&c);
	char word[CONF_MAX_KEY + 8] = { 0 };
	for (size_t i = 0; i < size && i < sizeof word - 1; i++)
		word[i] = (char)data[i];
	conf_suggest(word, (const char *const[]){ "listen", "root" }, 2);
	return 0;
}
