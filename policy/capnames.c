#include "policy/capnames.h"

#include <ctype.h>
#include <string.h>
#include <sys/capability.h>

int og_cap_name_valid(const char *name)
{
	cap_value_t v;

	/* libcap also takes lower case and bare numbers; runtimes take neither. */
	if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return 0;
	for (const char *p = name + 4; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return 0;
	return cap_from_name(name, &v) == 0;
}

int og_cap_count(void)
{
	return (int)cap_max_bits();
}
