build/hook/jsonutil.o: hook/jsonutil.c hook/jsonutil.h hook/error.h
hook/jsonutil.h:
hook/error.h:
