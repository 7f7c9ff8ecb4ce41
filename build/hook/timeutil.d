build/hook/timeutil.o: hook/timeutil.c hook/timeutil.h hook/error.h
hook/timeutil.h:
hook/error.h:
