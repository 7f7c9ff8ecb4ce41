build/hook/main.o: hook/main.c
