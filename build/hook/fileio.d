build/hook/fileio.o: hook/fileio.c hook/fileio.h hook/error.h \
 hook/cleanup.h
hook/fileio.h:
hook/error.h:
hook/cleanup.h:
