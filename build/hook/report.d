build/hook/report.o: hook/report.c hook/report.h
hook/report.h:
