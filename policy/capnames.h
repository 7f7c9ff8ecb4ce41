/* Capability names as the runtime-spec writes them ("CAP_SYS_ADMIN"),
 * validated against libcap's table. */
#ifndef OCIGATE_CAPNAMES_H
#define OCIGATE_CAPNAMES_H

/* 1 when name is "CAP_" + an upper-case capability libcap knows. */
int og_cap_name_valid(const char *name);
/* Number of capabilities libcap knows (CAP_LAST_CAP + 1). */
int og_cap_count(void);

#endif
