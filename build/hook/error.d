build/hook/error.o: hook/error.c hook/error.h
hook/error.h:
