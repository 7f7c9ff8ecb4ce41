#include "checks.h"
#include "scan_policy.h"

int og_check_image(const struct og_policy *p, struct og_container *c, struct og_report *r,
		   og_error *e)
{
	if (og_scan_check(p->scan, &c->image, r, e) < 0)
		return -1;
	return 0;
}
