/* TEST-ONLY helper of .ci/windows-smoke: holds a file open while exdoctor.exe reads it.
 *
 * holdopen.exe shared|exclusive <file> <ready-marker> <stop-marker>
 *   shared:    opened for reading and writing, sharing read and write (a log writer that
 *              lets readers in): exdoctor must read the file in place.
 *   exclusive: opened with share mode 0 (a program locking its file): exdoctor must say
 *              "in use by another process" (ERROR_SHARING_VIOLATION).
 * Creates <ready-marker> once the file is open, then waits until <stop-marker> exists
 * (at most 60 s) and exits.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -O2 -o holdopen.exe holdopen.c
 */
#include <windows.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 5)
        return 2;
    BOOL shared = lstrcmpW(argv[1], L"shared") == 0;
    HANDLE held = CreateFileW(argv[2], shared ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ,
                              shared ? FILE_SHARE_READ | FILE_SHARE_WRITE : 0, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    if (held == INVALID_HANDLE_VALUE)
        return 1;
    HANDLE ready = CreateFileW(argv[3], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (ready == INVALID_HANDLE_VALUE)
        return 1;
    CloseHandle(ready);
    for (int i = 0; i < 600 && GetFileAttributesW(argv[4]) == INVALID_FILE_ATTRIBUTES; i++)
        Sleep(100);
    CloseHandle(held);
    return 0;
}
